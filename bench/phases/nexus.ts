/**
 * Phase `nexus`: the same N jobs run two ways in one run, side by side on one dev server and one
 * compute worker (a child process, which serves the `evo-compute` Nexus service by default):
 *
 * - `child`: a caller workflow in the compute worker's namespace runs `runComputeJob` as a child
 *   (`executeComputeJob`, i.e. `computeJobChildOptions`) on the compute worker's task queue;
 * - `nexus`: a caller workflow in another namespace runs it through a Nexus endpoint that targets
 *   that queue (`executeComputeJobOperation`); the handler starts `runComputeJob` there.
 *
 * The callers of both paths run on caller workers in the bench process, one per namespace, and are
 * started interleaved (child 0, Nexus 0, child 1, …) in the bench's batches, so that both paths see
 * the same load. Job i has the same emulator duration on both paths, default poll schedule. Measured
 * from every caller's and callee's history and the emulator: history events and billable actions
 * per job, start → submit and finish → caller closed, step by step.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { ensureNexusEndpoint } from '../../src/client/nexus-endpoint';
import type { RunComputeJobInput } from '../../src/common/types';
import { startComputeEmulator } from '../../src/emulator';
import type { benchChildCaller, benchNexusCaller } from '../lib/caller-workflows';
import { delay } from '../lib/children';
import { type BenchContext, type Cleanup, mapLimit, ORG_ID, startWorkerProcess, TOKEN } from '../lib/context';
import {
  allRuns,
  analyze,
  type CallerSteps,
  callerSteps,
  type HistoryActions,
  historyCosts,
  type SubmitSteps,
  submitSteps,
  typeName,
} from '../lib/history';
import { between, workerSampler } from '../lib/sampler';
import { jobDurations } from '../lib/stats';
import { inBatches, waitForClose, waitForResultsFetched } from '../lib/workflows';

/** The namespace of the Nexus callers; the dev server must be started with it (`--namespace`). */
export const NEXUS_CALLER_NAMESPACE = 'evo-callers';
const ENDPOINT = 'evo-compute-bench';
const COMPUTE_QUEUE = 'evo-compute-bench-nexus';
const CALLER_QUEUE = 'evo-compute-bench-callers';

export const CALL_PATHS = ['child', 'nexus'] as const;
export type CallPath = (typeof CALL_PATHS)[number];

/** One job on one path: the caller's and the callee's (the `runComputeJob` that ran it) histories. */
export interface CalledJob {
  path: CallPath;
  index: number;
  durationMs: number;
  callerStatus: string;
  callerEvents: number;
  calleeEvents: number;
  callerActions: HistoryActions;
  calleeActions: HistoryActions;
  /** The caller's event types, in order (its history's shape). */
  callerTypes: string[];
  caller: CallerSteps;
  /** The callee's first run: its start and its submit activity. */
  callee: SubmitSteps;
  /** The callee's close (its last run's last event). */
  calleeClosedAt?: number;
  /** Emulator times: the POST, and when the job finished (submit + its duration). */
  submittedAt: number;
  finishedAt: number;
}

export interface NexusResult {
  jobs: number;
  durations: { minMs: number; maxMs: number; seed: number };
  startBatch: number;
  callerNamespace: string;
  calleeNamespace: string;
  endpoint: string;
  /** From the first start to the last caller closed. */
  wallSeconds: number;
  /** CPU in that window, seconds: the compute worker, the dev server, the bench (emulator, caller workers, client), the rest of the machine. */
  cpu: { worker: number; server: number; bench: number; other: number };
  called: CalledJob[];
}

interface CallerWorker {
  client: Client;
  namespace: string;
}

export async function runNexus(ctx: BenchContext, env: TestWorkflowEnvironment): Promise<NexusResult> {
  const { nexusJobs: jobs, minDurationMs, maxDurationMs, seed, startBatch } = ctx.config;
  const cleanup = ctx.cleanup.scope('the nexus phase');
  try {
    const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
    cleanup.add('close the nexus emulator', () => emulator.close());
    const calleeNamespace = env.namespace ?? 'default';
    const worker = await startWorkerProcess(ctx, cleanup, 'worker-nexus', {
      address: env.address,
      namespace: calleeNamespace,
      taskQueue: COMPUTE_QUEUE,
      baseUrl: emulator.url,
    });
    await ensureNexusEndpoint(env.connection, {
      name: ENDPOINT,
      namespace: calleeNamespace,
      taskQueue: COMPUTE_QUEUE,
    });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../lib/caller-workflows'),
      logger: new DefaultLogger('ERROR'),
    });
    const callers: Record<CallPath, CallerWorker> = {
      child: await startCallerWorker(cleanup, env, calleeNamespace, workflowBundle),
      nexus: await startCallerWorker(cleanup, env, NEXUS_CALLER_NAMESPACE, workflowBundle),
    };

    const durations = jobDurations(jobs, minDurationMs, maxDurationMs, seed);
    const tag = Date.now().toString(36);
    const callerId = (path: CallPath, index: number) => `bench-nexus-${tag}-${path}-${index}`;
    const inputOf = (path: CallPath, index: number): RunComputeJobInput => ({
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: { durationMs: durations[index], benchIndex: index, benchPath: path },
    });
    ctx.log(
      `nexus: ${jobs} jobs of ${minDurationMs / 1000}–${maxDurationMs / 1000} s, each as a child and through Nexus (${NEXUS_CALLER_NAMESPACE} → ${calleeNamespace}), in batches of ${startBatch}`,
    );
    const sampler = workerSampler(emulator, worker.pid, cleanup, 'nexus');
    const first = sampler.start();
    await inBatches(2 * jobs, startBatch, (k) => {
      const index = Math.floor(k / 2);
      if (k % 2 === 0) {
        return callers.child.client.workflow.start<typeof benchChildCaller>('benchChildCaller', {
          taskQueue: CALLER_QUEUE,
          workflowId: callerId('child', index),
          args: [inputOf('child', index), COMPUTE_QUEUE],
        });
      }
      return callers.nexus.client.workflow.start<typeof benchNexusCaller>('benchNexusCaller', {
        taskQueue: CALLER_QUEUE,
        workflowId: callerId('nexus', index),
        args: [ENDPOINT, inputOf('nexus', index)],
      });
    });
    ctx.log(`nexus: ${2 * jobs} callers started in ${((Date.now() - first.at) / 1000).toFixed(1)} s`);

    // Done when every job's results were fetched; then every caller must have closed.
    const deadline = Date.now() + maxDurationMs + 300_000;
    await waitForResultsFetched(emulator, 2 * jobs, deadline, (message) => ctx.log(`nexus: ${message}`));
    const closed = await Promise.all(
      CALL_PATHS.map((path) =>
        waitForClose(
          callers[path],
          durations.map((_, index) => callerId(path, index)),
          deadline,
        ),
      ),
    );
    const lastClose = Math.max(...closed.flatMap((byId) => [...byId.values()].map((c) => c.closedAt)));
    // Let the sampler catch the moment of the last close, then stop measuring.
    await delay(Math.max(0, Math.min(1500, lastClose + 1100 - Date.now())));
    sampler.stop();
    const window = between(first, sampler.at(lastClose));
    ctx.log(
      `nexus: every caller closed ${window.seconds.toFixed(1)} s after the first start; reading histories`,
    );

    const submitted = new Map(
      emulator
        .jobs()
        .map((job) => [`${job.parameters.benchPath}/${job.parameters.benchIndex}`, job.submittedAt]),
    );
    const work = CALL_PATHS.flatMap((path) =>
      durations.map((durationMs, index) => ({ path, index, durationMs })),
    );
    const called = await mapLimit(work, 20, async ({ path, index, durationMs }): Promise<CalledJob> => {
      const id = callerId(path, index);
      const callerRuns = await allRuns(callers[path].client, id);
      const callerHistory = callerRuns.flat();
      const caller = callerSteps(callerHistory);
      const calleeRuns = await allRuns(env.client, caller.calleeWorkflowId);
      const calleeHistory = calleeRuns.flat();
      const submittedAt = submitted.get(`${path}/${index}`);
      if (submittedAt === undefined) throw new Error(`the ${path} job ${index} was not submitted`);
      return {
        path,
        index,
        durationMs,
        callerStatus: closed[CALL_PATHS.indexOf(path)]?.get(id)?.status ?? 'unknown',
        callerEvents: callerHistory.length,
        calleeEvents: calleeHistory.length,
        callerActions: historyCosts(callerHistory).actions,
        calleeActions: historyCosts(calleeHistory).actions,
        callerTypes: callerHistory.map(typeName),
        caller,
        callee: submitSteps(calleeRuns[0] ?? []),
        calleeClosedAt: analyze(calleeRuns.at(-1) ?? []).closeTime,
        submittedAt,
        finishedAt: submittedAt + durationMs,
      };
    });
    await worker.stop();
    return {
      jobs,
      durations: { minMs: minDurationMs, maxMs: maxDurationMs, seed },
      startBatch,
      callerNamespace: NEXUS_CALLER_NAMESPACE,
      calleeNamespace,
      endpoint: ENDPOINT,
      wallSeconds: window.seconds,
      cpu: {
        worker: window.cpu,
        server: window.serverCpu,
        bench: window.benchCpu,
        other: window.machineBusy - window.cpu - window.serverCpu - window.benchCpu,
      },
      called,
    };
  } finally {
    await cleanup.runAll();
  }
}

/** A worker in `namespace` that runs the caller workflows; shut down (and awaited) by `cleanup`. */
async function startCallerWorker(
  cleanup: Cleanup,
  env: TestWorkflowEnvironment,
  namespace: string,
  workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
): Promise<CallerWorker> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace,
    taskQueue: CALLER_QUEUE,
    workflowBundle,
  });
  const running = worker.run();
  running.catch(() => undefined); // a worker that fails is reported by the clean-up's await
  cleanup.add(`stop the caller worker in ${namespace}`, async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  return { client: new Client({ connection: env.connection, namespace }), namespace };
}
