import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** The event types of a workflow's history, as proto enum names without the prefix: `TIMER_FIRED`, `MARKER_RECORDED`. */
export async function eventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((event) =>
    String(temporal.api.enums.v1.EventType[event.eventType ?? 0]).replace(/^EVENT_TYPE_/, ''),
  );
}

/**
 * Splits a history at each `TIMER_STARTED` and returns the events of every complete poll cycle
 * (from one TIMER_STARTED up to, not including, the next): what one timer-mode poll costs.
 */
export function pollCycles(types: string[]): string[][] {
  const starts = types.flatMap((type, index) => (type === 'TIMER_STARTED' ? [index] : []));
  return starts.slice(0, -1).map((start, i) => types.slice(start, starts[i + 1]));
}
