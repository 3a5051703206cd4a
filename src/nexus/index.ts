/**
 * `evo-compute-temporal/nexus`: the package as a Nexus service, `evo-compute`, for callers in other
 * namespaces and other languages. This file is the contract only (names, input and output types),
 * workflow-safe to import: a caller's workflow code builds its Nexus client from it, and the handler
 * that serves it (`evoComputeNexusHandler`, in `evo-compute-temporal/plugin`) is checked against it.
 *
 * The operations, by the names a caller in any language uses:
 * - `runComputeJob` (asynchronous): starts `runComputeJob` on the handler's worker; input
 *   `RunComputeJobInput`, output `ComputeJobResult` (JSON Schemas in `schemas/`).
 * - `runComputeJobs` (asynchronous): starts `runComputeJobs`; input `RunComputeJobsInput`.
 * - `getComputeJobProgress` (synchronous): the `progress` view of a job started through the service,
 *   found by its operation token (or its workflow id).
 */
import * as nexus from 'nexus-rpc';
import type {
  AnyJobResults,
  AnyRunComputeJobInput,
  ComputeJobProgressView,
  ComputeJobResult,
} from '../common/types';
import type { RunComputeJobsInput, RunComputeJobsResult } from '../workflows/run-compute-jobs';

/** The service's name, as callers name it (`create_nexus_client(service="evo-compute", …)`). */
export const EVO_COMPUTE_NEXUS_SERVICE = 'evo-compute';

/** The endpoint name `evo-compute dev`, the demo and the docs use unless told otherwise. */
export const DEFAULT_NEXUS_ENDPOINT = 'evo-compute';

/**
 * Which job `getComputeJobProgress` reports on: the operation token the caller got when it started
 * `runComputeJob` (a Python caller's `handle.operation_token`, a TypeScript caller's `handle.token`),
 * or the handler workflow's id (shown in the caller's history and UI as the operation's link).
 */
export type ComputeJobProgressRequest = { operationToken: string } | { workflowId: string };

export const evoComputeService = nexus.service(EVO_COMPUTE_NEXUS_SERVICE, {
  runComputeJob: nexus.operation<AnyRunComputeJobInput, ComputeJobResult<AnyJobResults>>(),
  runComputeJobs: nexus.operation<RunComputeJobsInput, RunComputeJobsResult>(),
  getComputeJobProgress: nexus.operation<ComputeJobProgressRequest, ComputeJobProgressView>(),
});

export type EvoComputeService = typeof evoComputeService;
