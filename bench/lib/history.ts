/**
 * Reading `runComputeJob` histories: event type names, status polls (local-activity markers of
 * `getJobStatus`), the poll cycles between timers, `waitForJob` activities, and every run of a
 * workflow that continued as new.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export function typeName(event: HistoryEvent): string {
  return String(temporal.api.enums.v1.EventType[event.eventType ?? 0]).replace(/^EVENT_TYPE_/, '');
}

function millis(time: HistoryEvent['eventTime']): number {
  if (!time) return 0;
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

function durationMs(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!duration) return 0;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}

/** The activity type of a local-activity marker, if the event is one. */
function localActivityType(event: HistoryEvent): string | undefined {
  const attributes = event.markerRecordedEventAttributes;
  if (attributes?.markerName !== 'core_local_activity') return undefined;
  const data = attributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
    return parsed.activity_type;
  } catch {
    return undefined;
  }
}

export interface HistoryAnalysis {
  events: number;
  types: string[];
  /** Indices of the `getJobStatus` local-activity markers: one per timer-mode status poll. */
  statusMarkers: number[];
  /** Times (epoch ms) of those markers. */
  statusMarkerTimes: number[];
  /** Event types of each complete poll cycle (one TIMER_STARTED up to the next). */
  cycles: string[][];
  /** `waitForJob` activities scheduled. */
  waitForJobCalls: number;
  /** Duration of the last timer started, ms (the poll interval in force at the end), if any. */
  lastTimerMs?: number;
  /** Close time of the last `waitForJob` activity (epoch ms), if any. */
  lastWaitForJobEnd?: number;
  /** Start of the first `waitForJob` attempt (epoch ms), if any. */
  firstWaitForJobStart?: number;
  closeTime?: number;
  /** Search attributes each upsert set, e.g. `EvoComputeStatus,EvoComputeProgress`. */
  upserts: string[];
}

export function analyze(events: readonly HistoryEvent[]): HistoryAnalysis {
  const types = events.map(typeName);
  const statusMarkers: number[] = [];
  const statusMarkerTimes: number[] = [];
  let waitForJobCalls = 0;
  const waitScheduledIds = new Set<string>();
  let lastTimerMs: number | undefined;
  let lastWaitForJobEnd: number | undefined;
  let firstWaitForJobStart: number | undefined;
  const upserts: string[] = [];
  events.forEach((event, index) => {
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) upserts.push(Object.keys(upsert.searchAttributes?.indexedFields ?? {}).join(','));
    if (localActivityType(event) === 'evoComputeGetJobStatus') {
      statusMarkers.push(index);
      statusMarkerTimes.push(millis(event.eventTime));
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'evoComputeWaitForJob') {
      waitForJobCalls++;
      waitScheduledIds.add(String(event.eventId));
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started && waitScheduledIds.has(String(started.scheduledEventId))) {
      firstWaitForJobStart ??= millis(event.eventTime);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && waitScheduledIds.has(String(completed.scheduledEventId))) {
      lastWaitForJobEnd = millis(event.eventTime);
    }
    const timer = event.timerStartedEventAttributes;
    if (timer) lastTimerMs = durationMs(timer.startToFireTimeout);
  });
  const starts = types.flatMap((type, index) => (type === 'TIMER_STARTED' ? [index] : []));
  const cycles = starts.slice(0, -1).map((start, i) => types.slice(start, starts[i + 1]));
  const last = events.at(-1);
  return {
    events: events.length,
    types,
    statusMarkers,
    statusMarkerTimes,
    cycles,
    waitForJobCalls,
    lastTimerMs,
    lastWaitForJobEnd,
    firstWaitForJobStart,
    upserts,
    closeTime: last && typeName(last).startsWith('WORKFLOW_EXECUTION_') ? millis(last.eventTime) : undefined,
  };
}

/** The events of every run of a workflow (it may have continued as new), oldest run first. */
export async function allRuns(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}

/** Cycle shapes and how often each occurs, most frequent first. */
export function cycleShapes(cycles: readonly string[][]): { shape: string[]; count: number }[] {
  const byKey = new Map<string, { shape: string[]; count: number }>();
  for (const cycle of cycles) {
    const key = cycle.join(' ');
    const entry = byKey.get(key) ?? { shape: cycle, count: 0 };
    entry.count++;
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count);
}
