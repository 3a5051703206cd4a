/**
 * `sparse` polling when a worker dies: two real `evo-compute-worker` processes on one task queue;
 * the one running a job's `evoComputeWatchJob` is SIGKILLed just after a heartbeat (the worst
 * moment: the heartbeat timeout runs in full). The other worker must poll the job again within
 * max(30 s, 2 × interval), and the job must end with its results, submitted once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getComputeJobProgress, startComputeJob, waitForComputeJob } from '../src/client';
import { ORG_ID } from './helpers/ids';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';
import { useWorkerProcesses, type WorkerProcess, workerPolling } from './helpers/worker-process';

const TOKEN = 'sparse-kill-token';
const POLL_INTERVAL_MS = 500;
/** The promise: a dead worker is noticed within max(30 s, 2 × interval). */
const NOTICE_BOUND_MS = Math.max(30_000, 2 * POLL_INTERVAL_MS);

describe('sparse mode: a SIGKILLed worker', () => {
  const fleet = useWorkerProcesses(TOKEN);
  const startWorker = (taskQueue: string): WorkerProcess => fleet.start(taskQueue);

  test('is noticed within max(30 s, 2 × interval); the job completes on the other worker, submitted once', async (t) => {
    const taskQueue = uniqueId('sparse-kill');
    const workers = [startWorker(taskQueue), startWorker(taskQueue)];
    await Promise.all(workers.map((worker) => workerPolling(worker)));
    const handle = await startComputeJob(
      fleet.env().client,
      {
        orgId: ORG_ID,
        topic: 'emulator',
        task: 'job',
        // Queued (no status or step to hand back) long enough to outlast the first heartbeat (24 s
        // into the attempt) and the notice bound.
        parameters: { queuedMs: 75_000, durationMs: 2_000, results: { survived: true } },
        poll: { initialInterval: POLL_INTERVAL_MS, maximumInterval: POLL_INTERVAL_MS, mode: 'sparse' },
      },
      { taskQueue, workflowId: `${taskQueue}/job` },
    );
    const outcome = waitForComputeJob(handle);

    // The attempt's first heartbeat: between hand-backs, the live reading is on it.
    const beating = await waitFor(
      'a heartbeat of the watchJob attempt',
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities?.find(
          (activity) => activity.activityType?.name === 'evoComputeWatchJob',
        );
        return pending?.lastHeartbeatTime && pending.lastWorkerIdentity ? pending : undefined;
      },
      60_000,
    );
    const live = await getComputeJobProgress(handle);
    const view = await getComputeJobProgress(handle, { heartbeats: false });
    assert.equal(live.status?.status, 'requested');
    assert.ok(
      live.polls > view.polls,
      `the heartbeat's ${live.polls} polls are newer than the view's ${view.polls}`,
    );

    const pid = Number.parseInt(beating.lastWorkerIdentity ?? '', 10);
    const victim = workers.find((worker) => worker.child.pid === pid);
    assert.ok(victim, `the attempt runs on one of the two workers (${beating.lastWorkerIdentity})`);
    const survivor = workers.find((worker) => worker !== victim);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;

    const [jobId] = fleet
      .emulator()
      .jobs()
      .map((job) => job.jobId);
    const nextPoll = await waitFor(
      'a poll of the job after the kill',
      () =>
        fleet
          .emulator()
          .requests.find(
            (request) =>
              request.method === 'GET' && request.at > killedAt && request.path.includes(`${jobId}/status`),
          ),
      NOTICE_BOUND_MS + 10_000,
    );
    const noticedMs = nextPoll.at - killedAt;
    assert.ok(noticedMs <= NOTICE_BOUND_MS, `polled again ${noticedMs} ms after the kill`);
    const beatAt =
      Number(beating.lastHeartbeatTime?.seconds) * 1000 +
      Math.floor((beating.lastHeartbeatTime?.nanos ?? 0) / 1e6);
    t.diagnostic(
      `polled again ${noticedMs} ms after the SIGKILL, ${nextPoll.at - beatAt} ms after the last heartbeat`,
    );

    const result = await outcome;
    assert.equal(result.status, 'COMPLETED', JSON.stringify(result));
    assert.deepEqual(result.result?.results, { survived: true });
    assert.equal(fleet.emulator().counts.POST, 1, 'one POST');
    assert.equal(fleet.emulator().jobs().length, 1);
    assert.ok(survivor?.output().includes('evo-compute-worker: polling'));
  });
});
