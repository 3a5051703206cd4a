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
 *
 * A `SubmitUnconfirmed` says what an operator needs to look for the job it may have left behind
 * (`unconfirmedDetails`): org, topic and task, the window in which the POST went out and was given
 * up, the parameters' digest, and the attempt that sent it.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ComputeApiClient } from '../api/compute-api-client';
import { ComputeApiError } from '../api/errors';
import { type ComputeFailureDetails, ComputeFailureType, computeFailure } from '../common/failures';
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
  /** When that attempt began its POST (ISO 8601): any job it created was created after this. */
  sentAt: string;
}

export async function submitJob(client: ComputeApiClient, input: SubmitJobInput<object>): Promise<JobRef> {
  const context = Context.current();
  const { attempt } = context.info;
  if (attempt > 1) {
    const beat = context.info.heartbeatDetails as Partial<SubmitHeartbeat> | undefined;
    if (!(beat?.submit === 'not-sent' && beat.attempt === attempt - 1)) {
      // The last word is the predecessor's own `sending` (when it began its POST), or an older
      // attempt's, or none (then the activity's first scheduling is the earliest bound there is).
      const sentAt =
        typeof beat?.sentAt === 'string'
          ? beat.sentAt
          : new Date(context.info.scheduledTimestampMs).toISOString();
      throw computeFailure(
        ComputeFailureType.SubmitUnconfirmed,
        `attempt ${attempt - 1} of this submit ended without recording that it sent nothing ` +
          '(its worker died or it timed out); a job may exist, so it is not submitted again',
        unconfirmedDetails(input, { attempt: attempt - 1, sentAt }),
      );
    }
  }
  const request = await catalogueRequest(input);
  const state: SubmitHeartbeat = { submit: 'sending', attempt, sentAt: new Date().toISOString() };
  try {
    return await withHeartbeats(
      (signal) => client.submit(request, { signal }),
      () => state,
    );
  } catch (err) {
    if (!(err instanceof ComputeApiError)) throw toActivityFailure(err);
    if (err.type === ComputeFailureType.SubmitUnconfirmed) {
      throw computeFailure(err.type, err.message, {
        ...err.toDetails(),
        ...unconfirmedDetails(input, { attempt, sentAt: state.sentAt }),
      });
    }
    state.submit = 'not-sent';
    context.heartbeat(state);
    throw toActivityFailure(err);
  }
}

/**
 * What a `SubmitUnconfirmed` tells an operator, to find a job that may exist: in which org and for
 * which task, the window in which it would have been created (from `sentAt`, when the POST began,
 * to `givenUpAt`, now), the digest of its parameters, and the attempt that sent it.
 */
function unconfirmedDetails(
  input: SubmitJobInput<object>,
  post: { attempt: number; sentAt: string },
): ComputeFailureDetails {
  return {
    orgId: input.orgId,
    topic: input.topic,
    task: input.task,
    attempt: post.attempt,
    sentAt: post.sentAt,
    givenUpAt: new Date().toISOString(),
    parametersSha256: parametersSha256(input.parameters),
  };
}

/**
 * SHA-256, in lower-case hex, of the parameters as sent, in canonical JSON (RFC 8785, the JSON
 * Canonicalization Scheme): object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers as `JSON.stringify` writes them. The same parameters give the same digest whatever the
 * order of their keys, so an operator can match a job found in Evo against it.
 */
export function parametersSha256(parameters: object): string {
  // Through JSON first: exactly what the POST carried (no `undefined`, `toJSON` applied).
  return createHash('sha256')
    .update(canonicalJson(JSON.parse(JSON.stringify(parameters))))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
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
