import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';

/** Replays every history in `histories/` (from `temporal workflow show --output json`) on the bundle. */
async function main(): Promise<void> {
  const files = (await readdir('histories')).filter((file) => file.endsWith('.json'));
  const histories = await Promise.all(
    files.map(async (file) => {
      const history = JSON.parse(await readFile(join('histories', file), 'utf8'));
      // The run's own workflow ID: workflow code may use it (default child IDs do).
      const workflowId = history.events[0].workflowExecutionStartedEventAttributes.workflowId ?? file;
      return { workflowId, history };
    }),
  );
  let failed = 0;
  const bundle = { workflowBundle: { codePath: require.resolve('../workflow-bundle.js') } };
  for await (const result of Worker.runReplayHistories(bundle, histories)) {
    if (result.error) {
      failed += 1;
      console.error(`${result.workflowId}: ${result.error}`);
    }
  }
  console.log(`replayed ${histories.length} histories, ${failed} failed`);
  if (failed > 0) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
