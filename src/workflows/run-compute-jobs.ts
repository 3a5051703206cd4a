/**
 * `runComputeJobs`: many compute jobs at once (the Python `run([...])`), each as a `runComputeJob`
 * child, at most `concurrency` at a time, results in input order.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type ComputeJobChildOptions,
  type ComputeJobChildOptionsOverrides,
  computeJobChildOptions,
} from '../common/child-options';
import {
  type ComputeFailureDetails,
  ComputeFailureType,
  computeFailure,
  readComputeFailure,
} from '../common/failures';
import {
  type ComputeJobsEntryView,
  childJobProgressSignal,
  type RunComputeJobsProgressView,
  runComputeJobsProgressQuery,
} from '../common/queries';
import {
  type AnyJobResults,
  type ComputeJobResult,
  isTerminalStatus,
  type JobResults,
  type RunComputeJobInput,
} from '../common/types';
import {
  DEFAULT_JOBS_CONCURRENCY,
  isInvalidInputError,
  type ValidComputeJobs,
  validateComputeJobsInput,
} from '../common/validate-input';
import { runComputeJob } from './run-compute-job';

/**
 * Also exported here, so that workflow code can import it from `evo-compute-temporal/workflows`, the
 * entry that is guaranteed to be workflow-safe.
 */
export {
  type ComputeJobChildOptions,
  type ComputeJobChildOptionsOverrides,
  computeJobChildOptions,
  DEFAULT_JOBS_CONCURRENCY,
};

/** A run continues as new between two jobs past this many history events, or when Temporal suggests it. */
export const JOBS_CONTINUE_AS_NEW_AFTER_EVENTS = 10_000;

export interface RunComputeJobsInput<R extends AnyJobResults = JobResults, F extends boolean = boolean> {
  /** The jobs, each a `runComputeJob` input (submit or attach); catalogue inputs type the results. */
  jobs: RunComputeJobInput<object, R>[];
  /** How many jobs run at once, an integer ≥ 1. Default 4. */
  concurrency?: number;
  /**
   * `true` (default): the first job that fails cancels the others (and so their remote jobs), starts
   * no more, and the workflow fails with that job's failure type (e.g. `JobFailed`). `false`: every
   * job runs to its end and the workflow returns one `SettledComputeJob` per job.
   */
  failFast?: F;
  /**
   * The stem of the children's workflow IDs, `evo-compute/<topic>/<task>/<key>/<index>`. Default:
   * this workflow's ID.
   */
  key?: string;
  /** Task queue of the children. Default: this workflow's own task queue. */
  taskQueue?: string;
}

/**
 * What a run hands to the next when a very large batch continues as new: the jobs settled so far
 * (a prefix of the input: a run drains its running jobs before it continues). Internal.
 */
export interface RunComputeJobsResume {
  settled: Entry[];
  /** Continue as new past this many events (default `JOBS_CONTINUE_AS_NEW_AFTER_EVENTS`). */
  continueAsNewAfterEvents?: number;
}

/** One job's outcome with `failFast: false`, like `Promise.allSettled`'s entries. */
export type SettledComputeJob<R extends AnyJobResults = JobResults> =
  | { status: 'fulfilled'; workflowId: string; value: ComputeJobResult<R> }
  | {
      status: 'rejected';
      workflowId: string;
      type: string;
      message: string;
      details?: ComputeFailureDetails;
    };

/**
 * `ComputeJobResult[]` with `failFast` (the default), `SettledComputeJob[]` with `failFast: false`;
 * in input order. The type follows `failFast`: `true` or left out gives the first, `false` the
 * second, a `boolean` either.
 */
export type RunComputeJobsResult<R extends AnyJobResults = JobResults, F extends boolean = boolean> = [
  F,
] extends [true]
  ? ComputeJobResult<R>[]
  : [F] extends [false]
    ? SettledComputeJob<R>[]
    : ComputeJobResult<R>[] | SettledComputeJob<R>[];

export interface Entry extends ComputeJobsEntryView {
  outcome?: SettledComputeJob;
}

/**
 * Runs `input.jobs` as `runComputeJob` children (`computeJobChildOptions`, `notifyParent: true`),
 * at most `concurrency` at a time, starting them in input order. Cancelling this workflow cancels
 * every running child, and so its remote job, before the workflow ends as cancelled. The `progress`
 * query (`runComputeJobsProgressQuery`) answers counts, an overall percentage and each job's state.
 * A very large batch continues as new between jobs (after draining the running ones), keeping the
 * workflow id, the children's ids and the outcomes so far.
 */
export async function runComputeJobs<R extends AnyJobResults = JobResults, F extends boolean = true>(
  input: RunComputeJobsInput<R, F>,
  resume?: RunComputeJobsResume,
): Promise<RunComputeJobsResult<R, F>> {
  return (await runUntypedComputeJobs(input as RunComputeJobsInput, resume)) as RunComputeJobsResult<R, F>;
}

async function runUntypedComputeJobs(
  input: RunComputeJobsInput,
  resume?: RunComputeJobsResume,
): Promise<RunComputeJobsResult> {
  const { jobs, concurrency, failFast, key, taskQueue: queue } = validated(input);
  const root = CancellationScope.current();
  const info = workflowInfo();
  const stem = key ?? info.workflowId;
  const taskQueue = queue ?? info.taskQueue;
  const historyLimit = resume?.continueAsNewAfterEvents ?? JOBS_CONTINUE_AS_NEW_AFTER_EVENTS;

  const options = jobs.map((job, index) =>
    computeJobChildOptions({ ...job, notifyParent: true }, { key: `${stem}/${index}`, taskQueue }),
  );
  const settled = resume?.settled ?? [];
  const entries: Entry[] = options.map(
    ({ workflowId }, index) => settled[index] ?? { workflowId, state: 'pending' },
  );
  const byWorkflowId = new Map(entries.map((entry) => [entry.workflowId, entry]));

  const view = (): RunComputeJobsProgressView => {
    const count = (state: Entry['state']) => entries.filter((entry) => entry.state === state).length;
    const points = entries.reduce((sum, entry) => {
      if (entry.state === 'pending') return sum;
      if (entry.state !== 'running') return sum + 100;
      return sum + Math.min(99, Math.max(0, entry.progress ?? 0));
    }, 0);
    return {
      total: entries.length,
      done: count('succeeded'),
      running: count('running'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      pending: count('pending'),
      percent: entries.length === 0 ? 100 : Math.floor(points / entries.length),
      jobs: entries.map(({ workflowId, state, status, progress }) => ({
        workflowId,
        state,
        status,
        progress,
      })),
    };
  };
  const showDetails = () => {
    const { total, done, running, failed, cancelled, percent } = view();
    const ended = failed + cancelled ? `, ${failed} failed, ${cancelled} cancelled` : '';
    setCurrentDetails(`${done}/${total} done, ${running} running${ended} (${percent}%)`);
  };
  setHandler(runComputeJobsProgressQuery, view);
  setHandler(childJobProgressSignal, ({ workflowId, status, progress }) => {
    const entry = byWorkflowId.get(workflowId);
    // A signal may arrive after its child's end is known; the end wins.
    if (entry?.state !== 'running') return;
    entry.status = status;
    if (progress !== undefined) entry.progress = progress;
    showDetails();
  });
  showDetails();

  // All children run in this scope: failing fast cancels it, and cancelling the workflow cancels it.
  const children = new CancellationScope();
  let firstFailure: { index: number; error: unknown } | undefined;
  let cancellation: unknown;
  let running = 0;

  const runOne = async (index: number): Promise<void> => {
    const entry = entries[index] as Entry;
    const childOptions = options[index] as (typeof options)[number];
    entry.state = 'running';
    showDetails();
    try {
      const value = await executeChild(runComputeJob, childOptions);
      Object.assign(entry, { state: 'succeeded', status: 'succeeded', progress: 100 });
      entry.outcome = { status: 'fulfilled', workflowId: entry.workflowId, value };
    } catch (error) {
      const failure = describeFailure(error);
      const cancelled = isCancellation(error) || failure.type === ComputeFailureType.JobCancelled;
      const cancelledByUs = isCancellation(error) && children.consideredCancelled;
      entry.state = cancelled ? 'cancelled' : 'failed';
      const remote = remoteStatusOf(failure.type);
      if (remote) entry.status = remote;
      else if (entry.status && !isTerminalStatus(entry.status) && cancelledByUs) entry.status = 'cancelled';
      entry.outcome = { status: 'rejected', workflowId: entry.workflowId, ...failure };
      if (cancelledByUs) {
        cancellation ??= error;
      } else if (failFast && firstFailure === undefined) {
        firstFailure = { index, error };
        children.cancel();
      }
    }
    showDetails();
  };

  // Start the jobs in order, each as soon as fewer than `concurrency` run; stop starting when the
  // run is cancelled, fails fast, or has written enough history to continue as new.
  let next = settled.length;
  const started: Promise<void>[] = [];
  const historyFull = () => {
    const { continueAsNewSuggested, historyLength } = workflowInfo();
    return continueAsNewSuggested || historyLength >= historyLimit;
  };
  // Waiting for a free slot is not cancellable: a cancel must still let the running children
  // cancel their jobs and settle, which `children.consideredCancelled` wakes the wait for.
  while (next < entries.length && !children.consideredCancelled && !historyFull()) {
    await CancellationScope.nonCancellable(() =>
      condition(() => running < concurrency || children.consideredCancelled),
    );
    if (children.consideredCancelled) break;
    const index = next++;
    running++;
    started.push(children.run(() => runOne(index)).finally(() => running--));
  }
  await Promise.all(started);

  if (next < entries.length && !children.consideredCancelled && !root.consideredCancelled) {
    // Every started job has settled: hand the outcomes so far to a fresh run.
    await continueAsNew<typeof runComputeJobs>(input, {
      settled: entries.slice(0, next),
      continueAsNewAfterEvents: resume?.continueAsNewAfterEvents,
    });
  }

  // Jobs never started because the run stopped early.
  for (const entry of entries) {
    if (entry.state === 'pending') entry.state = 'cancelled';
  }
  showDetails();

  if (root.consideredCancelled) {
    // This workflow was cancelled: end as cancelled, after every child has cancelled its job.
    throw cancellation ?? new CancelledFailure('runComputeJobs was cancelled');
  }
  if (firstFailure) {
    const { index, error } = firstFailure;
    const failure = readComputeFailure(error);
    const described = describeFailure(error);
    const message = `jobs[${index}] (${entries[index]?.workflowId}): ${described.message}`;
    if (failure) {
      throw computeFailure(failure.type, message, failure.details, {
        nonRetryable: true,
        cause: error instanceof Error ? error : undefined,
      });
    }
    throw ApplicationFailure.create({
      type: described.type,
      message,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }
  const outcomes = entries.map((entry) => entry.outcome as SettledComputeJob);
  if (!failFast) return outcomes;
  return outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
}

/** The one validation step: any bad input ends the workflow here, as `InvalidInput` naming the field. */
function validated(input: unknown): ValidComputeJobs {
  try {
    return validateComputeJobsInput(input);
  } catch (err) {
    const message = isInvalidInputError(err) ? err.message : `the input could not be read: ${err}`;
    throw computeFailure(ComputeFailureType.InvalidInput, `runComputeJobs: ${message}`);
  }
}

/** The failure a child ended with, as plain data: its failure type (or the failure's class name), message and details. */
function describeFailure(error: unknown): { type: string; message: string; details?: ComputeFailureDetails } {
  const typed = readComputeFailure(error);
  if (typed) {
    const hasDetails = Object.keys(typed.details).length > 0;
    return { type: typed.type, message: typed.message, ...(hasDetails && { details: typed.details }) };
  }
  const cause = error instanceof ChildWorkflowFailure && error.cause ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

/** The remote job's status implied by a child's failure type, when it implies one. */
function remoteStatusOf(type: string): 'failed' | 'cancelled' | undefined {
  if (type === ComputeFailureType.JobFailed) return 'failed';
  if (type === ComputeFailureType.JobCancelled || type === ComputeFailureType.JobTimedOut) return 'cancelled';
  return undefined;
}
