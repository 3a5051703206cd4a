/**
 * Runs the orchestration example end to end on the embedded defaults, like `npm run demo`: a local
 * Temporal dev server (or TEMPORAL_ADDRESS), the Compute API emulator, the compute worker on
 * `evo-compute` and "your" worker, which hosts `krigeThenSummarise`, on its own task queue.
 *
 *   npx tsc -p . && node build/examples/orchestration/run.js
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { formatProgressLine, progressQuery } from '../../src';
import { computeJobWorkflowId } from '../../src/common/workflow-id';
import { startLocalTemporal } from '../../src/dev/local-temporal';
import { exampleKrigingParameters, startComputeEmulator } from '../../src/emulator';
import { temporalSettingsFromEnv } from '../../src/worker/config';
import { createComputeWorker } from '../../src/worker/index';
import { krigeThenSummarise } from './workflows';

const ORG_ID = '00000000-0000-4000-8000-000000000000';
const TOKEN = 'example-token';
const ORCHESTRATION_QUEUE = 'orchestration-example';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const settings = temporalSettingsFromEnv();
    const namespace = settings.namespace;
    let connection: Connection;
    let nativeConnection: NativeConnection;
    if (settings.addressConfigured) {
      connection = await Connection.connect(settings.connection);
      nativeConnection = await NativeConnection.connect(settings.connection);
    } else {
      console.log('Starting a local Temporal dev server…');
      const server = await startLocalTemporal({ namespace });
      cleanups.push(() => server.stop());
      connection = await Connection.connect({ address: server.address });
      nativeConnection = await NativeConnection.connect({ address: server.address });
    }
    cleanups.push(
      () => connection.close(),
      () => nativeConnection.close(),
    );
    // Kriging jobs on the emulator take 2 s (real parameters carry no duration).
    const emulator = await startComputeEmulator({ accessToken: TOKEN, taskDurationMs: 2000 });
    cleanups.push(() => emulator.close());

    // The compute worker: runComputeJob and the activities, on `evo-compute`.
    const computeTaskQueue = settings.taskQueue;
    const computeWorker = await createComputeWorker({
      connection: nativeConnection,
      namespace,
      taskQueue: computeTaskQueue,
      baseUrl: emulator.url,
      accessToken: TOKEN,
    });
    // Your worker: your workflows, on your task queue. No activities needed.
    const yourWorker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue: ORCHESTRATION_QUEUE,
      workflowsPath: require.resolve('./workflows'),
    });
    const running = [computeWorker.run(), yourWorker.run()];
    cleanups.push(async () => {
      computeWorker.shutdown();
      yourWorker.shutdown();
      await Promise.all(running);
    });

    const client = new Client({ connection, namespace });
    const workflowId = `orchestration-example-${randomUUID()}`;
    const handle = await client.workflow.start(krigeThenSummarise, {
      taskQueue: ORCHESTRATION_QUEUE,
      workflowId,
      args: [
        { orgId: ORG_ID, kriging: exampleKrigingParameters(ORG_ID), pollInterval: '300ms', computeTaskQueue },
      ],
    });
    console.log(`Started krigeThenSummarise ${workflowId}`);

    // The children's IDs are deterministic, so their progress can be followed from outside.
    const children = [
      computeJobWorkflowId('geostatistics', 'kriging', `${workflowId}/kriging`),
      computeJobWorkflowId('emulator', 'job', `${workflowId}/summary`),
    ];
    let last = '';
    const printer = setInterval(async () => {
      for (const childId of children) {
        const view = await client.workflow
          .getHandle(childId)
          .query(progressQuery)
          .catch(() => undefined);
        if (!view?.status || view.phase === 'done') continue;
        const line = `  ${childId}: ${formatProgressLine(view.status)}`;
        if (line !== last) console.log(line);
        last = line;
      }
    }, 250);
    try {
      const result = await handle.result();
      console.log(
        `Kriging job ${result.kriging.jobId} wrote ${result.estimate.attribute} on ${result.estimate.object}`,
      );
      console.log(`Summary job ${result.summary.jobId}, results:`);
      console.log(JSON.stringify(result.summaryResults, null, 2));
    } finally {
      clearInterval(printer);
    }
  } finally {
    console.log('Shutting down…');
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((err) => console.error(`cleanup: ${err}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`example failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
