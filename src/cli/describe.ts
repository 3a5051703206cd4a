/** What `status` and `cancel` print about a compute job's workflow. */
import type { WorkflowExecutionStatusName, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getComputeJobProgress, RUN_COMPUTE_JOB_WORKFLOW_TYPE } from '../client';
import type { ComputeJobProgressView } from '../common/types';
import { CliError } from './errors';
import { progressText } from './progress';

/** The progress view with the workflow's id and status: what `status` and `cancel` print as JSON. */
export interface WorkflowProgressReport extends Partial<ComputeJobProgressView> {
  workflowId: string;
  workflowStatus: WorkflowExecutionStatusName;
}

/** The workflow's status; an unknown workflow or one of another type is an error (exit code 1). */
export async function describeComputeWorkflow(handle: WorkflowHandle): Promise<WorkflowExecutionStatusName> {
  try {
    const description = await handle.describe();
    if (description.type !== RUN_COMPUTE_JOB_WORKFLOW_TYPE) {
      throw new CliError(`workflow ${handle.workflowId} is a ${description.type}, not a compute job`);
    }
    return description.status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no workflow ${handle.workflowId}`);
    throw err;
  }
}

/** The progress view, or undefined when no worker answers within `timeoutMs`. */
export async function progressOrUndefined(
  handle: WorkflowHandle,
  timeoutMs = 5000,
): Promise<ComputeJobProgressView | undefined> {
  return handle.client
    .withDeadline(Date.now() + timeoutMs, () => getComputeJobProgress(handle))
    .catch(() => undefined);
}

export function report(
  workflowId: string,
  workflowStatus: WorkflowExecutionStatusName,
  view: ComputeJobProgressView | undefined,
): WorkflowProgressReport {
  return { workflowId, workflowStatus, ...view };
}

/** `evo-compute/…/… RUNNING [in progress] 42% > Kriging step 3 of 4 (job 9f8e…, 12 polls)` */
export function reportLine(r: WorkflowProgressReport): string {
  if (!r.phase) return `${r.workflowId} ${r.workflowStatus} (no worker answered the progress query)`;
  const text = progressText({ phase: r.phase, status: r.status, polls: r.polls ?? 0 });
  const job = r.job ? `job ${r.job.jobId}, ` : '';
  return `${r.workflowId} ${r.workflowStatus} ${text} (${job}${r.polls ?? 0} polls)`;
}

/** Writes the report to stdout: a human line on a terminal, one JSON line otherwise. */
export function printReport(r: WorkflowProgressReport): void {
  process.stdout.write(`${process.stdout.isTTY ? reportLine(r) : JSON.stringify(r)}\n`);
}
