/** Turning a compute job's outcome into the CLI's last line and exit code. */
import type { ComputeJobOutcome } from '../client';
import { ComputeFailureType } from '../common/failures';
import type { ComputeJobProgressView } from '../common/types';
import { CliError, ExitCode, oneLine } from './errors';

/**
 * `undefined` for a completed job; otherwise the error to report: exit code 130 for a cancelled
 * workflow or job, 1 for anything else, with the failure type and the problem's title, e.g.
 * `JobFailed: Variogram invalid: sill < 0 (job 9f8e…)`.
 */
export function outcomeError(
  outcome: ComputeJobOutcome,
  view?: ComputeJobProgressView,
): CliError | undefined {
  const { status, failure, workflowId } = outcome;
  const job = failure?.job ?? view?.job;
  const where = job ? `job ${job.jobId}` : `workflow ${workflowId}`;
  switch (status) {
    case 'COMPLETED':
      return undefined;
    case 'CANCELLED': {
      const jobStatus = view?.status?.status;
      const remote = view?.job ? `; job ${view.job.jobId} is ${jobStatus ?? 'in an unknown state'}` : '';
      return new CliError(`cancelled: workflow ${workflowId}${remote}`, ExitCode.Cancelled);
    }
    case 'TERMINATED':
      return new CliError(oneLine(`workflow ${workflowId} was terminated: ${failure?.message ?? ''}`));
    case 'TIMED_OUT':
      return new CliError(`workflow ${workflowId} timed out (${where})`);
    default: {
      const type = failure?.type ?? 'WorkflowFailed';
      const problem = failure?.problem;
      const reason = problem?.title
        ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`
        : (failure?.message ?? 'no reason given');
      const code = type === ComputeFailureType.JobCancelled ? ExitCode.Cancelled : ExitCode.Failed;
      return new CliError(oneLine(`${type}: ${reason} (${where})`), code);
    }
  }
}
