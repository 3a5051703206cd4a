/**
 * The roots of the JSON contract in schemas/run-compute-job (scripts/generate-job-contract.mjs):
 * the generator takes no generic type as a root, so each is named here with its defaults, the
 * untyped form a caller in another language sends and receives. Types only: nothing imports this.
 */
import type { ComputeJobProgressView, ComputeJobResult, RunComputeJobInput } from '../src/common/types';
import type { ComputeJobProgressRequest } from '../src/nexus';

export type ContractInput = RunComputeJobInput;
export type ContractResult = ComputeJobResult;
export type ContractProgressRequest = ComputeJobProgressRequest;
export type ContractProgress = ComputeJobProgressView;
