#!/usr/bin/env node
/**
 * The compute worker: wires the activities and `runComputeJob` to a Temporal task queue.
 * `createComputeWorker(options)` for programs, or run this file (`npm start`,
 * `evo-compute-worker`) with the settings in the environment (see config.ts).
 */
import {
  NativeConnection,
  type NativeConnectionOptions,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { createComputeActivities } from '../activities';
import type { AccessTokenProvider } from '../api/access-token';
import { ComputeApiClient, type ComputeApiClientOptions } from '../api/compute-api-client';
import { TokenRequestRefused } from '../auth/client-credentials';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';
import { type ComputeWorkerSettings, ConfigError, workerSettingsFromEnv } from './config';

export interface ComputeWorkerOptions extends ComputeApiClientOptions {
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
  /** Any other `Worker.create` option (e.g. `workflowBundle`, `maxConcurrentActivityTaskExecutions`). */
  worker?: Partial<WorkerOptions>;
}

export interface ComputeWorker {
  readonly worker: Worker;
  /** Runs until shut down (SIGINT/SIGTERM or `shutdown()`), then closes what it opened. */
  run(): Promise<void>;
  /** Starts a graceful shutdown: polling stops, in-flight tasks finish or are handed back. */
  shutdown(): void;
}

export async function createComputeWorker(options: ComputeWorkerOptions): Promise<ComputeWorker> {
  const client = new ComputeApiClient(options);
  const connection =
    options.connection ??
    (await NativeConnection.connect({
      ...options.connectionOptions,
      address: options.connectionOptions?.address ?? DEFAULT_TEMPORAL_ADDRESS,
    }));
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    // A prebuilt bundle (options.worker.workflowBundle) replaces bundling at start-up.
    ...(options.worker?.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
    activities: createComputeActivities({ client }),
    // waitForJob holds a slot while it waits; the slots are idle I/O, not CPU, so allow many.
    maxConcurrentActivityTaskExecutions: 1_000,
    // On shutdown, running activities get this long to finish; then they are cancelled and
    // Temporal retries them on another worker.
    shutdownGraceTime: '10 seconds',
    ...options.worker,
  });
  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await client.close();
        if (!options.connection) await connection.close();
      }
    },
    shutdown: () => worker.shutdown(),
  };
}

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
export { clientCredentials } from '../auth/client-credentials';
export { ConfigError, temporalSettingsFromEnv, workerSettingsFromEnv } from './config';

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
