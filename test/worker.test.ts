/**
 * The runnable worker (`evo-compute-worker`) as an operator meets it: settings from the
 * environment with one clear line per mistake, and a graceful stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalTemporal } from '../src/dev/local-temporal';
import { ConfigError, workerSettingsFromEnv } from '../src/worker/config';
import { waitFor } from './helpers/wait';

const WORKER = require.resolve('../src/worker');
const VALID = { EVO_BASE_URL: 'https://hub.example.test', EVO_ACCESS_TOKEN: 'token' };

function runWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, [WORKER], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('worker settings', () => {
  test('defaults', () => {
    const settings = workerSettingsFromEnv(VALID);
    assert.equal(settings.temporalAddress, 'localhost:7233');
    assert.equal(settings.namespace, 'default');
    assert.equal(settings.taskQueue, 'evo-compute');
    assert.equal(settings.tls, false);
    assert.equal(settings.accessToken, 'token');
  });

  const mistakes: [string, Record<string, string>, string][] = [
    ['EVO_BASE_URL missing', { EVO_ACCESS_TOKEN: 't' }, 'EVO_BASE_URL'],
    ['EVO_BASE_URL not a URL', { ...VALID, EVO_BASE_URL: 'hub.example' }, 'EVO_BASE_URL'],
    ['EVO_BASE_URL not http', { ...VALID, EVO_BASE_URL: 'ftp://hub.example' }, 'EVO_BASE_URL'],
    ['no token', { EVO_BASE_URL: VALID.EVO_BASE_URL }, 'EVO_ACCESS_TOKEN'],
    ['both token forms', { ...VALID, EVO_ACCESS_TOKEN_FILE: '/x' }, 'EVO_ACCESS_TOKEN'],
    ['address without port', { ...VALID, TEMPORAL_ADDRESS: 'temporal.example' }, 'TEMPORAL_ADDRESS'],
    ['address with a bad port', { ...VALID, TEMPORAL_ADDRESS: 'localhost:99999' }, 'TEMPORAL_ADDRESS'],
    ['TLS not a boolean', { ...VALID, TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS'],
  ];
  for (const [name, env, setting] of mistakes) {
    test(`${name} names ${setting}`, () => {
      assert.throws(
        () => workerSettingsFromEnv(env),
        (err: unknown) =>
          err instanceof ConfigError && err.setting === setting && err.message.startsWith(setting),
      );
    });
  }

  test('an API key turns TLS on', () => {
    assert.equal(workerSettingsFromEnv({ ...VALID, TEMPORAL_API_KEY: 'k' }).tls, true);
    assert.equal(
      workerSettingsFromEnv({ ...VALID, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).tls,
      false,
    );
  });

  test('the runnable worker stops on a bad setting with one line and exit code 2', async () => {
    const worker = runWorker({ EVO_ACCESS_TOKEN: 't' });
    assert.equal(await worker.exited, 2);
    const lines = worker.stderr().trim().split('\n');
    assert.equal(lines.length, 1, worker.stderr());
    assert.match(lines[0] ?? '', /^evo-compute-worker: EVO_BASE_URL is not set/);
  });
});

describe('the runnable worker on a real server', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startLocalTemporal();
  });
  after(() => env?.teardown());

  test('SIGTERM shuts it down gracefully with exit code 0', async () => {
    const worker = runWorker({
      ...VALID,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: 'sigterm-test',
    });
    await waitFor(
      'the worker to poll',
      () => worker.stderr().includes('evo-compute-worker: polling'),
      60_000,
    );
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.stderr());
    assert.match(worker.stderr(), /state: 'STOPPED'/);
  });
});
