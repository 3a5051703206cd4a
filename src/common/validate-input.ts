/**
 * The one place where a workflow's input is judged. Each workflow calls its validator first, before
 * anything that could wait or fail a workflow task: every bad value ends the workflow at once with
 * the non-retryable `InvalidInput`, naming the field. Pure and workflow-safe. What comes out is
 * what the workflow runs on: durations in milliseconds, the schedule resolved.
 */
import { durationMs } from './duration';
import { assertSegment, assertUuid, InvalidInputError } from './job-url';
import {
  InvalidPollScheduleError,
  POLL_MODES_TEXT,
  type ResolvedPollSchedule,
  resolvePollSchedule,
} from './poll-schedule';
import {
  JOB_STATUSES,
  type JobProgress,
  type JobRef,
  type RunComputeJobInput,
  type RunComputeJobOptions,
  type RunComputeJobResume,
  type SubmitJobInput,
} from './types';

/** How long a cancelled job is waited for to reach `cancelled`, unless `cancelWait` says otherwise. */
export const DEFAULT_CANCEL_WAIT_MS = 60_000;

/** A `runComputeJob` input that has passed validation. */
export interface ValidComputeJob {
  /** A job to submit, or the job to attach to. */
  start: { submit: SubmitJobInput } | { job: JobRef };
  /**
   * The input's options as given (everything but the job to submit or attach), carried whole to
   * the next run on continue-as-new, so that no option can be dropped on the way.
   */
  options: RunComputeJobOptions;
  schedule: ResolvedPollSchedule;
  timeoutMs?: number;
  cancelWaitMs: number;
  notifyParent: boolean;
  resume?: RunComputeJobResume;
}

/** A `runComputeJobs` input that has passed validation. */
export interface ValidComputeJobs {
  jobs: RunComputeJobInput[];
  concurrency: number;
  failFast: boolean;
  key?: string;
  taskQueue?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

function fail(message: string): never {
  throw new InvalidInputError(message);
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return fail(`${field} must be true or false, got ${describe(value)}`);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  return fail(`${field} must be a non-empty string, got ${describe(value)}`);
}

function nonNegativeInteger(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  return fail(`${field} must be an integer >= 0, got ${describe(value)}`);
}

/** A `JobRef` as `runComputeJob` accepts it to attach to a job. */
export function validateJobRef(value: unknown, field = 'job'): JobRef {
  if (!isObject(value)) fail(`${field} must be a JobRef object, got ${describe(value)}`);
  assertUuid(value.orgId, `${field}.orgId`);
  assertSegment(value.topic, `${field}.topic`);
  assertSegment(value.task, `${field}.task`);
  assertUuid(value.jobId, `${field}.jobId`);
  if (typeof value.url !== 'string')
    fail(`${field}.url must be the job's status URL, got ${describe(value.url)}`);
  optionalBoolean(value.preview, `${field}.preview`);
  return value as unknown as JobRef;
}

function validateSubmit(input: Record<string, unknown>): SubmitJobInput {
  assertUuid(input.orgId, 'orgId');
  assertSegment(input.topic, 'topic');
  assertSegment(input.task, 'task');
  if (!isObject(input.parameters)) {
    fail(`parameters must be a JSON object, got ${describe(input.parameters)}`);
  }
  optionalBoolean(input.preview, 'preview');
  return input as unknown as SubmitJobInput;
}

/**
 * Refuses a field the input does not have: a misspelt option (`timeOut`) would otherwise be
 * ignored without a word, and the job would run without the limit its caller meant to set.
 */
function onlyKnownFields(value: Record<string, unknown>, known: readonly string[], where: string): void {
  const unknown = Object.keys(value).find((field) => !known.includes(field));
  if (unknown !== undefined) {
    fail(`${where}${unknown} is not a field of the input (the fields are ${known.join(', ')})`);
  }
}

/** The fields of a `runComputeJob` input: the job to submit or attach to, and the options. */
const JOB_INPUT_FIELDS = [
  'orgId',
  'topic',
  'task',
  'parameters',
  'preview',
  'job',
  'poll',
  'pollInterval',
  'timeout',
  'cancelWait',
  'notifyParent',
] as const;

const POLL_FIELDS = ['initialInterval', 'backoffCoefficient', 'maximumInterval', 'mode'] as const;

const JOBS_INPUT_FIELDS = ['jobs', 'concurrency', 'failFast', 'key', 'taskQueue'] as const;

function validatePoll(poll: unknown, strict: boolean): void {
  if (poll === undefined) return;
  if (!isObject(poll)) fail(`poll must be an object, got ${describe(poll)}`);
  if (strict) onlyKnownFields(poll, POLL_FIELDS, 'poll.');
  const coefficient = poll.backoffCoefficient;
  if (coefficient !== undefined && (typeof coefficient !== 'number' || !Number.isFinite(coefficient))) {
    fail(`poll.backoffCoefficient must be a number >= 1, got ${describe(coefficient)}`);
  }
  if (poll.mode !== undefined && typeof poll.mode !== 'string') {
    fail(`poll.mode must be ${POLL_MODES_TEXT}, got ${describe(poll.mode)}`);
  }
}

function validateProgress(value: unknown, field: string): JobProgress | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || !JOB_STATUSES.includes(value.status as never)) {
    fail(`${field} must be a job status reading, got ${describe(value)}`);
  }
  return value as unknown as JobProgress;
}

/** The state a run hands to the next on continue-as-new (the workflow's second argument). */
function validateResume(value: unknown): RunComputeJobResume | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(`resume must be an object, got ${describe(value)}`);
  const intervalMs = durationMs(value.intervalMs, 'resume.intervalMs');
  if (
    value.deadline !== undefined &&
    (typeof value.deadline !== 'number' || !Number.isFinite(value.deadline))
  ) {
    fail(`resume.deadline must be a time in epoch milliseconds, got ${describe(value.deadline)}`);
  }
  if (typeof value.searchAttributes !== 'boolean') {
    fail(`resume.searchAttributes must be true or false, got ${describe(value.searchAttributes)}`);
  }
  return {
    polls: nonNegativeInteger(value.polls, 'resume.polls'),
    status: validateProgress(value.status, 'resume.status'),
    intervalMs,
    deadline: value.deadline as number | undefined,
    searchAttributes: value.searchAttributes,
    runs: nonNegativeInteger(value.runs, 'resume.runs'),
  };
}

/**
 * Judges a `runComputeJob` input (and the internal continue-as-new state). Throws
 * `InvalidInputError` naming the first bad field.
 */
export function validateComputeJobInput(input: unknown, resume?: unknown): ValidComputeJob {
  if (!isObject(input)) {
    fail(`the input must be an object with a job to submit or attach to, got ${describe(input)}`);
  }
  // A continued run takes its predecessor's options as they are: a run started by a newer version
  // of the package may carry an option this one does not know, and must not fail mid-job for it.
  if (resume === undefined) onlyKnownFields(input, JOB_INPUT_FIELDS, '');
  const { orgId, topic, task, parameters, preview, job, ...options } = input;
  const start =
    job !== undefined
      ? { job: validateJobRef(job) }
      : { submit: validateSubmit({ orgId, topic, task, parameters, preview }) };
  validatePoll(options.poll, resume === undefined);
  const schedule = resolvePollSchedule(
    options.poll as RunComputeJobOptions['poll'],
    options.pollInterval as RunComputeJobOptions['pollInterval'],
  );
  const timeoutMs = options.timeout === undefined ? undefined : durationMs(options.timeout, 'timeout');
  const cancelWaitMs =
    options.cancelWait === undefined ? DEFAULT_CANCEL_WAIT_MS : durationMs(options.cancelWait, 'cancelWait');
  const notifyParent = optionalBoolean(options.notifyParent, 'notifyParent') ?? false;
  return {
    start,
    options: options as RunComputeJobOptions,
    schedule,
    timeoutMs,
    cancelWaitMs,
    notifyParent,
    resume: validateResume(resume),
  };
}

/** Judges a `runComputeJobs` input, each job as `runComputeJob` would (`jobs[2].timeout …`). */
export function validateComputeJobsInput(input: unknown): ValidComputeJobs {
  if (!isObject(input)) fail(`the input must be an object with a jobs array, got ${describe(input)}`);
  onlyKnownFields(input, JOBS_INPUT_FIELDS, '');
  const { jobs, concurrency = DEFAULT_JOBS_CONCURRENCY, failFast, key, taskQueue } = input;
  if (!Array.isArray(jobs)) fail(`jobs must be an array, got ${describe(jobs)}`);
  jobs.forEach((job, index) => {
    try {
      validateComputeJobInput(job);
    } catch (err) {
      if (err instanceof InvalidInputError || err instanceof InvalidPollScheduleError) {
        fail(`jobs[${index}]: ${err.message}`);
      }
      throw err;
    }
  });
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    fail(`concurrency must be an integer >= 1, got ${describe(concurrency)}`);
  }
  return {
    jobs: jobs as RunComputeJobInput[],
    concurrency,
    failFast: optionalBoolean(failFast, 'failFast') ?? true,
    key: optionalString(key, 'key'),
    taskQueue: optionalString(taskQueue, 'taskQueue'),
  };
}

/** How many jobs `runComputeJobs` runs at once unless told. */
export const DEFAULT_JOBS_CONCURRENCY = 4;

/**
 * Whether `err` is a validation error (of the input, a duration or the schedule): what a workflow
 * reports as `InvalidInput`.
 */
export function isInvalidInputError(err: unknown): err is Error {
  return err instanceof InvalidInputError || err instanceof InvalidPollScheduleError;
}
