/**
 * The compute worker: `runComputeJob`, `runComputeJobs` and their activities on one Temporal task
 * queue, a worker that does nothing else (to run them on your own worker, see ../plugin).
 * `createComputeWorker(options)` for programs; the program `evo-compute-worker` (`npm start`) is
 * ../worker.ts, which reads its settings from the environment (see config.ts).
 */
import {
  NativeConnection,
  type NativeConnectionOptions,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';
import { type EvoComputePluginOptions, evoComputePlugin, evoComputeWorkflows } from '../plugin';

export interface ComputeWorkerOptions extends EvoComputePluginOptions {
  /** A connection to reuse; otherwise one is opened with `connectionOptions` and closed when the worker stops. */
  connection?: NativeConnection;
  /**
   * How to open the connection (address, default `localhost:7233`; TLS and mTLS; API key), e.g.
   * `temporalSettingsFromEnv().connection` or `@temporalio/envconfig`'s `loadClientConnectConfig()`.
   */
  connectionOptions?: NativeConnectionOptions;
  /**
   * Serve Prometheus metrics on this `host:port` (e.g. `0.0.0.0:9464`): Temporal Core's worker
   * metrics and the package's own (`COMPUTE_METRICS`). Installs the process's Temporal Runtime, so
   * it must be the first Temporal thing the process does; with a Runtime of your own, set its
   * `telemetryOptions` instead.
   */
  metricsAddress?: string;
  /** Default `default`. */
  namespace?: string;
  /** Default `evo-compute`. */
  taskQueue?: string;
  /**
   * Any other `Worker.create` option (e.g. `workflowBundle`, `maxConcurrentActivityTaskExecutions`).
   * Its `activities` are registered next to the compute activities, its `plugins` after the
   * compute plugin. A `dataConverter` (e.g. an encryption codec) must be the one your clients use;
   * with a `payloadConverterPath` or `failureConverterPath` the workflows are bundled at start-up
   * unless you give a `workflowBundle` built with them (docs/data-converter.md).
   */
  worker?: Partial<WorkerOptions>;
}

export interface ComputeWorker {
  readonly worker: Worker;
  /** Where the workflow code came from: `prebuilt bundle`, or why it was bundled at start-up. */
  readonly workflowSource: string;
  /** Runs until shut down (SIGINT/SIGTERM or `shutdown()`), then closes what it opened. */
  run(): Promise<void>;
  /** Starts a graceful shutdown: polling stops, in-flight tasks finish or are handed back. */
  shutdown(): void;
}

/**
 * Installs the Temporal Runtime with a Prometheus endpoint on `address`. The Runtime is one per
 * process and must be installed before any connection is made.
 */
export function installMetricsRuntime(address: string): void {
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: address } } } });
  } catch (err) {
    throw new Error(
      `cannot serve metrics on ${address}: the Temporal Runtime is already installed; ` +
        `give it telemetryOptions.metrics.prometheus instead (${err instanceof Error ? err.message : err})`,
    );
  }
}

/**
 * A worker that runs the package's workflows and activities on one task queue: `Worker.create`
 * with `evoComputePlugin` (the same plugin you add to your own worker) and the package's workflows.
 */
export async function createComputeWorker(options: ComputeWorkerOptions): Promise<ComputeWorker> {
  const {
    connection: given,
    connectionOptions,
    namespace,
    taskQueue,
    metricsAddress,
    worker: workerOptions = {},
    ...computeOptions
  } = options;
  if (metricsAddress) installMetricsRuntime(metricsAddress);
  // The bundle `npm run build` made, unless the caller brings workflows of its own.
  const ownWorkflows = workerOptions.workflowBundle ?? workerOptions.workflowsPath;
  const workflows = ownWorkflows
    ? undefined
    : evoComputeWorkflows({ dataConverter: workerOptions.dataConverter });
  const connection =
    given ??
    (await NativeConnection.connect({
      ...connectionOptions,
      address: connectionOptions?.address ?? DEFAULT_TEMPORAL_ADDRESS,
    }));
  try {
    const worker = await Worker.create({
      ...workflows?.options,
      ...workerOptions,
      connection,
      namespace: namespace ?? DEFAULT_NAMESPACE,
      taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
      plugins: [evoComputePlugin(computeOptions), ...(workerOptions.plugins ?? [])],
    });
    return {
      worker,
      workflowSource: workflows?.source ?? 'the caller',
      async run() {
        try {
          await worker.run();
        } finally {
          if (!given) await connection.close();
        }
      },
      shutdown: () => worker.shutdown(),
    };
  } catch (err) {
    if (!given) await connection.close();
    throw err;
  }
}

export { clientCredentials } from '../auth/client-credentials';
export { ConfigError, temporalSettingsFromEnv, workerSettingsFromEnv } from './config';
