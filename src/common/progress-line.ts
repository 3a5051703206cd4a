import type { JobProgress } from './types';

/**
 * The one-line form of a job's progress, as the Python client prints it:
 * `[in progress] 42% > Kriging step 3 of 4`, `[failed] > Job failed due to error`.
 */
export function formatProgressLine(progress: JobProgress): string {
  const percent = progress.progress === undefined ? '' : ` ${progress.progress}%`;
  const message = progress.message ?? progress.error?.title ?? '';
  return `[${progress.status}]${percent} > ${message}`.trimEnd();
}

/**
 * A reading without its free text: `[in progress] 42%`. For what Temporal keeps in plain text
 * whatever the data converter (a failure's message, unless `encodeCommonAttributes`), where the
 * service's message, which may quote the job's parameters, must not go.
 */
export function formatStatusAndPercent(progress: Pick<JobProgress, 'status' | 'progress'>): string {
  return `[${progress.status}]${progress.progress === undefined ? '' : ` ${progress.progress}%`}`;
}

/** The Python client's text form of a problem object. */
export function formatProblem(problem: {
  status?: number;
  type: string;
  title: string;
  detail?: string;
}): string {
  const lines = [`Error: (${problem.status ?? '?'})`, `Type: ${problem.type}`, `Title: ${problem.title}`];
  if (problem.detail) lines.push(`Detail: ${problem.detail}`);
  return lines.join('\n');
}
