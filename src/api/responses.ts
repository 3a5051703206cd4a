/**
 * Validation of the API's response bodies. Everything that crosses the wire is checked here, so
 * the rest of the package only ever sees well-formed `JobProgress` and problem objects.
 */
import { ComputeFailureType } from '../common/failures';
import { JOB_STATUSES, type JobProgress, type JobStatus, type Problem } from '../common/types';
import { ComputeApiError } from './errors';

/** Longest piece of an unexpected body kept in an error's details. */
const BODY_EXCERPT = 500;

export function excerpt(body: string): string {
  return body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}…` : body;
}

function unknownResponse(message: string, status: number, body: string): ComputeApiError {
  return new ComputeApiError(ComputeFailureType.UnknownResponse, message, { status, body: excerpt(body) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a JSON body that must be an object. */
export function parseJsonObject(body: string, status: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw unknownResponse(`HTTP ${status}: the body is not JSON`, status, body);
  }
  if (!isObject(value)) throw unknownResponse(`HTTP ${status}: the body is not a JSON object`, status, body);
  return value;
}

/** A problem object when `value` is one (type and title strings), else undefined. */
export function asProblem(value: unknown): Problem | undefined {
  if (!isObject(value) || typeof value.type !== 'string' || typeof value.title !== 'string') return undefined;
  return value as Problem;
}

/** The problem object of an error response body, if it holds one. Never throws. */
export function problemFromBody(body: string): Problem | undefined {
  try {
    return asProblem(JSON.parse(body));
  } catch {
    return undefined;
  }
}

const STATUS_SPELLINGS: Readonly<Record<string, JobStatus>> = {
  ...Object.fromEntries(JOB_STATUSES.map((status) => [status, status])),
  canceling: 'cancelling',
  canceled: 'cancelled',
};

/** The canonical status for the service's spelling, or undefined for an unknown one. */
export function canonicalStatus(value: unknown): JobStatus | undefined {
  return typeof value === 'string' ? STATUS_SPELLINGS[value] : undefined;
}

/** Reads a `JobStatusResponse` body into a `JobProgress`. */
export function parseJobProgress(body: string, status: number): JobProgress {
  const json = parseJsonObject(body, status);
  const jobStatus = canonicalStatus(json.status);
  if (!jobStatus)
    throw unknownResponse(`HTTP ${status}: unknown job status ${JSON.stringify(json.status)}`, status, body);
  const progress: JobProgress = { status: jobStatus };
  if (json.progress !== undefined && json.progress !== null) {
    if (typeof json.progress !== 'number' || !Number.isFinite(json.progress)) {
      throw unknownResponse(`HTTP ${status}: progress is not a number`, status, body);
    }
    progress.progress = Math.min(100, Math.max(0, Math.round(json.progress)));
  }
  if (json.message !== undefined && json.message !== null) {
    if (typeof json.message !== 'string')
      throw unknownResponse(`HTTP ${status}: message is not a string`, status, body);
    progress.message = json.message;
  }
  if (json.error !== undefined && json.error !== null) {
    const problem = asProblem(json.error);
    if (!problem) throw unknownResponse(`HTTP ${status}: error is not a problem object`, status, body);
    progress.error = problem;
  }
  return progress;
}
