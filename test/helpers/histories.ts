import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
// The SDK has no public way to write a history as JSON; the replay test reads these files with
// public APIs only (the replayer takes the JSON as it is).
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** The project's root folder (this file runs from `build/test/helpers/`). */
const PROJECT_ROOT = join(__dirname, '..', '..', '..');

/** Where the replay test finds the recorded histories of the workflows. */
export const HISTORIES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=<version> (e.g. `v0.1`), saves the workflow's history as the fixture
 * `<version>-<name>.json` for the replay test. Run the workflow tests this way before changing a
 * workflow, so that the change is checked against what is already running in production.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const version = process.env.RECORD_HISTORIES;
  if (!version) return;
  await mkdir(HISTORIES_DIR, { recursive: true });
  // Stack traces in failures name files by absolute path: keep the recording machine's folders out.
  const json = historyToJSON(await handle.fetchHistory()).replaceAll(`${PROJECT_ROOT}/`, '<project>/');
  await writeFile(join(HISTORIES_DIR, `${version}-${name}.json`), json);
}
