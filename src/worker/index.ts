#!/usr/bin/env node
/**
 * The compute worker: wires the activities and `runComputeJob` to a Temporal task queue.
 * `createComputeWorker(options)` for programs, or run this file (`npm start`,
 * `evo-compute-worker`) with the settings in the environment (see config.ts).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createComputeActivities } from '../activities';
import { ComputeApiClient, type ComputeApiClientOptions } from '../api/compute-api-client';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';
import { ConfigError, workerSettingsFromEnv } from './config';

export interface ComputeWorkerOptions extends ComputeApiClientOptions {
  /** A connection to reuse; otherwise one is opened to `address` and closed when the worker stops. */
  connection?: NativeConnection;
  /** Default `localhost:7233`. */
  address?: string;
  tls?: boolean;
  apiKey?: string;
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
      address: options.address ?? DEFAULT_TEMPORAL_ADDRESS,
      tls: options.tls,
      apiKey: options.apiKey,
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

async function main(): Promise<void> {
  let settings: ReturnType<typeof workerSettingsFromEnv>;
  try {
    settings = workerSettingsFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`evo-compute-worker: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const computeWorker = await createComputeWorker({
    baseUrl: settings.baseUrl,
    accessToken: settings.accessToken,
    address: settings.temporalAddress,
    tls: settings.tls,
    apiKey: settings.apiKey,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
  });
  console.error(
    `evo-compute-worker: polling ${settings.namespace}/${settings.taskQueue} on ${settings.temporalAddress} for ${settings.baseUrl}`,
  );
  await computeWorker.run();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`evo-compute-worker: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
