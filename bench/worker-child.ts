/**
 * The worker the bench measures, in a process of its own: `createComputeWorker` configured from
 * the environment exactly as `evo-compute-worker` is (TEMPORAL_ADDRESS, EVO_COMPUTE_TASK_QUEUE,
 * EVO_BASE_URL, EVO_ACCESS_TOKEN, …), plus an IPC channel to the bench: `ready` once the worker
 * is created (workflow bundle built), and a graceful shutdown when the bench says `stop` or goes
 * away, so that the worker never outlives it.
 */

import { workerSettingsFromEnv } from '../src/worker/config';
import { createComputeWorker } from '../src/worker/index';

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv();
  const computeWorker = await createComputeWorker({
    baseUrl: settings.baseUrl,
    accessToken: settings.accessToken,
    connectionOptions: settings.connection,
    // BENCH_WORKFLOWS=bundle: bundle at start-up as before the prebuilt bundle (the startup phase).
    ...(process.env.BENCH_WORKFLOWS === 'bundle'
      ? { worker: { workflowsPath: require.resolve('../src/workflows') } }
      : {}),
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    computeWorker.shutdown();
    // Shutdown grace is 10 s; never linger much past it.
    setTimeout(() => process.exit(3), 20_000).unref();
  };
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  process.on('disconnect', stop);
  const running = computeWorker.run();
  process.send?.('ready');
  await running;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench worker: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    process.exit(1);
  },
);
