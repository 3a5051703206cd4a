import { ApplicationFailure, type ApplicationFailureCategory } from '@temporalio/common';
import type { JobProgress, JobRef, Problem } from './types';

/**
 * The failure types of this package. Activities throw `ApplicationFailure`s with these `type`s and
 * the workflow fails with them; orchestration code matches on them. Stable: renaming one is a
 * breaking change.
 */
export const ComputeFailureType = {
  /**
   * Input no request should be made with: bad IDs, an empty topic or task, parameters that are not
   * a JSON object (or not the task's schema), and any malformed workflow input (the message names
   * the field). Not retried.
   */
  InvalidInput: 'InvalidInput',
  /** HTTP 400. Not retried. */
  BadRequest: 'BadRequest',
  /** HTTP 401 even after one token refresh. Not retried. */
  Unauthorized: 'Unauthorized',
  /** HTTP 403. Not retried. */
  Forbidden: 'Forbidden',
  /** HTTP 404. Not retried. */
  NotFound: 'NotFound',
  /** HTTP 410. Not retried. */
  Gone: 'Gone',
  /** HTTP 429. Retried, after `Retry-After` when the service sends one. */
  RateLimited: 'RateLimited',
  /** HTTP 5xx. Retried (503 honours `Retry-After`). */
  ServerError: 'ServerError',
  /** Another 4xx. Not retried. */
  ApiError: 'ApiError',
  /** The access token function threw or returned nothing. Retried. */
  AccessTokenUnavailable: 'AccessTokenUnavailable',
  /** Connection refused or reset, DNS failure, connect/headers/body timeout. Retried. */
  NetworkError: 'NetworkError',
  /** Missing or foreign `Location`, a body that does not match the schema, a cancelled job's results. Not retried. */
  UnknownResponse: 'UnknownResponse',
  /** Results asked for while the job is still going (202). Retried. */
  JobPending: 'JobPending',
  /** The job failed; details carry its problem object. Not retried. */
  JobFailed: 'JobFailed',
  /** The remote job was cancelled by someone else. Not retried. */
  JobCancelled: 'JobCancelled',
  /** `timeout` elapsed; the remote job was cancelled. Not retried. */
  JobTimedOut: 'JobTimedOut',
  /**
   * A submit whose outcome is unknown: the request may have reached the service (the connection
   * broke after it was sent, a 5xx other than 503, or an earlier attempt died mid-request). Not
   * retried, because retrying could start a second job. Details carry what is known.
   */
  SubmitUnconfirmed: 'SubmitUnconfirmed',
  /**
   * The results of a succeeded job are larger than Temporal can carry (`RESULTS_LIMIT_BYTES`).
   * Downloaded once, not retried: the job's results stay on the service, at the URL in the details.
   */
  ResultsTooLarge: 'ResultsTooLarge',
  /**
   * Not a failure: `retry` polling's wait between two polls of a job with nothing new to record.
   * BENIGN (no error log, no failure metric); retried after the next interval of the poll schedule.
   * Details carry the latest reading. Never reaches the workflow.
   */
  JobStillRunning: 'JobStillRunning',
} as const;

export type ComputeFailureType = (typeof ComputeFailureType)[keyof typeof ComputeFailureType];

/** Whether Temporal retries an activity failure of this type (the activities' default classification). */
export const RETRYABLE_FAILURE_TYPES: ReadonlySet<ComputeFailureType> = new Set<ComputeFailureType>([
  ComputeFailureType.RateLimited,
  ComputeFailureType.ServerError,
  ComputeFailureType.NetworkError,
  ComputeFailureType.JobPending,
  ComputeFailureType.AccessTokenUnavailable,
  ComputeFailureType.JobStillRunning,
]);

/** Every failure type, for retry policies' `nonRetryableErrorTypes` and for documentation. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly ComputeFailureType[] = Object.values(
  ComputeFailureType,
).filter((type) => !RETRYABLE_FAILURE_TYPES.has(type));

/**
 * Temporal refuses payloads over 2 MiB by default (the server's `limit.blobSize.error`). Results
 * larger than this leave room for the job reference and the encoding around them.
 */
export const RESULTS_LIMIT_BYTES = 2 * 1024 * 1024 - 64 * 1024;

/**
 * What a failure of this package carries as its one detail. Every field is optional: each failure
 * type fills in what it knows.
 */
export interface ComputeFailureDetails {
  /** The job the failure is about, once it is known. */
  job?: JobRef;
  /** The problem object of a failed job or of a refused request. */
  problem?: Problem;
  /** The job's last status reading (`JobTimedOut`). */
  status?: JobProgress;
  /** The HTTP status of the response that caused the failure. */
  httpStatus?: number;
  /** What the service asked to wait before trying again (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** An excerpt of a response body that could not be understood. */
  body?: string;
  /** `ResultsTooLarge`: the size of the results and the limit, in bytes. */
  sizeBytes?: number;
  limitBytes?: number;
  /**
   * `SubmitUnconfirmed`: the attempt whose POST may have created a job. With `orgId`, `topic`,
   * `task`, `sentAt`, `givenUpAt` and `parametersSha256`, what an operator needs to look for it.
   */
  attempt?: number;
  orgId?: string;
  topic?: string;
  task?: string;
  /**
   * `SubmitUnconfirmed`: when that POST began (ISO 8601). When its attempt died without a word,
   * the earliest it can have begun: the activity's first scheduling.
   */
  sentAt?: string;
  /**
   * `SubmitUnconfirmed`: when the submit was given up (ISO 8601): its attempt failed, or the next
   * attempt found that it had died or timed out.
   */
  givenUpAt?: string;
  /** `SubmitUnconfirmed`: SHA-256 (hex) of the parameters in canonical JSON (RFC 8785); see docs/failures-and-input.md. */
  parametersSha256?: string;
  /** `InvalidInput` for a catalogue task's parameters: every offending field (JSON path) and why. */
  fields?: { path: string; message: string }[];
  /** The remote job was cancelled before the workflow failed, so that it does not run on unattended. */
  remoteJobCancelled?: boolean;
  /** `JobStillRunning`: the status polls made so far (with `status`, the latest reading). */
  polls?: number;
}

/** A typed failure read back from an error: its type, message and details. */
export interface ComputeFailure {
  type: ComputeFailureType;
  message: string;
  details: ComputeFailureDetails;
}

export function isComputeFailureType(value: unknown): value is ComputeFailureType {
  return typeof value === 'string' && Object.hasOwn(ComputeFailureType, value);
}

/**
 * The one way this package raises a failure: an `ApplicationFailure` of `type`, retryable only when
 * `RETRYABLE_FAILURE_TYPES` says so (`nonRetryable` overrides it: a workflow's own failure is
 * final), with `details` as its single detail.
 */
export function computeFailure(
  type: ComputeFailureType,
  message: string,
  details: ComputeFailureDetails = {},
  options: {
    nonRetryable?: boolean;
    nextRetryDelay?: number;
    cause?: Error;
    category?: ApplicationFailureCategory;
  } = {},
): ApplicationFailure {
  const facts = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: options.nonRetryable ?? !RETRYABLE_FAILURE_TYPES.has(type),
    details: Object.keys(facts).length > 0 ? [facts] : undefined,
    nextRetryDelay: options.nextRetryDelay,
    cause: options.cause,
    category: options.category,
  });
}

/**
 * The message of a failed job: its id and the problem's type (a URI), never the problem's title or
 * detail. A failure's message is stored in plain text under any payload codec (unless the failure
 * converter has `encodeCommonAttributes`), and a service's problem text may quote the parameters;
 * the problem object itself is in the details, which the codec encodes.
 */
export function jobFailedMessage(jobId: string, problem?: Pick<Problem, 'type'>): string {
  return `job ${jobId} failed${problem ? ` (problem ${problem.type}; its title and detail are in the details)` : ''}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMBER_FIELDS = ['httpStatus', 'retryAfterMs', 'sizeBytes', 'limitBytes', 'attempt', 'polls'] as const;
const STRING_FIELDS = ['body', 'orgId', 'topic', 'task', 'sentAt', 'givenUpAt', 'parametersSha256'] as const;

/** The details of a failure, keeping only fields of the expected shape (they come from history). */
function readDetails(raw: unknown): ComputeFailureDetails {
  if (!isObject(raw)) return {};
  const details: ComputeFailureDetails = {};
  if (isObject(raw.job) && typeof raw.job.jobId === 'string') details.job = raw.job as unknown as JobRef;
  if (isObject(raw.problem) && typeof raw.problem.title === 'string') {
    details.problem = raw.problem as unknown as Problem;
  }
  if (isObject(raw.status) && typeof raw.status.status === 'string') {
    details.status = raw.status as unknown as JobProgress;
  }
  for (const field of NUMBER_FIELDS) {
    const value = raw[field];
    if (typeof value === 'number') details[field] = value;
  }
  for (const field of STRING_FIELDS) {
    const value = raw[field];
    if (typeof value === 'string') details[field] = value;
  }
  if (Array.isArray(raw.fields)) {
    details.fields = raw.fields.filter(
      (field): field is { path: string; message: string } =>
        isObject(field) && typeof field.path === 'string' && typeof field.message === 'string',
    );
  }
  if (typeof raw.remoteJobCancelled === 'boolean') details.remoteJobCancelled = raw.remoteJobCancelled;
  return details;
}

/**
 * Reads a failure of this package back from any error that carries one: the `ApplicationFailure`
 * itself, or one wrapped by an activity, a child workflow or a failed workflow (`err.cause…`).
 * The outermost typed failure wins. Undefined when there is none.
 */
export function readComputeFailure(err: unknown): ComputeFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof ApplicationFailure && isComputeFailureType(current.type)) {
      return { type: current.type, message: current.message, details: readDetails(current.details?.[0]) };
    }
    current = current.cause;
  }
  return undefined;
}
