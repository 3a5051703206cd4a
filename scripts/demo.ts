/**
 * `npm run demo`: the main job on the embedded defaults. Starts a local Temporal dev server (or
 * uses TEMPORAL_ADDRESS), the Compute API emulator and a worker, runs one `runComputeJob` on the
 * emulator's kriging task, prints its progress lines and results and where to see it in the
 * Temporal UI, then shuts everything down. `--keep` leaves it all running until Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE } from '../src/defaults';
import { startLocalTemporal } from '../src/dev/local-temporal';
import { startComputeEmulator } from '../src/emulator';
import { formatProgressLine } from '../src/progress-line';
import { progressQuery } from '../src/queries';
import { createComputeWorker } from '../src/worker';
import { runComputeJob } from '../src/workflows';

const ORG_ID = '00000000-0000-4000-8000-000000000000';
const TOKEN = 'demo-token';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const keep = process.argv.includes('--keep');
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((err) => console.error(`cleanup: ${err}`));
  };
  try {
    let address = process.env.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    let connection: Connection;
    let nativeConnection: NativeConnection;
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    if (address) {
      connection = await Connection.connect({ address });
      nativeConnection = await NativeConnection.connect({ address });
      cleanups.push(
        () => connection.close(),
        () => nativeConnection.close(),
      );
    } else {
      const uiPort = await freePort();
      console.log('Starting a local Temporal dev server…');
      const env = await startLocalTemporal({ uiPort });
      cleanups.push(() => env.teardown());
      address = env.address;
      uiUrl = `http://127.0.0.1:${uiPort}`;
      connection = env.connection;
      nativeConnection = env.nativeConnection;
    }
    const emulator = await startComputeEmulator({ accessToken: TOKEN });
    cleanups.push(() => emulator.close());
    console.log(`Temporal server ${address}, Compute API emulator ${emulator.url}`);

    const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
    const worker = await createComputeWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      baseUrl: emulator.url,
      accessToken: TOKEN,
    });
    const workerRun = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await workerRun;
    });

    const client = new Client({ connection, namespace });
    const workflowId = `evo-compute-demo-${randomUUID()}`;
    const handle = await client.workflow.start(runComputeJob, {
      taskQueue,
      workflowId,
      args: [
        {
          orgId: ORG_ID,
          topic: 'geostatistics',
          task: 'kriging',
          parameters: { blocks: 8, blockMs: 400 },
          pollInterval: '300ms',
        },
      ],
    });
    const link = uiUrl
      ? `${uiUrl}/namespaces/${namespace}/workflows/${workflowId}`
      : `workflow ${workflowId}`;
    console.log(`Started runComputeJob ${workflowId}`);
    if (uiUrl) console.log(`Temporal UI: ${link}`);

    let lastLine = '';
    const printer = setInterval(async () => {
      const view = await handle.query(progressQuery).catch(() => undefined);
      const line = view?.status ? formatProgressLine(view.status) : `[${view?.phase ?? 'starting'}]`;
      if (line !== lastLine) console.log(`  ${line}`);
      lastLine = line;
    }, 200);
    try {
      const { job, results } = await handle.result();
      console.log(`Job ${job.jobId} succeeded. Results:`);
      console.log(JSON.stringify(results, null, 2));
    } finally {
      clearInterval(printer);
    }
    console.log(`See the run in the Temporal UI: ${link}`);
    if (keep) {
      console.log('Everything keeps running; press Ctrl-C to stop.');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    console.log('Shutting down…');
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
