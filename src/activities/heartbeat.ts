import { Context } from '@temporalio/activity';

/** Heartbeat at least this often while an activity runs, even without a heartbeat timeout. */
const MAX_HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Runs `work` with the activity's cancellation signal while heartbeating, so that a hung request
 * on a live worker is noticed (heartbeat timeout) and a cancel reaches the request (cancellation is
 * delivered to activities through heartbeats). Heartbeats go out at a third of the heartbeat
 * timeout, each with the current `details()`; Temporal throttles what it sends to the server.
 *
 * The first goes out one interval after the start, not at it: the heartbeat timeout counts from the
 * start anyway, and each heartbeat that reaches the server is a billable action, so a request that
 * ends within the interval (nearly all of them) sends none.
 */
export async function withHeartbeats<T>(
  work: (signal: AbortSignal) => Promise<T>,
  details?: () => unknown,
): Promise<T> {
  const context = Context.current();
  // Local activities have no heartbeats: their cancellation reaches the signal directly.
  if (context.info.isLocal) return work(context.cancellationSignal);
  const timeout = context.info.heartbeatTimeoutMs;
  const interval = Math.min(
    MAX_HEARTBEAT_INTERVAL_MS,
    timeout ? Math.max(50, timeout / 3) : MAX_HEARTBEAT_INTERVAL_MS,
  );
  const beat = () => context.heartbeat(details?.());
  const timer = setInterval(beat, interval);
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
