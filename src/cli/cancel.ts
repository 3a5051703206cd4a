/** `evo-compute cancel <workflowId>`: cancel a compute job and wait until it has been cancelled. */
import type { Command } from 'commander';
import { cancelComputeJob } from '../client';
import { connect, DATA_CONVERTER_HELP, type DataConverterOption, readSettings } from './connect';
import { describeComputeWorkflow, printReport, progressOrUndefined, report } from './describe';
import { CliError } from './errors';
import { outcomeError } from './outcome';

export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description('cancel a compute job (and its remote job) and wait until it has ended')
    .argument('<workflowId>', 'the workflow id that run printed')
    .option('--data-converter <module>', DATA_CONVERTER_HELP)
    .action(async (workflowId: string, options: DataConverterOption) => {
      const connection = await connect(readSettings(options));
      try {
        const handle = connection.client.workflow.getHandle(workflowId);
        const status = await describeComputeWorkflow(handle);
        if (status !== 'RUNNING') {
          throw new CliError(`workflow ${workflowId} has already ended (${status}); nothing to cancel`);
        }
        const outcome = await cancelComputeJob(handle, { wait: true });
        const view = await progressOrUndefined(handle);
        printReport(report(workflowId, outcome.status, view));
        // A job that ended before the cancel reached it: say how it ended.
        if (outcome.status !== 'CANCELLED') {
          const error = outcomeError(outcome, view);
          throw new CliError(
            `the job ended before the cancel reached it${error ? `: ${error.message}` : ' (it succeeded)'}`,
          );
        }
      } finally {
        await connection.close();
      }
    });
}
