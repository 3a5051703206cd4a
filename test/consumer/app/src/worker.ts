import { NativeConnection, Worker } from '@temporalio/worker';
import { evoComputePlugin } from 'evo-compute-temporal/plugin';
import * as activities from './activities';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    taskQueue: 'my-app',
    workflowsPath: require.resolve('./workflows'),
    activities,
    plugins: [
      evoComputePlugin({
        baseUrl: process.env.EVO_BASE_URL ?? 'https://example.api.seequent.com',
        accessToken: async () => process.env.EVO_ACCESS_TOKEN ?? '',
      }),
    ],
  });
  try {
    await worker.run(); // until SIGINT or SIGTERM
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
