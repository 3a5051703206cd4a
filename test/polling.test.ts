/**
 * The poll schedule on a real Temporal dev server: what each mode writes to history, where the live
 * reading is between two hand-backs, feedback from the first poll, and cancellation mid-wait.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import type { WaitForJobState } from '../src/activities';
import { getComputeJobProgress } from '../src/client';
import type { RunComputeJobInput } from '../src/common/types';
import { runComputeJob } from '../src/workflows';
import { recordHistory } from './helpers/histories';
import { eventTypes, pollCycles } from './helpers/history';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const TOKEN = 'polling-test-token';
const TASK_QUEUE = 'evo-compute-polling-test';

const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN });

function start(
  input: Partial<RunComputeJobInput> & { parameters: Record<string, unknown> },
): Promise<WorkflowHandle<typeof runComputeJob>> {
  return stack.env.client.workflow.start(runComputeJob, {
    taskQueue: TASK_QUEUE,
    workflowId: uniqueId('poll'),
    args: [{ orgId: ORG_ID, topic: 'emulator', task: 'job', ...input } as RunComputeJobInput],
  });
}

/**
 * Starts a job that stays queued, cancels the workflow once the emulator has answered `polls`
 * status requests, and checks that the workflow ended cancelled and the remote job was cancelled
 * with one DELETE.
 */
async function cancelAfterPolls(
  poll: RunComputeJobInput['poll'],
  polls: number,
): Promise<WorkflowHandle<typeof runComputeJob>> {
  const tag = uniqueId('tag');
  const handle = await start({
    parameters: { tag, queuedMs: 60_000, durationMs: 1000, cancelDelayMs: 200 },
    poll,
  });
  const remote = await waitFor('status polls', () =>
    stack.emulator.jobs().find((job) => job.parameters.tag === tag && job.statusRequests >= polls),
  );
  await handle.cancel();
  const err = await handle.result().catch((e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, String(err));
  const after = stack.emulator.getJob(remote.jobId);
  assert.equal(after?.status, 'cancelled');
  assert.equal(after?.cancelRequests, 1);
  return handle;
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

describe("retry mode: the waits are the server's retry timers", () => {
  test('polls while nothing changes write no history; each new status or 10 % step hands back', async () => {
    // Queued for a while (status `requested`): many polls, none of them worth recording.
    const handle = await start({
      parameters: { queuedMs: 5000, durationMs: 500 },
      poll: { initialInterval: 100, maximumInterval: 100, mode: 'retry' },
    });
    const pending = await waitFor('a retried status check carrying its reading', async () => {
      const activity = (await handle.describe()).raw.pendingActivities?.[0];
      return activity?.activityType?.name === 'evoComputeCheckJobStatus' && (activity.attempt ?? 0) >= 3
        ? activity
        : undefined;
    });
    assert.equal(pending.lastFailure?.applicationFailureInfo?.type, 'JobStillRunning');
    assert.match(pending.lastFailure?.message ?? '', /^\[requested\]/);
    assert.equal(pending.lastFailure?.stackTrace ?? '', '', 'the UI shows the reading, not a stack trace');
    const live = await getComputeJobProgress(handle);
    assert.equal(live.status?.status, 'requested');
    assert.ok(live.polls >= 2, 'the client helper reads the poll count off the last attempt');

    const { results } = await handle.result();
    assert.ok(results.echo);
    const types = await eventTypes(handle);
    assert.equal(types.filter((t) => t === 'TIMER_STARTED').length, 0, types.join(' '));
    assert.equal(types.filter((t) => t === 'ACTIVITY_TASK_FAILED').length, 0, 'retries write no history');
    const view = (await handle.query('progress')) as { polls: number };
    const checks = types.filter((t) => t === 'ACTIVITY_TASK_SCHEDULED').length - 1; // less the submit
    // Submit→requested is recorded without a poll; then in progress, its steps and succeeded hand back.
    assert.ok(checks <= 4, `${checks} status-check activities: ${types.join(' ')}`);
    assert.ok(view.polls >= checks + 3, `${view.polls} polls, ${checks} of them handed back`);
    await recordHistory(handle, 'retry-mode');
  });

  test('the first in-progress reading reaches the progress query, the status search attribute too', async () => {
    const handle = await start({
      parameters: { queuedMs: 300, durationMs: 60_000 },
      poll: { initialInterval: 100, maximumInterval: 100, mode: 'retry' },
    });
    const view = await waitFor('the query to show the job running', async () => {
      const progress = await getComputeJobProgress(handle, { heartbeats: false });
      return progress.status?.status === 'in progress' ? progress : undefined;
    });
    // Recorded from the first in-progress poll, not from a later one: the job is in its first 10 %.
    assert.ok((view.status?.progress ?? 0) < 10, `first seen at ${view.status?.progress} %`);
    await handle.cancel();
  });

  test('cancelling the workflow between two polls cancels the status check and the remote job, once', async () => {
    await cancelAfterPolls({ initialInterval: 1000, maximumInterval: 1000, mode: 'retry' }, 1);
  });
});

describe('heartbeat mode: polls inside waitForJob', () => {
  test('hands back at each new status or step, the live reading on its heartbeats, the results with the last poll', async () => {
    const handle = await start({
      parameters: { queuedMs: 6000, durationMs: 500 },
      poll: { initialInterval: 100, maximumInterval: 200, mode: 'heartbeat' },
    });
    const live = await waitFor('a heartbeat with a reading', async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      const payload = pending?.heartbeatDetails?.payloads?.[0];
      if (!payload) return undefined;
      const state = defaultPayloadConverter.fromPayload<WaitForJobState>(payload);
      return state.progress?.status === 'requested' && state.polls >= 2 ? state : undefined;
    });
    assert.ok(live.polls >= 2);
    const { results } = await handle.result();
    assert.ok(results.echo);
    const types = await eventTypes(handle);
    const scheduled = types.filter((t) => t === 'ACTIVITY_TASK_SCHEDULED').length;
    // submit, then one waitForJob per change (in progress, its steps, succeeded); no results activity.
    assert.ok(scheduled <= 14, `${scheduled} activities: ${types.join(' ')}`);
    assert.equal(types.filter((t) => t === 'TIMER_STARTED').length, 0);
    const view = (await handle.query('progress')) as { polls: number };
    assert.ok(view.polls >= scheduled + 5, 'polls made inside the activity are counted');
    await recordHistory(handle, 'heartbeat-mode');
  });

  test('cancelling the workflow mid-wait cancels waitForJob and the remote job, once', async () => {
    const handle = await cancelAfterPolls(
      { initialInterval: 100, maximumInterval: 200, mode: 'heartbeat' },
      3,
    );
    const types = await eventTypes(handle);
    assert.ok(types.includes('ACTIVITY_TASK_CANCEL_REQUESTED'));
    await recordHistory(handle, 'cancelled-mid-wait');
  });
});

describe('sparse mode (the default): polls inside watchJob, heartbeating as rarely as its timeout allows', () => {
  type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
  const watchCalls = (history: History) =>
    (history.events ?? []).flatMap((event) => {
      const scheduled = event.activityTaskScheduledEventAttributes;
      return scheduled?.activityType?.name === 'evoComputeWatchJob' ? [scheduled] : [];
    });

  test('hands back at each new status or step, writes nothing in between, and fetches the results in the attempt that saw the end', async () => {
    const handle = await start({
      parameters: { queuedMs: 3000, durationMs: 500 },
      poll: { initialInterval: 100, maximumInterval: 200 },
    });
    const { results } = await handle.result();
    assert.ok(results.echo);
    const history = await handle.fetchHistory();
    const types = await eventTypes(handle);
    const calls = watchCalls(history);
    // requested (the first poll), in progress and its steps, succeeded: one call each, at most.
    assert.ok(calls.length >= 2 && calls.length <= 13, `${calls.length} watchJob calls: ${types.join(' ')}`);
    for (const call of calls) {
      assert.equal(Number(call.heartbeatTimeout?.seconds), 27, 'max(30 s, 2 × interval) less 3 s');
    }
    const names = (history.events ?? []).flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    assert.equal(names.filter((name) => name === 'evoComputeGetJobResults').length, 0);
    assert.equal(types.filter((t) => t === 'TIMER_STARTED').length, 0);
    const view = (await handle.query('progress')) as { polls: number };
    assert.ok(view.polls >= calls.length + 10, `${view.polls} polls, ${calls.length} handed back`);
    await recordHistory(handle, 'sparse-mode');
  });

  test('cancelling the workflow mid-wait cancels the remote job at once, with one DELETE', async () => {
    const handle = await cancelAfterPolls({ initialInterval: 100, maximumInterval: 200, mode: 'sparse' }, 3);
    const types = await eventTypes(handle);
    assert.ok(types.includes('ACTIVITY_TASK_CANCEL_REQUESTED'));
    await recordHistory(handle, 'sparse-cancelled-mid-wait');
  });

  test('a call at a 30 s interval gets a 57 s heartbeat timeout', async () => {
    const handle = await start({
      parameters: { queuedMs: 60_000, durationMs: 1000, cancelDelayMs: 0 },
      poll: { initialInterval: '30s', mode: 'sparse' },
    });
    const calls = await waitFor('the watchJob call', async () => {
      const found = watchCalls(await handle.fetchHistory());
      return found.length > 0 ? found : undefined;
    });
    assert.equal(Number(calls[0]?.heartbeatTimeout?.seconds), 57);
    await handle.cancel();
    await handle.result().catch(() => undefined);
  });
});
