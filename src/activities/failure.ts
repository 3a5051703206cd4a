import { ComputeApiError } from '../api/errors';
import { computeFailure, RETRYABLE_FAILURE_TYPES } from '../common/failures';

/**
 * Turns the HTTP client's errors into the `ApplicationFailure`s Temporal sees: the same `type`,
 * non-retryable where the failure table says so, `nextRetryDelay` from `Retry-After`, and the HTTP
 * status / problem object as details. Anything else (activity cancellation included) passes as it is.
 *
 * `retryDelayMs`, when given, is the caller's own wait before a retryable failure is tried again
 * (`retry` polling: the schedule's next interval); `Retry-After` still wins when it asks for longer.
 */
export function toActivityFailure(err: unknown, retryDelayMs?: number): unknown {
  if (!(err instanceof ComputeApiError)) return err;
  const ownDelay = RETRYABLE_FAILURE_TYPES.has(err.type) ? retryDelayMs : undefined;
  const nextRetryDelay =
    ownDelay === undefined ? err.retryAfterMs : Math.max(ownDelay, err.retryAfterMs ?? 0);
  return computeFailure(err.type, err.message, err.toDetails(), { nextRetryDelay });
}
