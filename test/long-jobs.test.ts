/**
 * Jobs of any length, on the time-skipping test server: a run continues as new before its history
 * grows large, carrying the job and the progress; the final run returns the results. The emulator's
 * clock advances by one poll interval per status request, so the job lasts exactly as many polls
 * as its simulated length needs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { RunComputeJobInput } from '../src/common/types';
import { runComputeJob } from '../src/workflows';
import { eventTypes } from './helpers/history';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { startTimeSkippingTemporal } from './helpers/temporal-env';

const TASK_QUEUE = 'evo-compute-long-jobs';
const HOUR = 3_600_000;

const stack = useTestStack({
  taskQueue: TASK_QUEUE,
  token: 'long-jobs',
  temporal: startTimeSkippingTemporal,
  emulator: { now: () => t0 + (stack.emulator.counts.GET - requestsBefore) * msPerPoll },
});
/** Simulated time per status request, and the request count where the current test began; set by each test. */
let msPerPoll = 60_000;
let requestsBefore = 0;
const t0 = Date.now();

async function runLongJob(durationMs: number, interval: number) {
  msPerPoll = interval;
  const workflowId = uniqueId('long');
  const input: RunComputeJobInput = {
    orgId: ORG_ID,
    topic: 'emulator',
    task: 'job',
    parameters: { durationMs, steps: 100 },
    poll: { initialInterval: interval, maximumInterval: interval, mode: 'timer' },
  };
  // Only this job's status polls move the emulator's clock.
  requestsBefore = stack.emulator.counts.GET;
  const handle = await stack.env.client.workflow.start(runComputeJob, {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [input],
  });
  const { job, results } = await handle.result();
  return { handle, job, results, workflowId };
}

/** The history length of every run of a workflow, newest first, following continue-as-new back to the first. */
async function historyLengths(workflowId: string): Promise<number[]> {
  const lengths: number[] = [];
  let handle = stack.env.client.workflow.getHandle(workflowId);
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    lengths.push(events.length);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return lengths;
    handle = stack.env.client.workflow.getHandle(workflowId, previous);
  }
}

async function assertCompletedInBoundedRuns(handle: WorkflowHandle, workflowId: string, polls: number) {
  const lengths = await historyLengths(workflowId);
  assert.ok(lengths.length > 1, 'the workflow continued as new');
  assert.ok(Math.max(...lengths) <= 10_000, `the longest run has ${Math.max(...lengths)} events`);
  const view = (await handle.query('progress')) as { polls: number; phase: string };
  assert.equal(view.phase, 'done', 'queries answer on the final run');
  assert.ok(view.polls >= polls, `the poll count survives continue-as-new: ${view.polls}`);
  assert.equal((await eventTypes(handle)).at(-1), 'WORKFLOW_EXECUTION_COMPLETED');
}

// About 10,000 and 43,200 polls, each a workflow task on the test server: minutes, not seconds.
test('a simulated 7-day job polled every minute completes; no run exceeds 10,000 events', {
  timeout: 20 * 60_000,
}, async () => {
  const { handle, results, workflowId } = await runLongJob(7 * 24 * HOUR, 60_000);
  assert.ok(results.echo);
  await assertCompletedInBoundedRuns(handle, workflowId, 7 * 24 * 60);
});

test('a simulated 12-hour job polled every second completes; no run exceeds 10,000 events', {
  timeout: 45 * 60_000,
}, async () => {
  const { handle, results, workflowId } = await runLongJob(12 * HOUR, 1_000);
  assert.ok(results.echo);
  await assertCompletedInBoundedRuns(handle, workflowId, 12 * 3600);
});
