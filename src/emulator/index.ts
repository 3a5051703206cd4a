/**
 * A local emulator of the Seequent Evo Compute Tasks API, on a real `node:http` server, for tests,
 * demos and development without an Evo account.
 *
 * ```ts
 * const emulator = await startComputeEmulator();
 * // point a client at emulator.url, submit to `emulator/job` or `geostatistics/kriging`
 * await emulator.close();
 * ```
 */

export { exampleKrigingParameters, exampleObjectUrl } from './example-parameters';
export { MAX_BODY_BYTES } from './http';
export { PROBLEM_TYPE_BASE } from './problems';
export { startComputeEmulator } from './server';
export {
  BUILT_IN_TASKS,
  type BuiltInTask,
  type BuiltInTaskParameter,
  DEFAULT_CATALOGUE_TASK_DURATION_MS,
  type TaskDuration,
} from './tasks';
export type {
  ComputeEmulator,
  ComputeEmulatorOptions,
  EmulatedJobSnapshot,
  EmulatorOAuthOptions,
  RecordedRequest,
  RequestCounts,
  TokenStats,
} from './types';
