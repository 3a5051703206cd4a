/**
 * Machine credentials: the OAuth client-credentials provider against the emulator's issuer (real
 * HTTP on 127.0.0.1), then the runnable worker with `EVO_CLIENT_ID`/`EVO_CLIENT_SECRET` carrying a
 * job across several token lifetimes on a real Temporal server.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { refreshMarginMs } from '../src/api/access-token';
import { ComputeApiClient } from '../src/api/compute-api-client';
import { ComputeApiError } from '../src/api/errors';
import { clientCredentials } from '../src/auth/client-credentials';
import { startComputeJob, waitForComputeJob } from '../src/client';
import { ComputeFailureType, RETRYABLE_FAILURE_TYPES } from '../src/common/failures';
import { freePort } from '../src/dev/local-temporal';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { ORG_ID } from './helpers/ids';
import { uniqueId } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';
import { waitFor } from './helpers/wait';
import { runWorkerProcess } from './helpers/worker-process';

const CLIENT_ID = 'fleet-worker';
const SECRET = 'Sx9-very-secret-client-secret-4f2a';

async function emulatorWithIssuer(tokenLifetimeMs: number, discovery = true): Promise<ComputeEmulator> {
  return startComputeEmulator({
    oauth: { clientId: CLIENT_ID, clientSecret: SECRET, tokenLifetimeMs, discovery },
  });
}

async function submitProbe(client: ComputeApiClient) {
  return client.submit({ orgId: ORG_ID, topic: 'emulator', task: 'job', parameters: { durationMs: 60_000 } });
}

describe('client credentials against the emulator issuer', () => {
  test('the margin scales with the lifetime', () => {
    assert.equal(refreshMarginMs(3_000), 300);
    assert.equal(refreshMarginMs(3_600_000), 60_000);
  });

  test('concurrent requests share one token; it is replaced before it expires, never after', async () => {
    const lifetimeMs = 2_000;
    const emulator = await emulatorWithIssuer(lifetimeMs);
    const client = new ComputeApiClient({
      baseUrl: emulator.url,
      accessToken: clientCredentials({ clientId: CLIENT_ID, clientSecret: SECRET, issuer: emulator.url }),
    });
    try {
      const job = await submitProbe(client);
      await Promise.all(Array.from({ length: 20 }, () => client.getStatus(job)));
      assert.equal(emulator.tokenStats.requests, 1, 'one token for 21 requests');
      // Keep requesting for three lifetimes: one new token per lifetime, no request refused.
      const until = Date.now() + 3 * lifetimeMs;
      let requests = 0;
      while (Date.now() < until) {
        await Promise.all(Array.from({ length: 5 }, () => client.getStatus(job)));
        requests += 5;
        await sleep(50);
      }
      const tokens = emulator.tokenStats.issued;
      assert.ok(tokens >= 3 && tokens <= 5, `${tokens} tokens over three lifetimes`);
      assert.ok(requests / tokens > 10, `${requests} requests on ${tokens} tokens`);
      assert.equal(emulator.tokenStats.expiredTokenRefusals, 0);
      assert.equal(emulator.requests.filter((r) => r.status === 401).length, 0);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('a 401 forces one refresh shared by the requests that saw it', async () => {
    const emulator = await emulatorWithIssuer(3_600_000);
    const client = new ComputeApiClient({
      baseUrl: emulator.url,
      accessToken: clientCredentials({ clientId: CLIENT_ID, clientSecret: SECRET, issuer: emulator.url }),
    });
    try {
      const job = await submitProbe(client);
      emulator.revokeTokens();
      await Promise.all(Array.from({ length: 10 }, () => client.getStatus(job)));
      assert.equal(emulator.tokenStats.issued, 2, 'the first token and one refresh');
      assert.equal(emulator.requests.filter((r) => r.status === 401).length, 10);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('without a discovery document, the SDK path /connect/token is used', async () => {
    const emulator = await emulatorWithIssuer(60_000, false);
    const client = new ComputeApiClient({
      baseUrl: emulator.url,
      accessToken: clientCredentials({ clientId: CLIENT_ID, clientSecret: SECRET, issuer: emulator.url }),
    });
    try {
      await submitProbe(client);
      assert.equal(emulator.tokenStats.issued, 1);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('an issuer that is down makes requests fail with the retryable AccessTokenUnavailable', async () => {
    const emulator = await emulatorWithIssuer(60_000);
    const client = new ComputeApiClient({
      baseUrl: emulator.url,
      accessToken: clientCredentials({
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        issuer: `http://127.0.0.1:${await freePort()}`,
      }),
    });
    try {
      await assert.rejects(submitProbe(client), (err: unknown) => {
        assert.ok(err instanceof ComputeApiError);
        assert.equal(err.type, ComputeFailureType.AccessTokenUnavailable);
        assert.ok(RETRYABLE_FAILURE_TYPES.has(err.type));
        return true;
      });
      assert.equal(emulator.counts.POST, 0, 'nothing was submitted');
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('a wrong secret is refused with a message that names the error, not the secret', async () => {
    const emulator = await emulatorWithIssuer(60_000);
    const wrong = `${SECRET}-wrong`;
    const client = new ComputeApiClient({
      baseUrl: emulator.url,
      accessToken: clientCredentials({ clientId: CLIENT_ID, clientSecret: wrong, issuer: emulator.url }),
    });
    try {
      await assert.rejects(submitProbe(client), (err: unknown) => {
        assert.ok(err instanceof ComputeApiError);
        assert.equal(err.type, ComputeFailureType.AccessTokenUnavailable);
        assert.match(err.message, /invalid_client/);
        assert.ok(!err.message.includes(wrong) && !err.message.includes(SECRET));
        assert.ok(!JSON.stringify(err.toDetails()).includes(SECRET));
        return true;
      });
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

/** A CA and a certificate for localhost/127.0.0.1 signed by it, made with the openssl command. */
function privateCa(): { caPath: string; key: Buffer; cert: Buffer } | undefined {
  if (spawnSync('openssl', ['version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'evo-private-ca-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=Evo test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(at('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.pem'),
    '-days',
    '1',
    '-extfile',
    at('ext.cnf'),
  );
  return { caPath: at('ca.pem'), key: readFileSync(at('server.key')), cert: readFileSync(at('server.pem')) };
}

describe('an issuer behind a private CA', () => {
  test('is trusted through NODE_EXTRA_CA_CERTS, and refused without it', async (t) => {
    const ca = privateCa();
    if (!ca) return t.skip('no openssl command to make a CA with');
    const emulator = await emulatorWithIssuer(60_000, false);
    // HTTPS in front of the emulator's issuer: the issuer is https://127.0.0.1:<port>.
    const target = new URL(emulator.url);
    const https = createHttpsServer({ key: ca.key, cert: ca.cert }, (req, res) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const address = https.address();
    const issuer = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const fetchToken = (extraEnv: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const script = `require(${JSON.stringify(require.resolve('../src/auth/client-credentials'))})
          .clientCredentials({ clientId: ${JSON.stringify(CLIENT_ID)}, clientSecret: process.env.SECRET, issuer: ${JSON.stringify(issuer)} })()
          .then(() => console.log('token'), (err) => { console.log(String(err.cause?.code ?? err.message)); process.exit(1); });`;
        const child = spawn(process.execPath, ['-e', script], {
          env: { PATH: process.env.PATH ?? '', SECRET, ...extraEnv },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.on('exit', (code) => resolve({ code, output }));
      });
    try {
      const trusted = await fetchToken({ NODE_EXTRA_CA_CERTS: ca.caPath });
      assert.equal(trusted.code, 0, trusted.output);
      assert.equal(emulator.tokenStats.issued, 1);
      const untrusted = await fetchToken({});
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.output, /CERT|SIGNATURE|self.signed|issuer/i);
      assert.equal(emulator.tokenStats.issued, 1, 'no token over an untrusted connection');
    } finally {
      await new Promise((resolve) => https.close(resolve));
      await emulator.close();
    }
  });
});

describe('the runnable worker with client credentials', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startLocalTemporal();
  });
  after(() => env?.teardown());

  test('a job across four token lifetimes: no Unauthorized, one token per lifetime, no secret anywhere', async () => {
    const lifetimeMs = 3_000;
    const emulator = await emulatorWithIssuer(lifetimeMs);
    const taskQueue = uniqueId('oauth');
    const startedAt = Date.now();
    const worker = runWorkerProcess({
      TEMPORAL_ADDRESS: env.address,
      EVO_COMPUTE_TASK_QUEUE: taskQueue,
      EVO_BASE_URL: emulator.url,
      EVO_CLIENT_ID: CLIENT_ID,
      EVO_CLIENT_SECRET: SECRET,
      EVO_OAUTH_ISSUER: emulator.url,
    });
    try {
      await waitFor(
        'the worker to poll',
        () => worker.output().includes('evo-compute-worker: polling'),
        120_000,
      );
      const handle = await startComputeJob(
        env.client,
        {
          orgId: ORG_ID,
          topic: 'emulator',
          task: 'job',
          parameters: { durationMs: 4 * lifetimeMs, steps: 12 },
          poll: { initialInterval: '200ms', maximumInterval: '400ms', mode: 'heartbeat' },
        },
        { taskQueue },
      );
      const outcome = await waitForComputeJob(handle);
      const endedAt = Date.now();
      assert.equal(outcome.status, 'COMPLETED', JSON.stringify(outcome));

      const stats = emulator.tokenStats;
      const refused = emulator.requests.filter((r) => r.status === 401);
      assert.equal(refused.length, 0, 'no API request was refused');
      assert.equal(stats.expiredTokenRefusals, 0, 'no request carried an expired token');
      // Tokens are replaced at 90 % of their life: at most one per 0.9 lifetime of wall time, plus the first.
      const lifetimes = (endedAt - startedAt) / (lifetimeMs * 0.9);
      assert.ok(stats.issued >= 4, `${stats.issued} tokens for a job of four lifetimes`);
      assert.ok(
        stats.issued <= Math.ceil(lifetimes) + 1,
        `${stats.issued} tokens in ${lifetimes.toFixed(1)} lifetimes`,
      );
      const apiRequests = emulator.requests.length;
      assert.ok(apiRequests > 3 * stats.issued, `${apiRequests} API requests on ${stats.issued} tokens`);
      console.log(
        `token requests ${stats.requests} (issued ${stats.issued}) for ${apiRequests} API requests over ${((endedAt - startedAt) / lifetimeMs).toFixed(1)} lifetimes`,
      );

      const history = JSON.stringify(await handle.fetchHistory());
      assert.ok(!history.includes('Unauthorized'), 'no Unauthorized reached the workflow');
      assert.ok(!history.includes(SECRET), 'the secret is not in the history');
      assert.ok(!worker.output().includes(SECRET), 'the secret is not in the worker output');
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output());
      assert.ok(!worker.output().includes(SECRET));
    } finally {
      worker.child.kill('SIGKILL');
      await emulator.close();
    }
  });

  test('a wrong secret stops the worker at once with one line and exit code 2', async () => {
    const emulator = await emulatorWithIssuer(60_000);
    const wrong = 'Wr0ng-secret-value-7c1d';
    try {
      const worker = runWorkerProcess({
        TEMPORAL_ADDRESS: env.address,
        EVO_BASE_URL: emulator.url,
        EVO_CLIENT_ID: CLIENT_ID,
        EVO_CLIENT_SECRET: wrong,
        EVO_OAUTH_ISSUER: emulator.url,
      });
      assert.equal(await worker.exited, 2, worker.output());
      const lines = worker.output().trim().split('\n');
      assert.equal(lines.length, 1, worker.output());
      assert.match(
        lines[0] ?? '',
        /^evo-compute-worker: EVO_CLIENT_ID \/ EVO_CLIENT_SECRET: .*invalid_client/,
      );
      assert.ok(!worker.output().includes(wrong) && !worker.output().includes(SECRET));
      assert.equal(emulator.tokenStats.refused, 1, 'one token request, not a retry loop');
    } finally {
      await emulator.close();
    }
  });
});
