/**
 * The emulator's built-in tasks: their description (plain data, for docs and CLIs) and how each
 * turns its parameters into a job plan. The generic `emulator/*` tasks allow unknown extra
 * parameters and refuse known ones of the wrong type or range with a 422 problem naming the
 * parameter. The catalogue tasks accept exactly their parameters schema.
 */

import { CATALOGUE_TASKS } from '../common/tasks/catalogue';
import type { JobResults, Problem } from '../common/types';
import { taskSchemas } from '../tasks/schemas';
import { checkTaskParameters, formatFieldProblem } from '../tasks/validate';
import { exampleResults } from './example-results';
import type { JobOutcome, JobPlan } from './jobs';
import { type HttpProblem, httpProblem, PROBLEM_TYPE_BASE } from './problems';

export interface BuiltInTaskParameter {
  name: string;
  /** `'number'` and `'integer'` are checked against `min`/`max`; `'object'` must be a JSON object. */
  type: 'number' | 'integer' | 'string' | 'object' | 'true | problem';
  /** The default of a numeric parameter; other defaults are given in `description`. */
  default?: number;
  min?: number;
  max?: number;
  description: string;
}

export interface BuiltInTask {
  topic: string;
  task: string;
  /** Every request about the task (submit, status, results, cancel) must send `API-Preview: opt-in`. */
  previewOnly: boolean;
  description: string;
  /** A task of the official catalogue (`tasks`): its parameters are its JSON Schema, not `parameters`. */
  catalogue?: boolean;
  parameters: readonly BuiltInTaskParameter[];
}

const DEFAULT_CANCEL_DELAY_MS = 100;

const GENERIC_JOB_PARAMETERS: readonly BuiltInTaskParameter[] = [
  { name: 'durationMs', type: 'number', default: 1000, min: 0, description: 'Time spent `in progress`.' },
  {
    name: 'queuedMs',
    type: 'number',
    default: 0,
    min: 0,
    description: 'Time spent `requested` before starting.',
  },
  {
    name: 'steps',
    type: 'integer',
    default: 4,
    min: 1,
    description: 'In-progress message is `Step i of n`.',
  },
  {
    name: 'message',
    type: 'string',
    description: 'Put before the in-progress message: `<message>: Step i of n` (e.g. text a test looks for).',
  },
  {
    name: 'results',
    type: 'object',
    description: 'Results of the succeeded job. Default `{ "echo": <the parameters> }`.',
  },
  {
    name: 'fail',
    type: 'true | problem',
    description:
      '`true` or a partial problem `{ type?, title?, detail?, status? }`: the job ends `failed` with that problem ' +
      `(defaults: type \`${PROBLEM_TYPE_BASE}job-failed\`, title \`Job failed\`, status 500).`,
  },
  {
    name: 'cancelDelayMs',
    type: 'number',
    default: DEFAULT_CANCEL_DELAY_MS,
    min: 0,
    description: 'Time spent `cancelling` after a cancel request.',
  },
];

/** The built-in tasks, for documentation and CLIs. */
export const BUILT_IN_TASKS: readonly BuiltInTask[] = [
  {
    topic: 'emulator',
    task: 'job',
    previewOnly: false,
    description: 'Generic job for tests: configurable timing, steps, results and failure.',
    parameters: GENERIC_JOB_PARAMETERS,
  },
  {
    topic: 'emulator',
    task: 'preview-job',
    previewOnly: true,
    description: 'Same as emulator/job, but preview-only: every request must send `API-Preview: opt-in`.',
    parameters: GENERIC_JOB_PARAMETERS,
  },
  ...CATALOGUE_TASKS.map(
    (task): BuiltInTask => ({
      topic: task.topic,
      task: task.task,
      previewOnly: task.preview,
      catalogue: true,
      description:
        'Official task: accepts exactly its parameters schema (422 naming every bad field), runs for `taskDurationMs`, ' +
        'returns results valid against its result model.',
      parameters: [],
    }),
  ),
];

function invalidParameter(name: string, detail: string): HttpProblem {
  return httpProblem(422, 'invalid-parameters', `parameter ${name} ${detail}`, {
    extra: { parameter: name },
  });
}

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function specOf(specs: readonly BuiltInTaskParameter[], name: string): BuiltInTaskParameter {
  const spec = specs.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`no parameter ${name}`);
  return spec;
}

/** Reads a numeric parameter, applying its default and checking type and range. */
function readNumber(parameters: Record<string, unknown>, spec: BuiltInTaskParameter): number {
  const value = parameters[spec.name];
  if (value === undefined && spec.default !== undefined) return spec.default;
  let wanted = `must be ${spec.type === 'integer' ? 'an integer' : 'a number'}`;
  if (spec.min !== undefined && spec.max !== undefined) wanted += ` from ${spec.min} to ${spec.max}`;
  else if (spec.min !== undefined) wanted += ` >= ${spec.min}`;
  else if (spec.max !== undefined) wanted += ` <= ${spec.max}`;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (spec.type !== 'integer' || Number.isInteger(value)) &&
    (spec.min === undefined || value >= spec.min) &&
    (spec.max === undefined || value <= spec.max);
  if (!ok) throw invalidParameter(spec.name, `${wanted}, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

function readFailure(value: unknown): Problem | undefined {
  if (value === undefined || value === false) return undefined;
  const base: Problem = {
    type: `${PROBLEM_TYPE_BASE}job-failed`,
    title: 'Job failed',
    status: 500,
    detail: 'The emulated job failed because its parameters asked it to.',
  };
  if (value === true) return base;
  if (!isJsonObject(value)) throw invalidParameter('fail', 'must be true or a problem object');
  for (const field of ['type', 'title', 'detail'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      throw invalidParameter('fail', `field ${field} must be a string`);
    }
  }
  const status = value.status;
  if (
    status !== undefined &&
    !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)
  ) {
    throw invalidParameter('fail', 'field status must be an integer 100..599');
  }
  // Checked above: each field is absent or of the right type.
  const problem: Problem = {
    ...value,
    type: typeof value.type === 'string' ? value.type : base.type,
    title: typeof value.title === 'string' ? value.title : base.title,
    status: typeof status === 'number' ? status : base.status,
    detail: typeof value.detail === 'string' ? value.detail : base.detail,
  };
  return problem;
}

function stepIndex(fraction: number, count: number): number {
  return Math.min(count, Math.floor(fraction * count) + 1);
}

function planGenericJob(parameters: Record<string, unknown>): JobPlan {
  const number = (name: string) => readNumber(parameters, specOf(GENERIC_JOB_PARAMETERS, name));
  const durationMs = number('durationMs');
  const queuedMs = number('queuedMs');
  const steps = number('steps');
  const cancelDelayMs = number('cancelDelayMs');
  if (parameters.results !== undefined && !isJsonObject(parameters.results)) {
    throw invalidParameter('results', 'must be a JSON object');
  }
  if (parameters.message !== undefined && typeof parameters.message !== 'string') {
    throw invalidParameter('message', 'must be a string');
  }
  const prefix = parameters.message === undefined ? '' : `${parameters.message}: `;
  const results = (parameters.results as JobResults | undefined) ?? { echo: structuredClone(parameters) };
  const error = readFailure(parameters.fail);
  const outcome: JobOutcome = error ? { status: 'failed', error } : { status: 'succeeded', results };
  return {
    queuedMs,
    durationMs,
    cancelDelayMs,
    progressMessage: (fraction) => `${prefix}Step ${stepIndex(fraction, steps)} of ${steps}`,
    outcome,
  };
}

/** Catalogue jobs run this long unless the emulator's `taskDurationMs` says otherwise. */
export const DEFAULT_CATALOGUE_TASK_DURATION_MS = 2000;
const CATALOGUE_TASK_STEPS = 4;
/** Progress and result messages name the task; these are not its name capitalised. */
const TASK_LABELS: Readonly<Record<string, string>> = { idw: 'IDW', knn: 'KNN', consim: 'ConSim' };

/** How long a catalogue job runs: the emulator's `taskDurationMs` option. */
export type TaskDuration =
  | number
  | ((topic: string, task: string, parameters: Record<string, unknown>) => number);

async function planCatalogueTask(
  info: BuiltInTask,
  parameters: Record<string, unknown>,
  duration: TaskDuration,
): Promise<JobPlan> {
  const fields = await checkTaskParameters(info.topic, info.task, parameters);
  if (fields.length > 0) {
    throw httpProblem(
      422,
      'invalid-parameters',
      `invalid parameters for ${info.topic}/${info.task}: ${fields.map(formatFieldProblem).join('; ')}`,
      { extra: { parameter: fields[0]?.path, errors: fields } },
    );
  }
  const durationMs = typeof duration === 'function' ? duration(info.topic, info.task, parameters) : duration;
  const schemas = taskSchemas(info.topic, info.task);
  if (!schemas) throw new Error(`no schemas for catalogue task ${info.topic}/${info.task}`);
  const label =
    TASK_LABELS[info.task] ?? info.task.charAt(0).toUpperCase() + info.task.slice(1).replace(/-/g, ' ');
  return {
    queuedMs: 0,
    durationMs,
    cancelDelayMs: DEFAULT_CANCEL_DELAY_MS,
    progressMessage: (fraction) =>
      `${label} step ${stepIndex(fraction, CATALOGUE_TASK_STEPS)} of ${CATALOGUE_TASK_STEPS}`,
    outcome: { status: 'succeeded', results: exampleResults(schemas.result, parameters, label) },
  };
}

export interface TaskImplementation {
  info: BuiltInTask;
  /** Validates the parameters (throwing a 422 `HttpProblem`) and plans the job. */
  plan(parameters: Record<string, unknown>, duration: TaskDuration): JobPlan | Promise<JobPlan>;
}

const PLANNERS: Readonly<Record<string, (parameters: Record<string, unknown>) => JobPlan>> = {
  'emulator/job': planGenericJob,
  'emulator/preview-job': planGenericJob,
};

const IMPLEMENTATIONS = new Map<string, TaskImplementation>(
  BUILT_IN_TASKS.map((info) => {
    const key = `${info.topic}/${info.task}`;
    if (info.catalogue) {
      return [key, { info, plan: (parameters, duration) => planCatalogueTask(info, parameters, duration) }];
    }
    const plan = PLANNERS[key];
    if (!plan) throw new Error(`no planner for built-in task ${key}`);
    return [key, { info, plan }];
  }),
);

/** The built-in task `topic`/`task` (decoded path segments), if there is one. */
export function findTask(topic: string, task: string): TaskImplementation | undefined {
  const found = IMPLEMENTATIONS.get(`${topic}/${task}`);
  return found && found.info.topic === topic && found.info.task === task ? found : undefined;
}
