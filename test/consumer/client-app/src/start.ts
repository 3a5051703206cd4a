import { Client, Connection } from '@temporalio/client';
import { ComputeFailureType, computeJobWorkflowId } from 'evo-compute-temporal';
import { startComputeJob, waitForComputeJob } from 'evo-compute-temporal/client';

async function main(): Promise<void> {
  const client = new Client({
    connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS }),
  });
  const handle = await startComputeJob(client, {
    orgId: '00000000-0000-4000-8000-000000000000',
    topic: 'geostatistics',
    task: 'kriging',
    parameters: { blocks: 8 },
  });
  console.log(handle.workflowId.startsWith(computeJobWorkflowId('geostatistics', 'kriging', '')));
  const outcome = await waitForComputeJob(handle);
  if (outcome.status !== 'COMPLETED' && outcome.failure?.type === ComputeFailureType.JobFailed)
    process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
