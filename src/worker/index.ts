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
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type { AccessTokenProvider } from '../api/access-token';
import { TokenRequestRefused } from '../auth/client-credentials';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';
import { type EvoComputePluginOptions, evoComputePlugin } from '../plugin';
import { type ComputeWorkerSettings, ConfigError, workerSettingsFromEnv } from './config';

export interface ComputeWorkerOptions extends EvoComputePluginOptions {
  /** A connection to reuse; otherwise one is opened with `connectionOptions` and closed when the worker stops. */
  connection?: NativeConnection;
  /**
   * How to open the connection (address, default `localhost:7233`; TLS and mTLS; API key), e.g.
   * `temporalSettingsFromEnv().connection` or `@temporalio/envconfig`'s `loadClientConnectConfig()`.
   */
  connectionOptions?: NativeConnectionOptions;
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
  /** Runs until shut down (SIGINT/SIGTERM or `shutdown()`), then closes what it opened. */
  run(): Promise<void>;
  /** Starts a graceful shutdown: polling stops, in-flight tasks finish or are handed back. */
  shutdown(): void;
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
    worker: workerOptions = {},
    ...computeOptions
  } = options;
  const connection =
    given ??
    (await NativeConnection.connect({
      ...connectionOptions,
      address: connectionOptions?.address ?? DEFAULT_TEMPORAL_ADDRESS,
    }));
  try {
    const worker = await Worker.create({
      // A prebuilt bundle (options.worker.workflowBundle) replaces bundling at start-up.
      ...(workerOptions.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
      ...workerOptions,
      connection,
      namespace: namespace ?? DEFAULT_NAMESPACE,
      taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
      plugins: [evoComputePlugin(computeOptions), ...(workerOptions.plugins ?? [])],
    });
    return {
      worker,
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
  });
  console.error(
    `evo-compute-worker: polling ${settings.namespace}/${settings.taskQueue} on ${settings.connection.address} for ${settings.baseUrl} with ${settings.credentials}`,
  );
  await computeWorker.run();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`evo-compute-worker: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
