/**
 * A rolling restart of a fleet, with real `evo-compute-worker` processes: two workers on one task
 * queue carry two dozen running jobs of mixed lengths; each worker in turn gets SIGTERM, is waited
 * for, and is replaced before the next one goes. Nothing may be lost or done twice.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { startComputeJob, waitForComputeJob } from '../src/client';
import { ORG_ID } from './helpers/ids';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';
import { useWorkerProcesses, type WorkerProcess, workerPolling } from './helpers/worker-process';

const TOKEN = 'rolling-restart-token';
const JOBS = 24;
/** The waitForJob activity's heartbeat timeout (see the timeout table in docs/workflows.md). */
const WAIT_HEARTBEAT_TIMEOUT_MS = 5_000;
/** Polls inside waitForJob, every half second, so a gap in a job's polls is a hand-over. */
const POLL_INTERVAL_MS = 500;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

function eventMs(event: NonNullable<History['events']>[number]): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

/** [scheduled, closed] wall-clock times of each activity of this type, in order. */
function activityWindows(history: History, activityType: string): [number, number][] {
  const scheduled = new Map<string, number>();
  const windows: [number, number][] = [];
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes?.activityType?.name === activityType) scheduled.set(String(event.eventId), eventMs(event));
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    const from = closed ? scheduled.get(String(closed.scheduledEventId)) : undefined;
    if (from !== undefined) windows.push([from, eventMs(event)]);
  }
  return windows;
}

interface NamedWorker extends WorkerProcess {
  name: string;
}

describe('rolling restart of two worker processes', () => {
  const fleet = useWorkerProcesses(TOKEN);
  const startWorker = (name: string, taskQueue: string): NamedWorker => ({ name, ...fleet.start(taskQueue) });
  const polling = (worker: NamedWorker) => workerPolling(worker, `${worker.name} to poll`);

  test('every job completes with its results, one POST each, no hand-over longer than a heartbeat timeout', async () => {
    const taskQueue = uniqueId('rolling');
    const workers = [startWorker('worker A', taskQueue), startWorker('worker B', taskQueue)];
    await Promise.all(workers.map(polling));

    // Mixed lengths, 12 s to 58 s: some end during the restarts, most after. One step each, so a
    // wait activity runs for most of its job and is in flight when its worker is stopped.
    const handles = await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        startComputeJob(
          fleet.env().client,
          {
            orgId: ORG_ID,
            topic: 'emulator',
            task: 'job',
            parameters: { durationMs: 12_000 + i * 2_000, steps: 1, results: { index: i } },
            poll: {
              initialInterval: `${POLL_INTERVAL_MS}ms`,
              maximumInterval: `${POLL_INTERVAL_MS}ms`,
              mode: 'heartbeat',
            },
          },
          { taskQueue, workflowId: `${taskQueue}/${i}` },
        ),
      ),
    );
    const outcomes = Promise.all(handles.map((handle) => waitForComputeJob(handle)));
    await waitFor(
      'every job to be submitted and running',
      () =>
        fleet.emulator().jobs().length === JOBS &&
        fleet
          .emulator()
          .jobs()
          .every((job) => job.statusRequests > 0),
    );

    // One at a time: SIGTERM, wait for the exit, start the replacement, wait until it polls.
    for (const [index, name] of ['worker A', 'worker B'].entries()) {
      const old = workers[index] as NamedWorker;
      old.child.kill('SIGTERM');
      assert.equal(await old.exited, 0, `${old.name} exits cleanly on SIGTERM: ${old.output()}`);
      const replacement = startWorker(`${name} (replacement)`, taskQueue);
      workers[index] = replacement;
      await polling(replacement);
    }

    const results = await outcomes;
    for (const [i, outcome] of results.entries()) {
      assert.equal(outcome.status, 'COMPLETED', `job ${i}: ${JSON.stringify(outcome)}`);
      assert.deepEqual(outcome.result?.results, { index: i }, `job ${i} returns its results`);
    }
    assert.equal(fleet.emulator().counts.POST, JOBS, 'exactly one POST per job');
    assert.equal(fleet.emulator().jobs().length, JOBS);
    for (const job of fleet.emulator().jobs()) assert.equal(job.status, 'succeeded');

    // Hand-overs, from the emulator's poll times and each job's history. Within one
    // evoComputeWaitForJob activity (scheduled → closed, retries included), the longest silence
    // between two polls is how long the activity took to move to a live worker. Between two of
    // them, the time from one closing to the next being scheduled is a workflow task's hand-over.
    const pollsByJob = new Map<string, number[]>();
    for (const request of fleet.emulator().requests) {
      const jobId = /\/([0-9a-f-]{36})\/status$/.exec(request.path)?.[1];
      if (request.method === 'GET' && jobId)
        pollsByJob.set(jobId, [...(pollsByJob.get(jobId) ?? []), request.at]);
    }
    let activity = { gapMs: 0, job: '' };
    let workflowTask = { gapMs: 0, job: '' };
    let silence = { gapMs: 0, job: '' };
    for (const [i, handle] of handles.entries()) {
      const jobId = results[i]?.result?.job.jobId ?? '';
      const windows = activityWindows(await handle.fetchHistory(), 'evoComputeWaitForJob');
      const polls = pollsByJob.get(jobId) ?? [];
      for (const [from, to] of windows) {
        // From being scheduled (less the interval it first waits) to its first poll, then between polls.
        const inside = polls.filter((at) => at >= from && at <= to);
        const marks = [from + POLL_INTERVAL_MS, ...inside];
        for (let p = 1; p < marks.length; p++) {
          const gapMs = (marks[p] as number) - (marks[p - 1] as number);
          if (gapMs > activity.gapMs) activity = { gapMs, job: handle.workflowId };
        }
      }
      for (let p = 1; p < polls.length; p++) {
        const gapMs = (polls[p] as number) - (polls[p - 1] as number);
        if (gapMs > silence.gapMs) silence = { gapMs, job: handle.workflowId };
      }
      for (let w = 1; w < windows.length; w++) {
        const gapMs = (windows[w] as [number, number])[0] - (windows[w - 1] as [number, number])[1];
        if (gapMs > workflowTask.gapMs) workflowTask = { gapMs, job: handle.workflowId };
      }
    }
    console.log(
      `slowest activity hand-over: ${(activity.gapMs / 1000).toFixed(2)} s between two polls of ${activity.job} (polls every ${POLL_INTERVAL_MS} ms); ` +
        `slowest workflow-task hand-over: ${(workflowTask.gapMs / 1000).toFixed(2)} s (${workflowTask.job}); ` +
        `longest silence between two polls of a job: ${(silence.gapMs / 1000).toFixed(2)} s (${silence.job})`,
    );
    assert.ok(
      activity.gapMs <= WAIT_HEARTBEAT_TIMEOUT_MS + POLL_INTERVAL_MS,
      `a poll waited ${activity.gapMs} ms to move to a live worker (heartbeat timeout ${WAIT_HEARTBEAT_TIMEOUT_MS} ms)`,
    );

    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
  });
});
