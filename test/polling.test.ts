/**
 * The poll schedule on a real Temporal dev server: what each mode writes to history, live progress
 * in `waitForJob`'s heartbeats, the move from heartbeats to timers, and cancellation mid-wait.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WaitForJobState } from '../src/activities';
import type { RunComputeJobInput } from '../src/common/types';
import type { ComputeEmulator } from '../src/emulator';
import { runComputeJob } from '../src/workflows';
import { recordHistory } from './helpers/histories';
import { eventTypes, pollCycles } from './helpers/history';
import { ORG_ID } from './helpers/ids';
import { startTestStack, type TestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const TOKEN = 'polling-test-token';
const TASK_QUEUE = 'evo-compute-polling-test';

let env: TestWorkflowEnvironment;
let emulator: ComputeEmulator;
let stack: TestStack;

before(async () => {
  stack = await startTestStack({ taskQueue: TASK_QUEUE, token: TOKEN });
  ({ env, emulator } = stack);
});

after(async () => {
  await stack?.close();
});

function start(
  input: Partial<RunComputeJobInput> & { parameters: Record<string, unknown> },
): Promise<WorkflowHandle<typeof runComputeJob>> {
  return env.client.workflow.start(runComputeJob, {
    taskQueue: TASK_QUEUE,
    workflowId: uniqueId('poll'),
    args: [{ orgId: ORG_ID, topic: 'emulator', task: 'job', ...input } as RunComputeJobInput],
  });
}

describe('history cost of a poll', () => {
  test('a timer-mode poll writes at most 6 events: timer, workflow task, one local-activity marker', async () => {
    // Queued for a while (status `requested`, progress 0): polls that change nothing visible.
    const handle = await start({
      parameters: { queuedMs: 5000, durationMs: 500 },
      poll: { initialInterval: 150, maximumInterval: 150, mode: 'timer' },
    });
    await handle.result();
    const cycles = pollCycles(await eventTypes(handle));
    assert.ok(cycles.length >= 3, `only ${cycles.length} polls`);
    const plain = cycles.filter((cycle) => !cycle.includes('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'));
    for (const cycle of plain) {
      assert.deepEqual(cycle, [
        'TIMER_STARTED',
        'TIMER_FIRED',
        'WORKFLOW_TASK_SCHEDULED',
        'WORKFLOW_TASK_STARTED',
        'WORKFLOW_TASK_COMPLETED',
        'MARKER_RECORDED',
      ]);
    }
    // A poll that moves the status or crosses a 10 % step also upserts the search attributes.
    const withUpsert = cycles.filter((cycle) => cycle.includes('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'));
    assert.ok(withUpsert.every((cycle) => cycle.length === 7));
    assert.ok(withUpsert.length <= 12, `${withUpsert.length} upserts`);
    await recordHistory(handle, 'timer-mode');
  });
});

describe('waitForJob', () => {
  test('heartbeat mode: one activity waits for the whole job, its heartbeats carry the live progress', async () => {
    const handle = await start({
      parameters: { durationMs: 12_000, steps: 3 },
      poll: { initialInterval: 100, maximumInterval: 200, mode: 'heartbeat' },
    });
    const live = await waitFor('a heartbeat with progress', async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      const payload = pending?.heartbeatDetails?.payloads?.[0];
      if (!payload) return undefined;
      const state = defaultPayloadConverter.fromPayload<WaitForJobState>(payload);
      return state.progress?.status === 'in progress' ? state : undefined;
    });
    assert.match(live.progress?.message ?? '', /^Step \d of 3$/);
    assert.ok(live.polls >= 1);
    const { results } = await handle.result();
    assert.ok(results.echo);
    const types = await eventTypes(handle);
    assert.equal(types.filter((t) => t === 'ACTIVITY_TASK_SCHEDULED').length, 3, types.join(' ')); // submit, waitForJob, results
    assert.equal(types.filter((t) => t === 'TIMER_STARTED').length, 0);
    const view = await handle.query('progress');
    assert.ok((view as { polls: number }).polls >= 10, 'polls made inside the activity are counted');
    await recordHistory(handle, 'heartbeat-mode');
  });

  test('auto mode: polls inside waitForJob while the interval is short, then on timers', async () => {
    const handle = await start({
      parameters: { durationMs: 4000 },
      poll: { initialInterval: 100, backoffCoefficient: 2, maximumInterval: 800, timerThreshold: 400 },
    });
    await handle.result();
    const types = await eventTypes(handle);
    const firstTimer = types.indexOf('TIMER_STARTED');
    assert.ok(firstTimer > 0, 'moved to timers');
    assert.equal(types.slice(0, firstTimer).filter((t) => t === 'ACTIVITY_TASK_COMPLETED').length, 2); // submit, waitForJob
    assert.ok(types.filter((t) => t === 'TIMER_STARTED').length >= 3);
    assert.equal(types.slice(firstTimer).filter((t) => t === 'ACTIVITY_TASK_SCHEDULED').length, 1); // results
    await recordHistory(handle, 'auto-mode');
  });

  test('cancelling the workflow mid-wait cancels waitForJob and the remote job, once', async () => {
    const tag = uniqueId('tag');
    const handle = await start({
      parameters: { tag, durationMs: 60_000, cancelDelayMs: 200 },
      poll: { initialInterval: 100, maximumInterval: 200, mode: 'heartbeat' },
    });
    const remote = await waitFor('status polls', () =>
      emulator.jobs().find((job) => job.parameters.tag === tag && job.statusRequests >= 3),
    );
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, String(err));
    const after = emulator.getJob(remote.jobId);
    assert.equal(after?.status, 'cancelled');
    assert.equal(after?.cancelRequests, 1);
    const types = await eventTypes(handle);
    assert.ok(types.includes('ACTIVITY_TASK_CANCEL_REQUESTED'));
    await recordHistory(handle, 'cancelled-mid-wait');
  });
});
