import { ComputeApiError } from '../api/errors';
import { computeFailure } from '../common/failures';

/**
 * Turns the HTTP client's errors into the `ApplicationFailure`s Temporal sees: the same `type`,
 * non-retryable where the failure table says so, `nextRetryDelay` from `Retry-After`, and the HTTP
 * status / problem object as details. Anything else (activity cancellation included) passes as it is.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof ComputeApiError)) return err;
  return computeFailure(err.type, err.message, err.toDetails(), { nextRetryDelay: err.retryAfterMs });
}
