/**
 * Driving many workflows from the bench: starting them in parallel batches, waiting for them to
 * close, and cancelling them all (which must cancel their remote jobs). The workflows of the bench's
 * own (callers of `runComputeJob`) are in caller-workflows.ts, the workflow code a worker bundles.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunComputeJobInput } from '../../src/common/types';
import type { ComputeEmulator } from '../../src/emulator';
import { delay } from './children';
import { mapLimit } from './context';

/** Runs `start(0)` … `start(count - 1)`, `batch` at a time (each batch in parallel), in order. */
export async function inBatches(
  count: number,
  batch: number,
  start: (index: number) => Promise<unknown>,
): Promise<void> {
  for (let from = 0; from < count; from += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - from) }, (_, offset) => start(from + offset)),
    );
  }
}

/** Starts one `runComputeJob` per id, `batch` at a time (each batch in parallel), in order. */
export async function startInBatches(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  workflowIds: readonly string[],
  batch: number,
  inputOf: (index: number) => RunComputeJobInput,
): Promise<void> {
  await inBatches(workflowIds.length, batch, (index) =>
    env.client.workflow.start('runComputeJob', {
      taskQueue,
      workflowId: workflowIds[index] as string,
      args: [inputOf(index)],
    }),
  );
}

/**
 * Waits until the emulator has answered a results request for `count` jobs (so all have ended),
 * watching the emulator only: describing every open workflow meanwhile would load the server.
 */
export async function waitForResultsFetched(
  emulator: ComputeEmulator,
  count: number,
  deadline: number,
  log: (message: string) => void,
): Promise<void> {
  let lastReport = 0;
  for (;;) {
    const fetched = emulator.jobs().filter((job) => job.resultsRequests > 0).length;
    if (fetched >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${fetched} of ${count} jobs had their results fetched`);
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`${fetched}/${count} jobs done, ${emulator.counts.GET} GETs so far`);
    }
    await delay(1000);
  }
}

export interface ClosedWorkflow {
  closedAt: number;
  startedAt: number;
  /** Its status name, e.g. `COMPLETED`, `CANCELLED`. */
  status: string;
}

/**
 * Waits until every workflow has closed (describe() has a close time), failing after `deadline`
 * (epoch ms). `env`: a test environment, or any client (of another namespace) as `{ client }`.
 */
export async function waitForClose(
  env: { client: Client },
  workflowIds: readonly string[],
  deadline: number,
): Promise<Map<string, ClosedWorkflow>> {
  const closed = new Map<string, ClosedWorkflow>();
  while (closed.size < workflowIds.length) {
    if (Date.now() > deadline)
      throw new Error(`only ${closed.size} of ${workflowIds.length} workflows closed`);
    await mapLimit(
      workflowIds.filter((id) => !closed.has(id)),
      50,
      async (workflowId) => {
        const description = await env.client.workflow.getHandle(workflowId).describe();
        if (description.closeTime) {
          closed.set(workflowId, {
            closedAt: description.closeTime.getTime(),
            startedAt: description.startTime.getTime(),
            status: description.status.name,
          });
        }
      },
    );
    if (closed.size < workflowIds.length) await delay(500);
  }
  return closed;
}

/**
 * Cancels every workflow, waits for all to close as cancelled, then checks that the emulator has
 * no job left running: a cancelled workflow must cancel its remote job. Throws otherwise.
 */
export async function cancelAll(
  env: TestWorkflowEnvironment,
  emulator: ComputeEmulator,
  workflowIds: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await mapLimit(workflowIds, 50, (workflowId) => env.client.workflow.getHandle(workflowId).cancel());
  const closed = await waitForClose(env, workflowIds, deadline);
  const notCancelled = [...closed.values()].filter((c) => c.status !== 'CANCELLED').length;
  if (notCancelled > 0) throw new Error(`${notCancelled} workflows closed other than as cancelled`);
  for (;;) {
    const running = emulator.jobs().filter((job) => job.status !== 'cancelled').length;
    if (running === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${running} remote jobs not cancelled after their workflows were`);
    await delay(200);
  }
}

/**
 * Activity attempts running right now (pending activities in state STARTED, from describe()): the
 * activity slots the workflows hold on workers. An activity waiting for its retry holds none.
 */
export async function heldActivitySlots(
  env: TestWorkflowEnvironment,
  workflowIds: readonly string[],
): Promise<number> {
  const counts = await mapLimit(workflowIds, 50, async (workflowId) => {
    const description = await env.client.workflow.getHandle(workflowId).describe();
    return (description.raw.pendingActivities ?? []).filter(
      (activity) =>
        activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    ).length;
  });
  return counts.reduce((sum, n) => sum + n, 0);
}
