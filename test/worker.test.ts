/**
 * The runnable worker (`evo-compute-worker`) as an operator meets it: settings from the
 * environment with one clear line per mistake, and a graceful stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConfigError, workerSettingsFromEnv } from '../src/worker/config';
import { startLocalTemporal } from './helpers/temporal-env';
import { waitFor } from './helpers/wait';

const WORKER = require.resolve('../src/worker.js');
const VALID = { EVO_BASE_URL: 'https://hub.example.test', EVO_ACCESS_TOKEN: 'token' };
const dir = mkdtempSync(join(tmpdir(), 'evo-worker-settings-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const CONFIG_FILE = file(
  'temporal.toml',
  [
    '[profile.prod]',
    'address = "prod.tmprl.example:7233"',
    'namespace = "prod-ns"',
    'api_key = "prod-key"',
    '',
  ].join('\n'),
);

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
    assert.equal(settings.connection.address, 'localhost:7233');
    assert.equal(settings.namespace, 'default');
    assert.equal(settings.taskQueue, 'evo-compute');
    assert.equal(settings.connection.tls, undefined);
    assert.equal(settings.accessToken, 'token');
    assert.equal(settings.nexus, true, 'serves the evo-compute Nexus service unless EVO_COMPUTE_NEXUS=off');
    assert.equal(workerSettingsFromEnv({ ...VALID, EVO_COMPUTE_NEXUS: 'OFF' }).nexus, false);
  });

  test('mTLS client certificate, key and server CA from files', () => {
    const settings = workerSettingsFromEnv({
      ...VALID,
      TEMPORAL_ADDRESS: 'ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem', 'CERT'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key', 'KEY'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem', 'CA'),
      TEMPORAL_TLS_SERVER_NAME: 'ns.a1b2c.tmprl.cloud',
    });
    const tls = settings.connection.tls;
    assert.ok(typeof tls === 'object' && tls !== null);
    assert.equal(Buffer.from(tls.clientCertPair?.crt ?? '').toString(), 'CERT');
    assert.equal(Buffer.from(tls.clientCertPair?.key ?? '').toString(), 'KEY');
    assert.equal(Buffer.from(tls.serverRootCACertificate ?? '').toString(), 'CA');
    assert.equal(tls.serverNameOverride, 'ns.a1b2c.tmprl.cloud');
  });

  test('a profile of a config file, overridden by the environment', () => {
    const settings = workerSettingsFromEnv({
      ...VALID,
      TEMPORAL_CONFIG_FILE: CONFIG_FILE,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'override-ns',
      EVO_COMPUTE_TASK_QUEUE: 'fleet',
    });
    assert.equal(settings.connection.address, 'prod.tmprl.example:7233');
    assert.equal(settings.connection.apiKey, 'prod-key');
    assert.equal(settings.connection.tls, true, 'an API key turns TLS on');
    assert.equal(settings.namespace, 'override-ns');
    assert.equal(settings.taskQueue, 'fleet');
  });

  test('client credentials', () => {
    const settings = workerSettingsFromEnv({
      EVO_BASE_URL: VALID.EVO_BASE_URL,
      EVO_CLIENT_ID: 'fleet-worker',
      EVO_CLIENT_SECRET_FILE: file('secret', 's3cret-value\n'),
    });
    assert.equal(typeof settings.accessToken, 'function');
    assert.equal(settings.checkCredentials, true);
    assert.match(
      settings.credentials,
      /^client credentials for fleet-worker from https:\/\/ims\.bentley\.com$/,
    );
    assert.doesNotMatch(settings.credentials, /s3cret/);
  });

  const mistakes: [string, Record<string, string>, string][] = [
    ['EVO_BASE_URL missing', { EVO_ACCESS_TOKEN: 't' }, 'EVO_BASE_URL'],
    ['EVO_BASE_URL not a URL', { ...VALID, EVO_BASE_URL: 'hub.example' }, 'EVO_BASE_URL'],
    ['EVO_BASE_URL not http', { ...VALID, EVO_BASE_URL: 'ftp://hub.example' }, 'EVO_BASE_URL'],
    ['no credentials', { EVO_BASE_URL: VALID.EVO_BASE_URL }, 'EVO_CLIENT_ID'],
    ['both token forms', { ...VALID, EVO_ACCESS_TOKEN_FILE: '/x' }, 'EVO_ACCESS_TOKEN'],
    ['a token and a client', { ...VALID, EVO_CLIENT_ID: 'c', EVO_CLIENT_SECRET: 's' }, 'EVO_ACCESS_TOKEN'],
    [
      'a client without a secret',
      { EVO_BASE_URL: VALID.EVO_BASE_URL, EVO_CLIENT_ID: 'c' },
      'EVO_CLIENT_SECRET',
    ],
    [
      'an unreadable secret file',
      { EVO_BASE_URL: VALID.EVO_BASE_URL, EVO_CLIENT_ID: 'c', EVO_CLIENT_SECRET_FILE: join(dir, 'absent') },
      'EVO_CLIENT_SECRET_FILE',
    ],
    [
      'a plain-http issuer that is not loopback',
      {
        EVO_BASE_URL: VALID.EVO_BASE_URL,
        EVO_CLIENT_ID: 'c',
        EVO_CLIENT_SECRET: 's',
        EVO_OAUTH_ISSUER: 'http://ims.example',
      },
      'EVO_OAUTH_ISSUER',
    ],
    [
      'an unknown profile',
      { ...VALID, TEMPORAL_CONFIG_FILE: CONFIG_FILE, TEMPORAL_PROFILE: 'staging' },
      'TEMPORAL_PROFILE',
    ],
    [
      'a config file that is not TOML',
      { ...VALID, TEMPORAL_CONFIG_FILE: file('bad.toml', '[profile.x\n') },
      'TEMPORAL_CONFIG_FILE',
    ],
    [
      'a client certificate without its key',
      { ...VALID, TEMPORAL_TLS_CLIENT_CERT_PATH: file('only.pem', 'CERT') },
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
    ],
    [
      'a client certificate file that does not exist',
      {
        ...VALID,
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'absent.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'absent.key'),
      },
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
    ],
    ['address without port', { ...VALID, TEMPORAL_ADDRESS: 'temporal.example' }, 'TEMPORAL_ADDRESS'],
    ['address with a bad port', { ...VALID, TEMPORAL_ADDRESS: 'localhost:99999' }, 'TEMPORAL_ADDRESS'],
    ['TLS not a boolean', { ...VALID, TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS'],
    [
      'a metrics address without a port',
      { ...VALID, EVO_COMPUTE_METRICS_ADDRESS: '0.0.0.0' },
      'EVO_COMPUTE_METRICS_ADDRESS',
    ],
    ['Nexus neither on nor off', { ...VALID, EVO_COMPUTE_NEXUS: 'yes' }, 'EVO_COMPUTE_NEXUS'],
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
    assert.equal(workerSettingsFromEnv({ ...VALID, TEMPORAL_API_KEY: 'k' }).connection.tls, true);
    assert.equal(
      workerSettingsFromEnv({ ...VALID, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).connection.tls,
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

  test('a bad Temporal setting also stops it with one line naming it and exit code 2', async () => {
    const worker = runWorker({ ...VALID, TEMPORAL_CONFIG_FILE: CONFIG_FILE, TEMPORAL_PROFILE: 'staging' });
    assert.equal(await worker.exited, 2);
    const lines = worker.stderr().trim().split('\n');
    assert.equal(lines.length, 1, worker.stderr());
    assert.match(
      lines[0] ?? '',
      /^evo-compute-worker: TEMPORAL_PROFILE is not usable: Profile 'staging' not found/,
    );
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
      EVO_COMPUTE_TASK_QUEUE: 'sigterm-test',
    });
    await waitFor(
      'the worker to poll',
      () => worker.stderr().includes('evo-compute-worker: polling'),
      60_000,
    );
    assert.match(
      worker.stderr(),
      /workflows: prebuilt bundle/,
      'it starts from the bundle npm run compile built',
    );
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.stderr());
    assert.match(worker.stderr(), /state: 'STOPPED'/);
  });
});
