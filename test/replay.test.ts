/**
 * Determinism: every recorded history (one per path a job can take, recorded by the workflow tests
 * with RECORD_HISTORIES set) must replay on the current code, so that workflows in flight during an
 * upgrade keep running. Re-record them when a change to the workflows is meant to be incompatible.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from './helpers/histories';
import { quietRuntime, workflowBundle } from './helpers/temporal';

test('recorded histories replay on the current workflow code', async () => {
  quietRuntime();
  const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.json')).sort();
  assert.ok(files.length >= 16, `expected the recorded histories, found ${files.length}`);
  async function* histories() {
    for (const file of files) {
      // The replayer takes a history as `temporal workflow show --output json` writes it.
      const history: unknown = JSON.parse(await readFile(join(HISTORIES_DIR, file), 'utf8'));
      yield { workflowId: file.replace(/\.json$/, ''), history };
    }
  }
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle() },
    histories(),
  )) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
