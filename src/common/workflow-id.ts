/**
 * The workflow id of a compute job. Pure and deterministic, with no imports, so that workflow code
 * (which runs in Temporal's sandbox) and clients build the same id from the same parts.
 */

/** The first segment of every compute job's default workflow id. */
export const COMPUTE_JOB_WORKFLOW_ID_PREFIX = 'evo-compute';

/**
 * `evo-compute/<topic>/<task>/<key>`: the default workflow id of a compute job. `key` tells jobs of
 * the same task apart: a random UUID for a new job, the job id when attaching to an existing job,
 * or a business key (`grades-2024-q3`) when one run per key is wanted, since Temporal refuses a
 * second running workflow with the same id.
 */
export function computeJobWorkflowId(topic: string, task: string, key: string): string {
  return `${COMPUTE_JOB_WORKFLOW_ID_PREFIX}/${topic}/${task}/${key}`;
}
