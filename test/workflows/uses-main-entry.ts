/** A user's workflow that imports the package's main entry: it must bundle (no Node or client modules). */
import { executeChild } from '@temporalio/workflow';
import {
  ComputeFailureType,
  computeJobChildOptions,
  progressQuery,
  type RunComputeJobInput,
} from '../../src';

export async function usesMainEntry(input: RunComputeJobInput): Promise<string> {
  const options = computeJobChildOptions(input, { key: 'main-entry' });
  await executeChild('runComputeJob', options);
  return `${ComputeFailureType.JobFailed} ${progressQuery.name}`;
}
