/**
 * The failure types of this package. Activities throw `ApplicationFailure`s with these `type`s and
 * the workflow fails with them; orchestration code matches on them. Stable: renaming one is a
 * breaking change.
 */
export const ComputeFailureType = {
  /** Bad IDs, empty topic/task, parameters that are not a JSON object. Not retried. */
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
} as const;

export type ComputeFailureType = (typeof ComputeFailureType)[keyof typeof ComputeFailureType];

/** Whether Temporal retries an activity failure of this type (the activities' default classification). */
export const RETRYABLE_FAILURE_TYPES: ReadonlySet<ComputeFailureType> = new Set<ComputeFailureType>([
  ComputeFailureType.RateLimited,
  ComputeFailureType.ServerError,
  ComputeFailureType.NetworkError,
  ComputeFailureType.JobPending,
  ComputeFailureType.AccessTokenUnavailable,
]);

/** Every failure type, for retry policies' `nonRetryableErrorTypes` and for documentation. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly ComputeFailureType[] = Object.values(
  ComputeFailureType,
).filter((type) => !RETRYABLE_FAILURE_TYPES.has(type));
