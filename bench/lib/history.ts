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

/** The activities that poll (retry, heartbeat and sparse modes); each call writes 6 events. */
const POLLING_ACTIVITIES = new Set([
  'evoComputeWaitForJob',
  'evoComputeWatchJob',
  'evoComputeCheckJobStatus',
]);

export interface HistoryAnalysis {
  events: number;
  types: string[];
  /** Indices of the `getJobStatus` local-activity markers: one per timer-mode status poll. */
  statusMarkers: number[];
  /** Times (epoch ms) of those markers. */
  statusMarkerTimes: number[];
  /** Event types of each complete poll cycle (one TIMER_STARTED up to the next). */
  cycles: string[][];
  /** Polling activities scheduled (`waitForJob`, `checkJobStatus`). */
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
    if (POLLING_ACTIVITIES.has(scheduled?.activityType?.name ?? '')) {
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

/** A reading the workflow recorded (a search-attribute upsert of status and progress), and when. */
export interface RecordedReading {
  status: string;
  progress: number;
  /** When the workflow task that recorded it completed: from then on the query answers with it. */
  visibleAt: number;
  /** When the poll that brought it ended: the activity's completion, or the start of the workflow task that ran the local-activity check. */
  polledAt: number;
}

/** Temporal Cloud billable actions of one run's history, by the published rules (docs/polling.md). */
export interface HistoryActions {
  workflowStarts: number;
  timers: number;
  /** Every attempt of every activity (the `attempt` of its started event). */
  activityAttempts: number;
  /** Workflow tasks with at least one local activity: all of a task's local activities are one action. */
  localActivityBatches: number;
  /** Upserts, less those that set only `TemporalChangeVersion`. */
  upserts: number;
  signals: number;
  /** Children started (the parent's intent; the child's own start is its `workflowStarts`). */
  childWorkflowStarts: number;
  /** Nexus operations scheduled and cancels requested, in the caller's history. */
  nexusOperations: number;
}

type OneActionKind = 'workflowStarts' | 'timers' | 'signals' | 'childWorkflowStarts' | 'nexusOperations';

/** The event types that are one billable action each, by the kind they count as. */
const ONE_ACTION_EVENTS: Readonly<Record<string, OneActionKind>> = {
  WORKFLOW_EXECUTION_STARTED: 'workflowStarts',
  TIMER_STARTED: 'timers',
  SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: 'signals',
  // Cloud counts a child's start as two: this intent, and the start (the child's first event).
  START_CHILD_WORKFLOW_EXECUTION_INITIATED: 'childWorkflowStarts',
  NEXUS_OPERATION_SCHEDULED: 'nexusOperations',
  NEXUS_OPERATION_CANCEL_REQUESTED: 'nexusOperations',
};

function noActions(): HistoryActions {
  return {
    workflowStarts: 0,
    timers: 0,
    activityAttempts: 0,
    localActivityBatches: 0,
    upserts: 0,
    signals: 0,
    childWorkflowStarts: 0,
    nexusOperations: 0,
  };
}

export interface HistoryCosts {
  actions: HistoryActions;
  readings: RecordedReading[];
  /** [started, closed] of each activity attempt that ended the activity (epoch ms). */
  activitySpans: [number, number][];
}

function decodePayload(payload: { data?: Uint8Array | null } | null | undefined): unknown {
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function historyCosts(events: readonly HistoryEvent[]): HistoryCosts {
  const actions = noActions();
  const readings: RecordedReading[] = [];
  const activitySpans: [number, number][] = [];
  const startedBy = new Map<string, number>();
  let lastDelivery: number | undefined;
  let lastTaskStarted = 0;
  let batchCounted = false;
  for (const event of events) {
    const type = typeName(event);
    const at = millis(event.eventTime);
    const kind = ONE_ACTION_EVENTS[type];
    if (kind) actions[kind]++;
    if (type === 'WORKFLOW_TASK_STARTED') {
      lastTaskStarted = at;
      batchCounted = false;
    }
    if (localActivityType(event) !== undefined && !batchCounted) {
      actions.localActivityBatches++;
      batchCounted = true;
      lastDelivery = lastTaskStarted;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      actions.activityAttempts += Math.max(1, started.attempt ?? 1);
      startedBy.set(String(started.scheduledEventId), at);
    }
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (closed) {
      const from = startedBy.get(String(closed.scheduledEventId));
      if (from !== undefined) activitySpans.push([from, at]);
      if (event.activityTaskCompletedEventAttributes) lastDelivery = at;
    }
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const fields = upsert.searchAttributes?.indexedFields ?? {};
      const keys = Object.keys(fields);
      if (keys.some((key) => key !== 'TemporalChangeVersion')) actions.upserts++;
      const status = decodePayload(fields.EvoComputeStatus);
      // Readings only: the upsert with the job's identity records what the submit said, not a poll.
      if (typeof status === 'string' && !keys.includes('EvoComputeJobId') && lastDelivery !== undefined) {
        const progress = decodePayload(fields.EvoComputeProgress);
        readings.push({
          status,
          progress: typeof progress === 'number' ? progress : 0,
          visibleAt: at,
          polledAt: lastDelivery,
        });
      }
    }
  }
  return { actions, readings, activitySpans };
}

export function totalActions(actions: HistoryActions): number {
  return Object.values(actions).reduce((sum, n) => sum + n, 0);
}

/** When each step from a workflow's start to its job's submit happened (epoch ms), from its first run. */
export interface SubmitSteps {
  started: number;
  /** The first workflow task started: a worker picked the workflow up. */
  firstTaskStarted?: number;
  submitScheduled?: number;
  submitStarted?: number;
  submitCompleted?: number;
}

export function submitSteps(events: readonly HistoryEvent[]): SubmitSteps {
  const steps: SubmitSteps = { started: millis(events[0]?.eventTime) };
  let submitId: string | undefined;
  for (const event of events) {
    const at = millis(event.eventTime);
    if (steps.firstTaskStarted === undefined && typeName(event) === 'WORKFLOW_TASK_STARTED') {
      steps.firstTaskStarted = at;
    }
    if (
      submitId === undefined &&
      event.activityTaskScheduledEventAttributes?.activityType?.name === 'evoComputeSubmitJob'
    ) {
      submitId = String(event.eventId);
      steps.submitScheduled = at;
    }
    if (submitId === undefined) continue;
    if (String(event.activityTaskStartedEventAttributes?.scheduledEventId) === submitId)
      steps.submitStarted = at;
    if (String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === submitId) {
      steps.submitCompleted = at;
      break;
    }
  }
  return steps;
}

/** What a workflow's history recorded between two instants (event times in [from, to)). */
export interface WindowCosts {
  events: number;
  /** Readings recorded (search-attribute upserts of a new status or 10 % step). */
  readings: number;
  /** Polling activities (`checkJobStatus`, `waitForJob`) scheduled: each a reading handed back before it. */
  pollingCallsScheduled: number;
  /** Billable actions the history shows, polling activities' attempts left out (they are counted elsewhere). */
  actions: Omit<HistoryActions, 'activityAttempts'> & { otherActivityAttempts: number };
}

export function windowCosts(events: readonly HistoryEvent[], from: number, to: number): WindowCosts {
  const inWindow = (at: number) => at >= from && at < to;
  // Polling activities' attempts are counted elsewhere; the others' go to otherActivityAttempts.
  const { activityAttempts: _polling, ...countedInWindow } = noActions();
  const costs: WindowCosts = {
    events: 0,
    readings: 0,
    pollingCallsScheduled: 0,
    actions: { ...countedInWindow, otherActivityAttempts: 0 },
  };
  const pollingIds = new Set<string>();
  let batchCounted = true;
  for (const event of events) {
    const type = typeName(event);
    const at = millis(event.eventTime);
    const scheduled = event.activityTaskScheduledEventAttributes;
    const polling = POLLING_ACTIVITIES.has(scheduled?.activityType?.name ?? '');
    if (polling) pollingIds.add(String(event.eventId));
    const started = event.activityTaskStartedEventAttributes;
    if (type === 'WORKFLOW_TASK_STARTED') batchCounted = false;
    if (!inWindow(at)) continue;
    costs.events++;
    if (polling) costs.pollingCallsScheduled++;
    const kind = ONE_ACTION_EVENTS[type];
    if (kind) costs.actions[kind]++;
    if (localActivityType(event) !== undefined && !batchCounted) {
      costs.actions.localActivityBatches++;
      batchCounted = true;
    }
    if (started && !pollingIds.has(String(started.scheduledEventId))) {
      costs.actions.otherActivityAttempts += Math.max(1, started.attempt ?? 1);
    }
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const fields = upsert.searchAttributes?.indexedFields ?? {};
      const keys = Object.keys(fields);
      if (keys.some((key) => key !== 'TemporalChangeVersion')) costs.actions.upserts++;
      if (typeof decodePayload(fields.EvoComputeStatus) === 'string' && !keys.includes('EvoComputeJobId')) {
        costs.readings++;
      }
    }
  }
  return costs;
}

/**
 * The workflow a caller ran its job in and when the caller's history recorded each step (epoch ms):
 * a child (`START_CHILD_WORKFLOW_EXECUTION_INITIATED` …) or a Nexus operation whose handler started
 * a workflow (`NEXUS_OPERATION_SCHEDULED` …; the started event links to that workflow).
 */
export interface CallerSteps {
  /** The workflow that ran the job: the child, or the Nexus handler's. */
  calleeWorkflowId: string;
  started: number;
  firstTaskStarted?: number;
  /** The command to start the child or the operation was recorded. */
  calleeScheduled?: number;
  /** The caller heard that the child or the operation started. */
  calleeStarted?: number;
  /** The caller heard how the child or the operation ended. */
  calleeClosed?: number;
  closed?: number;
}

export function callerSteps(events: readonly HistoryEvent[]): CallerSteps {
  let calleeWorkflowId: string | undefined;
  const steps: Omit<CallerSteps, 'calleeWorkflowId'> = { started: millis(events[0]?.eventTime) };
  for (const event of events) {
    const at = millis(event.eventTime);
    const type = typeName(event);
    if (steps.firstTaskStarted === undefined && type === 'WORKFLOW_TASK_STARTED') steps.firstTaskStarted = at;
    if (type === 'START_CHILD_WORKFLOW_EXECUTION_INITIATED' || type === 'NEXUS_OPERATION_SCHEDULED') {
      steps.calleeScheduled ??= at;
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    const handler = event.nexusOperationStartedEventAttributes
      ? event.links?.find((link) => link.workflowEvent)?.workflowEvent?.workflowId
      : undefined;
    if (child || handler) {
      calleeWorkflowId ??= child ?? handler ?? undefined;
      steps.calleeStarted ??= at;
    }
    if (
      event.childWorkflowExecutionCompletedEventAttributes ||
      event.childWorkflowExecutionFailedEventAttributes ||
      event.childWorkflowExecutionCanceledEventAttributes ||
      event.childWorkflowExecutionTimedOutEventAttributes ||
      event.childWorkflowExecutionTerminatedEventAttributes ||
      event.nexusOperationCompletedEventAttributes ||
      event.nexusOperationFailedEventAttributes ||
      event.nexusOperationCanceledEventAttributes ||
      event.nexusOperationTimedOutEventAttributes
    ) {
      steps.calleeClosed ??= at;
    }
  }
  if (!calleeWorkflowId) throw new Error('the caller history names no child or Nexus handler workflow');
  const last = events.at(-1);
  if (last && typeName(last).startsWith('WORKFLOW_EXECUTION_')) steps.closed = millis(last.eventTime);
  return { calleeWorkflowId, ...steps };
}
