/**
 * Plain-data types shared by orchestration code, activities, workflows and the emulator.
 * Everything here is JSON: it travels through Temporal history.
 */
import type { Duration } from '@temporalio/common';
import type { PollSchedule } from './poll-schedule';

/** The canonical job states. The service's `canceling`/`canceled` spellings are mapped onto these. */
export const JOB_STATUSES = [
  'requested',
  'in progress',
  'succeeded',
  'failed',
  'cancelling',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** States after which a job never changes again. */
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** An RFC 9457 problem object, as the API sends it in job errors and HTTP error bodies. */
export interface Problem {
  type: string;
  title: string;
  status?: number;
  detail?: string;
  [extra: string]: unknown;
}

/** A submitted job: everything needed to talk to it again, from any worker, at any later time. */
export interface JobRef {
  /** The Evo organisation's ID, a UUID. */
  orgId: string;
  topic: string;
  task: string;
  /** The job's ID, a UUID, as the service assigned it. */
  jobId: string;
  /** The absolute status URL of the job. */
  url: string;
  /** The job was submitted in preview mode: every call sends `API-Preview: opt-in`. */
  preview: boolean;
}

/** One reading of a job's status (the Python `JobProgress`). */
export interface JobProgress {
  status: JobStatus;
  /** 0..100 */
  progress?: number;
  message?: string;
  /** Set when the job failed. */
  error?: Problem;
}

/** Parameters of a task: a JSON object. */
export type JobParameters = Record<string, unknown>;

/** The results object of a succeeded job, as the task defines it. */
export type JobResults = Record<string, unknown>;

/**
 * Input of the `submitJob` activity. `P` is the task's parameters type: a catalogue task's
 * (`tasks.geostatistics.kriging`) or, for any other task, a plain JSON object.
 */
export interface SubmitJobInput<P = JobParameters> {
  /** The Evo organisation's ID, a UUID. */
  orgId: string;
  /** The task's topic, e.g. `geostatistics`: one URL path segment. */
  topic: string;
  /** The task, e.g. `kriging`: one URL path segment. */
  task: string;
  /**
   * The task's parameters. A catalogue task's are checked against its schema
   * (`schemas/tasks/<topic>/<task>.json`) before anything is sent.
   */
  parameters: P;
  /** Send `API-Preview: opt-in`. Catalogue tasks that are preview-only send it whatever this says. */
  preview?: boolean;
}

/** Type-level only: the results type a job input promises. Never present at run time. */
declare const resultsType: unique symbol;
/** Carries the results type `R` of a job input through `runComputeJob`, its options and its result. */
export interface TypedResults<R> {
  /** Never present at run time, so no part of the JSON contract (`schemas/run-compute-job`). @hidden */
  readonly [resultsType]?: R;
}
/**
 * What a results type must be: an object. `any` on purpose: the result interfaces of the catalogue
 * have no index signature, and `ReturnType<typeof runComputeJob>` (what Temporal's `executeChild`
 * sees) then keeps the untyped form's field access working.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyJobResults = Record<string, any>;

/** The results type of a job input: the catalogue task's result model, or `JobResults`. */
export type ResultsOf<I> =
  I extends TypedResults<infer R> ? (unknown extends R ? JobResults : R) : JobResults;

/**
 * A duration as Temporal understands it: milliseconds, or a string such as `'2s'`, `'5 minutes'`.
 */
export type DurationInput = Duration;

/** Options of `runComputeJob` that apply whether it submits a job or attaches to one. */
export interface RunComputeJobOptions {
  /** When and how the status is polled; see `PollSchedule`. */
  poll?: PollSchedule;
  /**
   * A fixed time between two status polls, on durable timers (the first version's setting;
   * the same as `poll: { initialInterval: x, maximumInterval: x, mode: 'timer' }`).
   */
  pollInterval?: DurationInput;
  /**
   * How long the job may take, counted from the workflow's start. When it elapses the remote job
   * is cancelled and the workflow fails with `JobTimedOut`. Default: no limit.
   */
  timeout?: DurationInput;
  /** How long to wait for the remote job to reach `cancelled` after sending cancel. Default `'1 minute'`. */
  cancelWait?: DurationInput;
  /**
   * Signal the parent workflow (`childJobProgressSignal`) when the status changes or the progress
   * crosses a 10 % step. Set by `runComputeJobs`; default false.
   */
  notifyParent?: boolean;
}

/**
 * What a run hands to the next when it continues as new: the workflow's second argument. Internal:
 * set by the workflow itself, never part of the input.
 */
export interface RunComputeJobResume {
  polls: number;
  status?: JobProgress;
  /** The next wait, in ms. */
  intervalMs: number;
  /** When `timeout` elapses, epoch ms. */
  deadline?: number;
  searchAttributes: boolean;
  /** Runs before this one. */
  runs: number;
}

/**
 * Input of `runComputeJob`: a job to submit ... Build one for a catalogue task with its factory,
 * `tasks.geostatistics.kriging({ orgId, parameters })`, which types the parameters (`P`) and the
 * results (`R`).
 */
export interface SubmitComputeJobInput<P = JobParameters, R = JobResults>
  extends SubmitJobInput<P>,
    RunComputeJobOptions,
    TypedResults<R> {}
/** ... or an existing job to attach to (the Python `JobClient.from_url`). */
export interface AttachComputeJobInput<R = JobResults> extends RunComputeJobOptions, TypedResults<R> {
  job: JobRef;
}
export type RunComputeJobInput<P = JobParameters, R = JobResults> =
  | SubmitComputeJobInput<P, R>
  | AttachComputeJobInput<R>;

/** Any `runComputeJob` input, typed or not. */
export type AnyRunComputeJobInput = RunComputeJobInput<object, AnyJobResults>;

/** What `runComputeJob` returns; `results` is typed by the catalogue task the input was built with. */
export interface ComputeJobResult<R = JobResults> {
  /** The job that ran. */
  job: JobRef;
  /** The job's results: a catalogue task's match its result model (`schemas/tasks/<topic>/<task>.json`). */
  results: R;
}

export type ComputeJobPhase = 'submitting' | 'running' | 'fetching-results' | 'cancelling' | 'done';

/** The answer of the `progress` query. */
export interface ComputeJobProgressView {
  phase: ComputeJobPhase;
  job?: JobRef;
  status?: JobProgress;
  /** Status polls made so far. */
  polls: number;
}
