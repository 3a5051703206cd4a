/** `evo-compute status <workflowId>`: where a compute job is. */
import type { Command } from 'commander';
import { connect, DATA_CONVERTER_HELP, type DataConverterOption, readSettings } from './connect';
import { describeComputeWorkflow, printReport, progressOrUndefined, report } from './describe';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show a compute job's progress (a line on a terminal, JSON otherwise)")
    .argument('<workflowId>', 'the workflow id that run printed')
    .option('--data-converter <module>', DATA_CONVERTER_HELP)
    .action(async (workflowId: string, options: DataConverterOption) => {
      const connection = await connect(readSettings(options));
      try {
        const handle = connection.client.workflow.getHandle(workflowId);
        const status = await describeComputeWorkflow(handle);
        printReport(report(workflowId, status, await progressOrUndefined(handle)));
      } finally {
        await connection.close();
      }
    });
}
