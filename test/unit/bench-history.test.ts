/**
 * The bench's reading of caller histories: the billable actions of a child's start and of a Nexus
 * operation (Temporal Cloud's rules, docs/polling.md), and the callee each caller names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { callerSteps, historyCosts, totalActions } from '../../bench/lib/history';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** An event type without its `EVENT_TYPE_` prefix, as the bench names them. */
type Short<T> = T extends `EVENT_TYPE_${infer Name}` ? Name : never;
type EventName = Short<keyof typeof EventType>;

/** A history of these events, one second apart from epoch 1,000 s (decoded as the client decodes them). */
function history(...events: [EventName, Record<string, unknown>?][]): HistoryEvent[] {
  return events.map(([type, attributes], index) =>
    temporal.api.history.v1.HistoryEvent.fromObject({
      eventType: `EVENT_TYPE_${type}`,
      eventTime: { seconds: 1000 + index },
      ...attributes,
    }),
  );
}

/** One workflow task: scheduled, started, completed. */
const task = (): [EventName][] => [
  ['WORKFLOW_TASK_SCHEDULED'],
  ['WORKFLOW_TASK_STARTED'],
  ['WORKFLOW_TASK_COMPLETED'],
];

test('a child caller: its start and the intent to start the child are its two actions', () => {
  const events = history(
    ['WORKFLOW_EXECUTION_STARTED', { workflowExecutionStartedEventAttributes: {} }],
    ...task(),
    ['START_CHILD_WORKFLOW_EXECUTION_INITIATED', { startChildWorkflowExecutionInitiatedEventAttributes: {} }],
    [
      'CHILD_WORKFLOW_EXECUTION_STARTED',
      { childWorkflowExecutionStartedEventAttributes: { workflowExecution: { workflowId: 'the-child' } } },
    ],
    ...task(),
    ['CHILD_WORKFLOW_EXECUTION_COMPLETED', { childWorkflowExecutionCompletedEventAttributes: {} }],
    ...task(),
    ['WORKFLOW_EXECUTION_COMPLETED', { workflowExecutionCompletedEventAttributes: {} }],
  );
  const { actions } = historyCosts(events);
  assert.equal(actions.workflowStarts, 1);
  assert.equal(actions.childWorkflowStarts, 1);
  assert.equal(totalActions(actions), 2);
  assert.deepEqual(callerSteps(events), {
    calleeWorkflowId: 'the-child',
    started: 1_000_000,
    firstTaskStarted: 1_002_000,
    calleeScheduled: 1_004_000,
    calleeStarted: 1_005_000,
    calleeClosed: 1_009_000,
    closed: 1_013_000,
  });
});

test('a Nexus caller: one action for the operation; the callee is the workflow its started event links to', () => {
  const events = history(
    ['WORKFLOW_EXECUTION_STARTED', { workflowExecutionStartedEventAttributes: {} }],
    ...task(),
    ['NEXUS_OPERATION_SCHEDULED', { nexusOperationScheduledEventAttributes: {} }],
    [
      'NEXUS_OPERATION_STARTED',
      {
        nexusOperationStartedEventAttributes: {},
        links: [{ workflowEvent: { namespace: 'default', workflowId: 'the-handler-workflow' } }],
      },
    ],
    ...task(),
    ['NEXUS_OPERATION_COMPLETED', { nexusOperationCompletedEventAttributes: {} }],
    ...task(),
    ['WORKFLOW_EXECUTION_COMPLETED', { workflowExecutionCompletedEventAttributes: {} }],
  );
  const { actions } = historyCosts(events);
  assert.equal(actions.nexusOperations, 1);
  assert.equal(actions.childWorkflowStarts, 0);
  assert.equal(totalActions(actions), 2);
  const steps = callerSteps(events);
  assert.equal(steps.calleeWorkflowId, 'the-handler-workflow');
  assert.equal(steps.calleeScheduled, 1_004_000);
  assert.equal(steps.calleeClosed, 1_009_000);
});

test('a caller history that names no callee is refused, not read as one', () => {
  const events = history(['WORKFLOW_EXECUTION_STARTED', { workflowExecutionStartedEventAttributes: {} }]);
  assert.throws(() => callerSteps(events), /names no child or Nexus handler workflow/);
});
