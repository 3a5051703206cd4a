/**
 * `submitJob`: the one activity that is not safe to repeat, since the API has no idempotency key.
 *
 * Three guards keep a retry from creating a second job:
 * - the HTTP client turns every failure after which a job may exist (the connection broke after
 *   the request was sent, a 5xx other than 503) into the non-retryable `SubmitUnconfirmed`;
 * - an attempt that fails in a way that certainly created nothing (refused connection, 429, 503)
 *   heartbeats `not-sent` with its attempt number; Temporal keeps the last heartbeat with the
 *   failure. A retry submits only when its predecessor left that word. Anything else (the worker
 *   was killed or the attempt timed out, however early) means a POST may have gone out, and the
 *   retry refuses to submit again (`SubmitUnconfirmed`). The happy path sends no heartbeat at all
 *   (each one is a billable action); a POST still in flight after a third of the heartbeat timeout
 *   heartbeats `sending`, so that a hung request is noticed;
 * - the workflow runs it in a non-cancellable scope, so a cancel never abandons a POST half-way.
 *
 * Before any of that, a catalogue task's parameters are checked against its schema (a bad field is
 * `InvalidInput`, and nothing is sent), and a preview-only task is submitted in preview mode.
 */
import { Context } from '@temporalio/activity';
import type { ComputeApiClient } from '../api/compute-api-client';
import { ComputeApiError } from '../api/errors';
import { ComputeFailureType, computeFailure } from '../common/failures';
import { findCatalogueTask } from '../common/tasks/catalogue';
import type { JobRef, SubmitJobInput } from '../common/types';
import { checkTaskParameters } from '../tasks/validate';
import { toActivityFailure } from './failure';
import { withHeartbeats } from './heartbeat';

/** The heartbeat details of a submit attempt. */
export interface SubmitHeartbeat {
  submit: 'sending' | 'not-sent';
  /** The attempt that recorded it: a retry trusts only its own predecessor's `not-sent`. */
  attempt: number;
}

export async function submitJob(client: ComputeApiClient, input: SubmitJobInput<object>): Promise<JobRef> {
  const context = Context.current();
  const { attempt } = context.info;
  if (attempt > 1 && !certainlySentNothing(context.info.heartbeatDetails, attempt - 1)) {
    throw computeFailure(
      ComputeFailureType.SubmitUnconfirmed,
      `attempt ${attempt - 1} of this submit ended without recording that it sent nothing ` +
        '(its worker died or it timed out); a job may exist, so it is not submitted again',
      { attempt, topic: input.topic, task: input.task },
    );
  }
  const request = await catalogueRequest(input);
  const state: SubmitHeartbeat = { submit: 'sending', attempt };
  try {
    return await withHeartbeats(
      (signal) => client.submit(request, { signal }),
      () => state,
    );
  } catch (err) {
    if (err instanceof ComputeApiError && err.type !== ComputeFailureType.SubmitUnconfirmed) {
      state.submit = 'not-sent';
      context.heartbeat(state);
    }
    throw toActivityFailure(err);
  }
}

function certainlySentNothing(details: unknown, attempt: number): boolean {
  const beat = details as Partial<SubmitHeartbeat> | undefined;
  return beat?.submit === 'not-sent' && beat.attempt === attempt;
}

/**
 * The request for a catalogue task: its parameters checked against the task's schema, and preview
 * mode on when the task is preview-only. Other tasks pass as they are.
 */
async function catalogueRequest(input: SubmitJobInput<object>): Promise<SubmitJobInput<object>> {
  const task = findCatalogueTask(input.topic, input.task);
  if (!task) return input;
  const fields = await checkTaskParameters(input.topic, input.task, input.parameters);
  if (fields.length > 0) {
    throw computeFailure(
      ComputeFailureType.InvalidInput,
      `invalid parameters for ${input.topic}/${input.task}: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`,
      { topic: input.topic, task: input.task, fields },
    );
  }
  return task.preview && !input.preview ? { ...input, preview: true } : input;
}
