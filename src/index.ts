/**
 * `evo-compute-temporal`: the types, constants and pure helpers that orchestration code and
 * Temporal clients use. Nothing here pulls in the worker, undici or Node-only modules.
 */

export { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from './defaults';
export { ComputeFailureType, NON_RETRYABLE_FAILURE_TYPES, RETRYABLE_FAILURE_TYPES } from './failures';
export { InvalidInputError, isUuid, jobRefFromUrl } from './job-url';
export { formatProblem, formatProgressLine } from './progress-line';
export { progressQuery } from './queries';
export * from './types';
export { PACKAGE_VERSION } from './version';
