#!/usr/bin/env node
/**
 * The compute worker: `runComputeJob`, `runComputeJobs` and their activities on one Temporal task
 * queue, a worker that does nothing else (to run them on your own worker, see ../plugin).
 * `createComputeWorker(options)` for programs, or run this file (`npm start`,
 * `evo-compute-worker`) with the settings in the environment (see config.ts).
 */
import {
  NativeConnection,
  type NativeConnectionOptions,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type { AccessTokenProvider } from '../api/access-token';
import { TokenRequestRefused } from '../auth/client-credentials';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';
import { type EvoComputePluginOptions, evoComputePlugin, evoComputeWorkflows } from '../plugin';
import { type ComputeWorkerSettings, ConfigError, workerSettingsFromEnv } from './config';

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
   * compute plugin.
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
  const workflows = ownWorkflows ? undefined : evoComputeWorkflows();
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

function fail(message: string, code: number): never {
  console.error(`evo-compute-worker: ${message}`);
  process.exit(code);
}

/**
 * With client credentials, one token is fetched before the worker polls, so that credentials the
 * issuer refuses stop the worker at once (exit code 2) rather than leave every job retrying. An
 * issuer that cannot be reached is not fatal: jobs wait (retrying `AccessTokenUnavailable`) until
 * it is back.
 */
async function checkCredentials(settings: ComputeWorkerSettings): Promise<AccessTokenProvider> {
  const provider = settings.accessToken;
  if (!settings.checkCredentials || typeof provider !== 'function') return provider;
  let first: Awaited<ReturnType<typeof provider>> | undefined;
  try {
    first = await provider();
  } catch (err) {
    if (err instanceof TokenRequestRefused) fail(`EVO_CLIENT_ID / EVO_CLIENT_SECRET: ${err.message}`, 2);
    if (err instanceof ConfigError) fail(err.message, 2);
    console.error(
      `evo-compute-worker: warning: no Evo token yet (${err instanceof Error ? err.message : err}); jobs wait until the issuer answers`,
    );
    return provider;
  }
  // The first request uses the token just fetched rather than ask for another.
  return () => {
    const grant = first;
    first = undefined;
    return grant ?? provider();
  };
}

async function main(): Promise<void> {
  let settings: ComputeWorkerSettings;
  try {
    settings = workerSettingsFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  const accessToken = await checkCredentials(settings);
  const computeWorker = await createComputeWorker({
    baseUrl: settings.baseUrl,
    accessToken,
    connectionOptions: settings.connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    metricsAddress: settings.metricsAddress,
    nexus: settings.nexus,
  });
  const metrics = settings.metricsAddress ? `; metrics on http://${settings.metricsAddress}/metrics` : '';
  const nexus = settings.nexus ? '; serves the evo-compute Nexus service' : '';
  console.error(
    `evo-compute-worker: polling ${settings.namespace}/${settings.taskQueue} on ${settings.connection.address} for ${settings.baseUrl} with ${settings.credentials}${metrics}${nexus}; workflows: ${computeWorker.workflowSource}`,
  );
  await computeWorker.run();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`evo-compute-worker: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
