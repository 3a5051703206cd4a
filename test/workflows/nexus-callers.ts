/**
 * Test-only caller workflows in another namespace than the compute worker: they reach the compute
 * fleet through a Nexus endpoint, as a platform team's users would.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { readComputeFailure } from '../../src/common/failures';
import type { TaskParameters } from '../../src/common/tasks/catalogue';
import { tasks } from '../../src/common/tasks/catalogue';
import type { ComputeJobProgressView, ComputeJobResult, RunComputeJobInput } from '../../src/common/types';
import {
  executeComputeJobOperation,
  executeComputeJobsOperation,
  getComputeJobOperationProgress,
  startComputeJobOperation,
} from '../../src/workflows';

/** One job through the service; the result as the handler's workflow returned it. */
export async function nexusCallerOfOneJob(
  endpoint: string,
  input: RunComputeJobInput,
): Promise<ComputeJobResult> {
  return executeComputeJobOperation({ endpoint }, input);
}

/** A catalogue task through the service: the results are typed (`KrigingResult`), no cast. */
export async function nexusCallerKriging(
  endpoint: string,
  orgId: string,
  parameters: TaskParameters<typeof tasks.geostatistics.kriging>,
): Promise<{ attribute: string; jobId: string }> {
  const { job, results } = await executeComputeJobOperation(
    { endpoint },
    tasks.geostatistics.kriging({ orgId, parameters, pollInterval: 100 }),
  );
  return { attribute: results.target.attribute.name, jobId: job.jobId };
}

/** Starts a job, reads its progress through the service until it has moved, then waits for the end. */
export async function nexusCallerFollowingProgress(
  endpoint: string,
  input: RunComputeJobInput,
): Promise<{ seen: ComputeJobProgressView; result: ComputeJobResult; token?: string }> {
  const handle = await startComputeJobOperation({ endpoint }, input);
  let seen = await getComputeJobOperationProgress({ endpoint }, handle);
  while (!((seen.status?.progress ?? 0) > 0)) {
    await sleep(100);
    seen = await getComputeJobOperationProgress({ endpoint }, handle);
  }
  return { seen, result: await handle.result(), token: handle.token };
}

/** Runs a job and reports how it failed, as a caller reads it: the package's failure type. */
export async function nexusCallerReadingFailure(
  endpoint: string,
  input: RunComputeJobInput,
): Promise<{
  type?: string;
  message?: string;
  problemTitle?: string;
  chain: string[];
  nonRetryable?: boolean;
}> {
  try {
    await executeComputeJobOperation({ endpoint }, input);
    return { chain: [] };
  } catch (err) {
    const chain: string[] = [];
    let nonRetryable: boolean | undefined;
    for (let current: unknown = err; current instanceof Error; current = current.cause) {
      chain.push(current.name);
      if ('nonRetryable' in current && current.name === 'ApplicationFailure') {
        nonRetryable = Boolean(current.nonRetryable);
      }
    }
    const failure = readComputeFailure(err);
    const problem = failure?.details.problem as { title?: string } | undefined;
    return {
      type: failure?.type,
      message: failure?.message,
      problemTitle: problem?.title,
      chain,
      nonRetryable,
    };
  }
}

/** A job the caller gives up on when cancelled: reports whether its wait ended as a cancellation. */
export async function nexusCallerCancelled(endpoint: string, input: RunComputeJobInput): Promise<string> {
  try {
    await executeComputeJobOperation({ endpoint }, input);
    return 'completed';
  } catch (err) {
    if (isCancellation(err)) {
      // Report it as the outcome, after the operation's cancellation has completed.
      return CancellationScope.nonCancellable(async () => 'cancelled');
    }
    throw err;
  }
}

/** Many jobs through the service in one operation. */
export async function nexusCallerOfManyJobs(endpoint: string, jobs: RunComputeJobInput[]) {
  return executeComputeJobsOperation({ endpoint }, { jobs, concurrency: 2 });
}
