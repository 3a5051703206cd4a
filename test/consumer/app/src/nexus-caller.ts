import type { TaskParameters } from 'evo-compute-temporal';
import { tasks } from 'evo-compute-temporal';
import {
  executeComputeJobOperation,
  getComputeJobOperationProgress,
  startComputeJobOperation,
} from 'evo-compute-temporal/workflows';

/** A workflow in any namespace: the compute fleet is behind the Nexus endpoint `evo-compute`. */
export async function gradeEstimate(
  orgId: string,
  parameters: TaskParameters<typeof tasks.geostatistics.kriging>,
) {
  const { results } = await executeComputeJobOperation(
    { endpoint: 'evo-compute' },
    tasks.geostatistics.kriging({ orgId, parameters, timeout: '6 hours' }),
  );
  return results.target.attribute.name; // KrigingResult: typed, no cast
}

/** The same, following the job's progress while it runs. */
export async function gradeEstimateWithProgress(
  orgId: string,
  parameters: TaskParameters<typeof tasks.geostatistics.kriging>,
) {
  const endpoint = 'evo-compute';
  const operation = await startComputeJobOperation(
    { endpoint },
    tasks.geostatistics.kriging({ orgId, parameters }),
  );
  const { phase, status } = await getComputeJobOperationProgress({ endpoint }, operation); // one sync Nexus call
  const { results } = await operation.result();
  return `${phase} ${status?.progress ?? 0}% → ${results.target.attribute.name}`;
}
