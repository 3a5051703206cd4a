/**
 * Options for running `runComputeJob` as a child of your own workflow:
 *
 * ```ts
 * const { results } = await executeChild(runComputeJob, computeJobChildOptions(input));
 * ```
 *
 * Workflow-safe: no Node modules, no I/O, deterministic. Importable from workflow code (it is part
 * of the package's main entry) and from client code (with an explicit `key` or an attach input).
 */
import {
  ChildWorkflowCancellationType,
  type ChildWorkflowOptions,
  inWorkflowContext,
  ParentClosePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { AnyJobResults, JobResults, RunComputeJobInput } from './types';
import { computeJobWorkflowId } from './workflow-id';

/** What `computeJobChildOptions` accepts besides the input: `key`, and any child workflow option to override. */
export interface ComputeJobChildOptionsOverrides extends Omit<ChildWorkflowOptions, 'args' | 'typeInfo'> {
  /**
   * The last part of the child's workflow ID, `evo-compute/<topic>/<task>/<key>`. Starting a second
   * child with the same ID while the first is still running fails (`WorkflowExecutionAlreadyStarted`),
   * so a key names one piece of work. Defaults: for an attach input, the job ID; for a submit input,
   * `<parent workflow ID>/<n>` where `n` counts the calls made without a key in this workflow run
   * (1, 2, …; deterministic, so it replays). Pass an explicit key when the parent continues-as-new
   * or may be reset, or when the ID should mean something (`grades-2024-q3`).
   */
  key?: string;
}

/** The options `computeJobChildOptions` returns: ready for `executeChild(runComputeJob, …)` / `startChild`. */
export type ComputeJobChildOptions<R extends AnyJobResults = JobResults> = Omit<
  ChildWorkflowOptions,
  'args' | 'typeInfo'
> & {
  args: [RunComputeJobInput<object, R>];
  workflowId: string;
  parentClosePolicy: ParentClosePolicy;
  cancellationType: ChildWorkflowCancellationType;
  staticSummary: string;
};

/** Calls without a key in this workflow run. Module state is per workflow run in the workflow sandbox. */
let keylessCalls = 0;

/**
 * Options for `executeChild(runComputeJob, …)` or `startChild(runComputeJob, …)`:
 *
 * - `args: [input]`;
 * - `workflowId`: `evo-compute/<topic>/<task>/<key>` (see `key`), deterministic;
 * - no `taskQueue`: as with any child workflow, the child runs on the parent's task queue, so a
 *   worker that registers the package's workflows and activities (or `evoComputePlugin`) runs it.
 *   Pass `taskQueue` to send it to a dedicated compute worker (e.g. `evo-compute`);
 * - `parentClosePolicy: REQUEST_CANCEL`: when the parent is cancelled, terminated or times out, the
 *   child is asked to cancel, and cancels the remote job (Temporal's default, TERMINATE, would end the
 *   child at once and leave the remote job running);
 * - `cancellationType: WAIT_CANCELLATION_COMPLETED`: a cancelled parent waits until the child has
 *   cancelled the remote job before it goes on;
 * - `staticSummary`: `Evo compute <topic>/<task> (org <orgId>)`, shown in the Temporal UI.
 *
 * Every option can be overridden through the second argument (`undefined` values are ignored).
 */
export function computeJobChildOptions<R extends AnyJobResults = JobResults>(
  input: RunComputeJobInput<object, R>,
  options: ComputeJobChildOptionsOverrides = {},
): ComputeJobChildOptions<R> {
  const { key, ...overrides } = options;
  const { orgId, topic, task } = 'job' in input ? input.job : input;
  const workflowId = computeJobWorkflowId(topic, task, key ?? defaultKey(input));
  const defaults: ComputeJobChildOptions<R> = {
    args: [input],
    workflowId,
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    staticSummary: `Evo compute ${topic}/${task} (org ${orgId})`,
  };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...defaults, ...defined, args: [input] };
}

function defaultKey(input: RunComputeJobInput<object, AnyJobResults>): string {
  if ('job' in input) return input.job.jobId;
  if (!inWorkflowContext()) {
    throw new TypeError(
      'computeJobChildOptions: a job to submit needs a `key` outside a workflow (inside one it defaults to <workflow ID>/<n>)',
    );
  }
  keylessCalls += 1;
  return `${workflowInfo().workflowId}/${keylessCalls}`;
}
