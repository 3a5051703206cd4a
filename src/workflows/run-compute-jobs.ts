/**
 * `runComputeJobs`: many compute jobs at once (the Python `run([...])`), each as a `runComputeJob`
 * child, at most `concurrency` at a time, results in input order.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
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
import { ComputeFailureType } from '../common/failures';
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
import { runComputeJob } from './run-compute-job';

/**
 * Also exported here, so that workflow code can import it from `evo-compute-temporal/workflows`, the
 * entry that is guaranteed to be workflow-safe.
 */
export { type ComputeJobChildOptions, type ComputeJobChildOptionsOverrides, computeJobChildOptions };

export const DEFAULT_JOBS_CONCURRENCY = 4;

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

/** One job's outcome with `failFast: false`, like `Promise.allSettled`'s entries. */
export type SettledComputeJob<R extends AnyJobResults = JobResults> =
  | { status: 'fulfilled'; workflowId: string; value: ComputeJobResult<R> }
  | { status: 'rejected'; workflowId: string; type: string; message: string; details?: unknown[] };

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

interface Entry extends ComputeJobsEntryView {
  outcome?: SettledComputeJob;
}

/**
 * Runs `input.jobs` as `runComputeJob` children (`computeJobChildOptions`, `notifyParent: true`),
 * at most `concurrency` at a time, starting them in input order. Cancelling this workflow cancels
 * every running child, and so its remote job, before the workflow ends as cancelled. The `progress`
 * query (`runComputeJobsProgressQuery`) answers counts, an overall percentage and each job's state.
 */
export async function runComputeJobs<R extends AnyJobResults = JobResults, F extends boolean = true>(
  input: RunComputeJobsInput<R, F>,
): Promise<RunComputeJobsResult<R, F>> {
  return (await runUntypedComputeJobs(input as RunComputeJobsInput)) as RunComputeJobsResult<R, F>;
}

async function runUntypedComputeJobs(input: RunComputeJobsInput): Promise<RunComputeJobsResult> {
  const jobs = input?.jobs;
  const concurrency = input?.concurrency ?? DEFAULT_JOBS_CONCURRENCY;
  const failFast = input?.failFast ?? true;
  if (!Array.isArray(jobs)) throw invalidInput(`jobs must be an array, got ${JSON.stringify(jobs)}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw invalidInput(`concurrency must be an integer >= 1, got ${JSON.stringify(concurrency)}`);
  }
  const root = CancellationScope.current();
  const info = workflowInfo();
  const stem = input.key ?? info.workflowId;
  const taskQueue = input.taskQueue ?? info.taskQueue;

  const options = jobs.map((job, index) =>
    computeJobChildOptions({ ...job, notifyParent: true }, { key: `${stem}/${index}`, taskQueue }),
  );
  const entries: Entry[] = options.map(({ workflowId }) => ({ workflowId, state: 'pending' }));
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
  let next = 0;

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

  await children.run(() =>
    Promise.all(
      Array.from({ length: Math.min(concurrency, entries.length) }, async () => {
        while (next < entries.length && !children.consideredCancelled) {
          await runOne(next++);
        }
      }),
    ),
  );

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
    const failure = describeFailure(error);
    throw ApplicationFailure.create({
      type: failure.type,
      message: `jobs[${index}] (${entries[index]?.workflowId}): ${failure.message}`,
      nonRetryable: true,
      details: failure.details,
      cause: error instanceof Error ? error : undefined,
    });
  }
  const outcomes = entries.map((entry) => entry.outcome as SettledComputeJob);
  if (!failFast) return outcomes;
  return outcomes.map((outcome) => (outcome as Extract<SettledComputeJob, { status: 'fulfilled' }>).value);
}

/** The failure a child ended with, as plain data: the `ApplicationFailure` type, or the failure's class name. */
function describeFailure(error: unknown): { type: string; message: string; details?: unknown[] } {
  const cause = error instanceof ChildWorkflowFailure && error.cause ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      ...(cause.details?.length ? { details: [...cause.details] } : {}),
    };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

/** The remote job's status implied by a child's failure type, when it implies one. */
function remoteStatusOf(type: string): 'failed' | 'cancelled' | undefined {
  if (type === ComputeFailureType.JobFailed) return 'failed';
  if (type === ComputeFailureType.JobCancelled || type === ComputeFailureType.JobTimedOut) return 'cancelled';
  return undefined;
}

function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ComputeFailureType.InvalidInput,
    message: `runComputeJobs: ${message}`,
    nonRetryable: true,
  });
}
