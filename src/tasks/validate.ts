/**
 * Checks a catalogue task's parameters and results against the schemas of the pinned Python SDK,
 * with validators precompiled at generation time (nothing compiles a schema at run time). Not
 * workflow code: the submit activity, the client helpers, the CLI and the emulator call it.
 */
import { findCatalogueTask } from '../common/tasks/catalogue';
import { VALIDATOR_LOADERS } from './generated/index';
import type { TaskValidators, ValidatorError } from './validator-types';

/** One offending field: its JSON path from the root of the checked object (`$.target.attribute`), and why. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Parameters that do not match the task's schema; `fields` names every offending field. */
export class InvalidParametersError extends Error {
  override name = 'InvalidParametersError';
  constructor(
    readonly topic: string,
    readonly task: string,
    readonly fields: FieldProblem[],
  ) {
    super(`invalid parameters for ${topic}/${task}: ${fields.map(formatFieldProblem).join('; ')}`);
  }
}

export function formatFieldProblem(problem: FieldProblem): string {
  return `${problem.path} ${problem.message}`;
}

const loaded = new Map<string, Promise<TaskValidators>>();

/** The validators of a catalogue task, loaded on first use; undefined for a task outside the catalogue. */
export function taskValidators(topic: string, task: string): Promise<TaskValidators> | undefined {
  const key = `${topic}/${task}`;
  const load = VALIDATOR_LOADERS[key];
  if (!load || !findCatalogueTask(topic, task)) return undefined;
  let validators = loaded.get(key);
  if (!validators) {
    validators = load();
    loaded.set(key, validators);
  }
  return validators;
}

/**
 * The problems of `parameters` for this task: empty when they are valid, and also for a task
 * outside the catalogue (its parameters need only be a JSON object; the service judges them).
 */
export async function checkTaskParameters(
  topic: string,
  task: string,
  parameters: unknown,
): Promise<FieldProblem[]> {
  const validators = await taskValidators(topic, task);
  if (!validators) return [];
  return validators.validateParameters(parameters) ? [] : fieldProblems(validators.validateParameters.errors);
}

/** Throws `InvalidParametersError` naming every offending field; resolves for valid parameters. */
export async function assertTaskParameters(topic: string, task: string, parameters: unknown): Promise<void> {
  const fields = await checkTaskParameters(topic, task, parameters);
  if (fields.length > 0) throw new InvalidParametersError(topic, task, fields);
}

/**
 * The problems of a job's results against the task's result model: missing required fields and
 * wrong types. Extra fields are allowed (the result schemas do not forbid them), so a service that
 * adds fields never breaks a job.
 */
export async function checkTaskResult(
  topic: string,
  task: string,
  results: unknown,
): Promise<FieldProblem[]> {
  const validators = await taskValidators(topic, task);
  if (!validators) return [];
  return validators.validateResult(results) ? [] : fieldProblems(validators.validateResult.errors);
}

/**
 * Ajv's errors as one problem per field. A required or unknown property is named by its own path;
 * the summary errors of `anyOf`/`oneOf` are dropped when an error inside the same field says more.
 */
export function fieldProblems(errors: readonly ValidatorError[] | null | undefined): FieldProblem[] {
  const problems = (errors ?? []).map((error) => ({
    path: jsonPath(error),
    message: message(error),
    summary: error.keyword === 'anyOf' || error.keyword === 'oneOf',
  }));
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const problem of problems) {
    if (problem.summary && problems.some((p) => !p.summary && isWithin(p.path, problem.path))) continue;
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: problem.path, message: problem.message });
  }
  return out;
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}

function jsonPath(error: ValidatorError): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const { missingProperty, additionalProperty } = error.params as Record<string, string | undefined>;
  if (error.keyword === 'required' && missingProperty !== undefined) segments.push(missingProperty);
  if (error.keyword === 'additionalProperties' && additionalProperty !== undefined) {
    segments.push(additionalProperty);
  }
  return segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment)
        ? `${path}[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(segment)
          ? `${path}.${segment}`
          : `${path}[${JSON.stringify(segment)}]`,
    '$',
  );
}

function message(error: ValidatorError): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}
