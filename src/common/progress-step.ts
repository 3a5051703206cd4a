import type { JobProgress } from './types';

/**
 * A reading's coarse position: status and 10 % progress step. A change of it is what the workflow
 * records (search attributes, parent signal) and what the polling activities hand back for.
 */
export function progressStep(progress: JobProgress): string {
  return `${progress.status}:${Math.floor((progress.progress ?? 0) / 10)}`;
}

/**
 * Whether `reading` is worth handing to the workflow, which last recorded `last`: a first reading,
 * or one that moves the status or the 10 % step. Like the workflow's record, a reading without a
 * percentage keeps the last one.
 */
export function movesProgress(last: JobProgress | undefined, reading: JobProgress): boolean {
  if (!last) return true;
  return progressStep(last) !== progressStep({ ...reading, progress: reading.progress ?? last.progress });
}
