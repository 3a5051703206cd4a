/**
 * A worker that dies mid-request, in every poll mode: a real dev server, the emulator behind a
 * proxy that holds one chosen answer back, and real `evo-compute-worker` processes. Worker A alone
 * runs six jobs until each one's held request is in flight on it (the results GET of the poll that
 * sees `succeeded`, or a slow status answer late in the job, when a `retry` poll is an attempt in
 * the tens); then worker B starts and A gets SIGKILL. Each job must complete on B within 30 s of
 * the kill, with its results and one POST: the dead attempt is found by a heartbeat timeout (or,
 * for timer mode's local activity, the workflow task timeout), not by a 2-minute start-to-close.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startComputeJob } from '../src/client';
import type { PollMode } from '../src/common/poll-schedule';
import type { ComputeJobResult } from '../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { jobsTagged, testJob } from './helpers/compute-jobs';
import { isResultsRequest, isStatusPoll, startFaultProxy } from './helpers/fault-proxy';
import { uniqueId } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';
import type { TestServer } from './helpers/test-server';
import { waitFor } from './helpers/wait';
import { runWorkerProcess, type WorkerProcess, workerPolling } from './helpers/worker-process';

const TOKEN = 'dead-worker-token';
const MODES: readonly PollMode[] = ['retry', 'heartbeat', 'timer'];
/** The request of each job that is held until its worker is dead. */
const HELD = ['results', 'status'] as const;
/**
 * The status request that is held: the 6th. A `retry` poll is then attempt 6 of its activity,
 * where the read backoff (1 s doubling to 1 min) would wait 32 s after a timeout.
 */
const HELD_STATUS_REQUEST = 6;
/**
 * How long each job is `requested` (then it succeeds at once): every poll until then looks alike,
 * and nothing hands back to the workflow. Polls come about once a second in `retry` and `timer`
 * mode (the server's retry timers and durable timers), so the 6th comes well before the end.
 */
const QUEUED_MS = 10_000;
const DEADLINE_MS = 30_000;

interface Case {
  name: string;
  mode: PollMode;
  held: (typeof HELD)[number];
  input: ReturnType<typeof testJob>;
  /** When the proxy started holding this job's request back. */
  heldAt?: number;
  outcome?: Promise<{ result?: ComputeJobResult; error?: unknown; at: number }>;
}

describe('a worker killed mid-request, in every poll mode', () => {
  let env: TestWorkflowEnvironment;
  let emulator: ComputeEmulator;
  let proxy: TestServer;
  let killedAt = 0;
  let startedAt = 0;
  const workers: WorkerProcess[] = [];
  const running = new Set<ChildProcess>();
  const cases: Case[] = MODES.flatMap((mode) =>
    HELD.map((held) => ({
      name: `${mode} mode, mid-${held}`,
      mode,
      held,
      input: testJob(
        { queuedMs: QUEUED_MS, durationMs: 0, results: { mode, held } },
        { pollInterval: undefined, poll: { initialInterval: '500ms', maximumInterval: '500ms', mode } },
      ),
    })),
  );
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });

  function startWorker(taskQueue: string): WorkerProcess {
    const worker = runWorkerProcess({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      EVO_COMPUTE_TASK_QUEUE: taskQueue,
      EVO_BASE_URL: proxy.url,
      EVO_ACCESS_TOKEN: TOKEN,
    });
    workers.push(worker);
    running.add(worker.child);
    void worker.exited.then(() => running.delete(worker.child));
    return worker;
  }

  const polling = (worker: WorkerProcess) => workerPolling(worker);

  before(async () => {
    [env, emulator] = await Promise.all([startLocalTemporal(), startComputeEmulator({ accessToken: TOKEN })]);
    const caseOf = (url: string) => {
      const jobId = /\/([0-9a-f-]{36})(\/status)?$/i.exec(url)?.[1];
      const job = jobId ? emulator.jobs().find((each) => each.jobId === jobId) : undefined;
      return job && { job, kase: cases.find((each) => each.input.parameters.tag === job.parameters.tag) };
    };
    proxy = await startFaultProxy(emulator.url, async (req) => {
      const found = caseOf(req.url);
      if (!found?.kase || found.kase.heldAt !== undefined) return undefined;
      const { job, kase } = found;
      const hold =
        kase.held === 'results'
          ? isResultsRequest(req)
          : isStatusPoll(req) && job.statusRequests === HELD_STATUS_REQUEST;
      if (!hold) return undefined;
      kase.heldAt = Date.now();
      console.log(
        `${kase.name}: held ${kase.heldAt - startedAt} ms after the start (status request ${job.statusRequests})`,
      );
      await released; // the answer goes to a dead worker, which reads nothing
      return undefined;
    });

    startedAt = Date.now();
    const taskQueue = uniqueId('dead-worker');
    const first = startWorker(taskQueue);
    await polling(first);
    for (const kase of cases) {
      const handle = await startComputeJob(env.client, kase.input, {
        taskQueue,
        workflowId: `${taskQueue}/${kase.mode}-${kase.held}`,
      });
      kase.outcome = handle.result().then(
        (result) => ({ result, at: Date.now() }),
        (error: unknown) => ({ error, at: Date.now() }),
      );
    }
    await waitFor(
      'every job to have its request held on worker A',
      () => cases.every((kase) => kase.heldAt !== undefined),
      60_000,
    ).catch((err: unknown) => {
      const waiting = cases.filter((kase) => kase.heldAt === undefined).map((kase) => kase.name);
      throw new Error(`${err}: still waiting for ${waiting.join(', ')}\n${first.output()}`);
    });
    const second = startWorker(taskQueue);
    await polling(second);
    first.child.kill('SIGKILL');
    await first.exited;
    killedAt = Date.now();
    release();
  });

  after(async () => {
    release();
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await proxy?.close();
    await emulator?.close();
    await env?.teardown();
  });

  for (const kase of cases) {
    test(`${kase.name}: the job completes on the other worker within 30 s of the kill, one POST`, async () => {
      const outcome = await Promise.race([
        kase.outcome,
        new Promise<undefined>((resolve) =>
          setTimeout(() => resolve(undefined), killedAt + 2 * DEADLINE_MS - Date.now()),
        ),
      ]);
      assert.ok(outcome, `no outcome ${(2 * DEADLINE_MS) / 1000} s after the kill`);
      assert.equal(outcome.error, undefined, `${outcome.error}\n${workers.map((w) => w.output()).join('')}`);
      assert.deepEqual(outcome.result?.results, { mode: kase.mode, held: kase.held });
      const tookMs = outcome.at - killedAt;
      console.log(`${kase.name}: completed ${(tookMs / 1000).toFixed(1)} s after the kill`);
      assert.ok(tookMs <= DEADLINE_MS, `completed ${tookMs} ms after the kill`);
      const jobs = jobsTagged(emulator, kase.input);
      assert.equal(jobs.length, 1, 'exactly one POST for the job');
      assert.equal(jobs[0]?.status, 'succeeded');
    });
  }

  test('exactly one POST per job in all', () => {
    assert.equal(emulator.counts.POST, cases.length);
  });
});
