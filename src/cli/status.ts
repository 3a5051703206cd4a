/** `evo-compute status <workflowId>`: where a compute job is. */
import type { Command } from 'commander';
import { connect, readSettings } from './connect';
import { describeComputeWorkflow, printReport, progressOrUndefined, report } from './describe';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show a compute job's progress (a line on a terminal, JSON otherwise)")
    .argument('<workflowId>', 'the workflow id that run printed')
    .action(async (workflowId: string) => {
      const connection = await connect(readSettings());
      try {
        const handle = connection.client.workflow.getHandle(workflowId);
        const status = await describeComputeWorkflow(handle);
        printReport(report(workflowId, status, await progressOrUndefined(handle)));
      } finally {
        await connection.close();
      }
    });
}
