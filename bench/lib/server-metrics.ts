/**
 * What the dev server counted (its Prometheus endpoint, `--metrics-port`): the heartbeats and the
 * activity failures it received. Heartbeats leave no trace in history, yet each one that reaches the
 * server is a billable action on Temporal Cloud; the bench counts them here.
 */
export interface ServerMetrics {
  /** `RecordActivityTaskHeartbeat` requests. */
  heartbeats: number;
  /** `RespondActivityTaskFailed` requests (each a failed attempt: in `retry` mode, a poll). */
  activityFailures: number;
}

/**
 * The requests the frontend received for `operation`. The dev server runs every service in one
 * process, and the history (or matching) service counts the same request again under its own
 * `service_name`: only the frontend's count is one per client request.
 */
function sumRequests(text: string, operation: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('service_requests{') || !line.includes(`operation="${operation}"`)) continue;
    if (!line.includes('service_name="frontend"')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export async function scrapeServerMetrics(url: string): Promise<ServerMetrics> {
  const text = await (await fetch(url)).text();
  return {
    heartbeats: sumRequests(text, 'RecordActivityTaskHeartbeat'),
    activityFailures: sumRequests(text, 'RespondActivityTaskFailed'),
  };
}
