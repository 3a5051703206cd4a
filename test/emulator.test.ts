import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import {
  BUILT_IN_TASKS,
  type ComputeEmulator,
  type ComputeEmulatorOptions,
  exampleKrigingParameters,
  MAX_BODY_BYTES,
  PROBLEM_TYPE_BASE,
  startComputeEmulator,
} from '../src/emulator';
import { checkTaskResult } from '../src/tasks';

const ORG = '8f0c3a52-2f37-4d3e-9a40-0a4a1f0e6b11';
const OTHER_ORG = '0b9d7c1e-5a2f-4c3b-8d6e-7f1a2b3c4d5e';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
  json: any;
}

async function call(
  url: string,
  options: {
    method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<Reply> {
  const res = await request(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
  });
  const text = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers, text, json };
}

function taskUrl(emulator: ComputeEmulator, topic = 'emulator', task = 'job', org = ORG): string {
  return `${emulator.url}/compute/orgs/${org}/${topic}/${task}`;
}

async function submit(
  emulator: ComputeEmulator,
  parameters: unknown,
  options: { topic?: string; task?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return call(taskUrl(emulator, options.topic, options.task), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ parameters }),
  });
}

/** Submits and returns the absolute status URL, the job URL and the job ID. */
async function submitOk(
  emulator: ComputeEmulator,
  parameters: unknown,
  options: { topic?: string; task?: string; headers?: Record<string, string> } = {},
): Promise<{ statusUrl: string; jobUrl: string; jobId: string }> {
  const reply = await submit(emulator, parameters, options);
  assert.equal(reply.status, 303, reply.text);
  const statusUrl = new URL(reply.headers.location ?? '', emulator.url).href;
  const jobUrl = statusUrl.replace(/\/status$/, '');
  const jobId = jobUrl.split('/').pop() ?? '';
  return { statusUrl, jobUrl, jobId };
}

function assertProblem(reply: Reply, status: number, slug: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  assert.equal(reply.json.type, `${PROBLEM_TYPE_BASE}${slug}`);
  assert.equal(reply.json.status, status);
  assert.equal(typeof reply.json.title, 'string');
  assert.equal(typeof reply.json.detail, 'string');
}

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}

async function withEmulator(
  options: ComputeEmulatorOptions,
  body: (emulator: ComputeEmulator) => Promise<void>,
): Promise<void> {
  const emulator = await startComputeEmulator(options);
  try {
    await body(emulator);
  } finally {
    await emulator.close();
  }
}

describe('compute emulator', () => {
  const clock = manualClock();
  let emulator: ComputeEmulator;

  before(async () => {
    emulator = await startComputeEmulator({ now: clock.now });
  });
  after(async () => {
    await emulator.close();
  });

  test('url is http://127.0.0.1:PORT without a trailing slash', () => {
    assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('submit answers 303, an empty body and an absolute Location that works', async () => {
    const reply = await submit(emulator, { durationMs: 1000 });
    assert.equal(reply.status, 303);
    assert.equal(reply.text, '');
    const location = reply.headers.location ?? '';
    const match = new RegExp(`^${emulator.url}/compute/orgs/${ORG}/emulator/job/([^/]+)/status$`).exec(
      location,
    );
    assert.ok(match, location);
    assert.match(match[1] ?? '', UUID);
    const status = await call(location);
    assert.equal(status.status, 202);
    assert.equal(status.headers['content-type'], 'application/json');
    assert.equal(status.json.status, 'in progress');
  });

  test('a job moves requested → in progress → succeeded on the clock', async () => {
    const parameters = { durationMs: 1000, queuedMs: 500, steps: 4, extra: 'kept' };
    const { statusUrl, jobUrl, jobId } = await submitOk(emulator, parameters);

    let status = await call(statusUrl);
    assert.equal(status.status, 202);
    assert.deepEqual(status.json, {
      status: 'requested',
      progress: 0,
      message: 'Job requested',
      error: null,
    });

    clock.advance(500);
    status = await call(statusUrl);
    assert.equal(status.status, 202);
    assert.deepEqual(status.json, {
      status: 'in progress',
      progress: 0,
      message: 'Step 1 of 4',
      error: null,
    });

    clock.advance(260);
    status = await call(statusUrl);
    assert.deepEqual(status.json, {
      status: 'in progress',
      progress: 26,
      message: 'Step 2 of 4',
      error: null,
    });

    const pending = await call(jobUrl);
    assert.equal(pending.status, 202);
    assert.equal(pending.headers['content-type'], 'application/json');
    assert.deepEqual(pending.json, { status: 'in progress' });

    clock.advance(739);
    status = await call(statusUrl);
    assert.deepEqual(status.json, {
      status: 'in progress',
      progress: 99,
      message: 'Step 4 of 4',
      error: null,
    });

    clock.advance(1);
    status = await call(statusUrl);
    assert.equal(status.status, 200);
    assert.deepEqual(status.json, {
      status: 'succeeded',
      progress: 100,
      message: 'Job succeeded',
      error: null,
    });

    const results = await call(jobUrl);
    assert.equal(results.status, 200);
    assert.deepEqual(results.json, { status: 'succeeded', results: { echo: parameters }, error: null });

    const snapshot = emulator.getJob(jobId);
    assert.ok(snapshot);
    assert.equal(snapshot.orgId, ORG);
    assert.equal(snapshot.topic, 'emulator');
    assert.equal(snapshot.task, 'job');
    assert.equal(snapshot.status, 'succeeded');
    assert.equal(snapshot.progress, 100);
    assert.equal(snapshot.preview, false);
    assert.equal(snapshot.statusRequests, 5);
    assert.equal(snapshot.resultsRequests, 2);
    assert.equal(snapshot.cancelRequests, 0);
    assert.equal(snapshot.submittedAt, clock.now() - 1500);
    assert.deepEqual(snapshot.parameters, parameters);
    assert.ok(emulator.jobs().some((job) => job.jobId === jobId));
  });

  test('custom results are returned as given', async () => {
    const { jobUrl } = await submitOk(emulator, { durationMs: 0, results: { answer: 42, list: [1, 2] } });
    const results = await call(jobUrl);
    assert.equal(results.status, 200);
    assert.deepEqual(results.json, {
      status: 'succeeded',
      results: { answer: 42, list: [1, 2] },
      error: null,
    });
  });

  test('a failing job reports failed with its problem, and results 200 with the error', async () => {
    const { statusUrl, jobUrl } = await submitOk(emulator, {
      durationMs: 100,
      fail: { title: 'Out of memory', detail: 'the grid is too large', code: 7 },
    });
    clock.advance(100);
    const expected = {
      type: `${PROBLEM_TYPE_BASE}job-failed`,
      title: 'Out of memory',
      status: 500,
      detail: 'the grid is too large',
      code: 7,
    };
    const status = await call(statusUrl);
    assert.equal(status.status, 200);
    assert.equal(status.json.status, 'failed');
    assert.equal(status.json.message, 'Job failed due to error');
    assert.deepEqual(status.json.error, expected);
    const results = await call(jobUrl);
    assert.equal(results.status, 200);
    assert.deepEqual(results.json, { status: 'failed', results: null, error: expected });
  });

  test('fail: true gives the default problem', async () => {
    const { statusUrl } = await submitOk(emulator, { durationMs: 0, fail: true });
    const status = await call(statusUrl);
    assert.equal(status.json.status, 'failed');
    assert.equal(status.json.error.type, `${PROBLEM_TYPE_BASE}job-failed`);
    assert.equal(status.json.error.title, 'Job failed');
    assert.equal(status.json.error.status, 500);
  });

  test('DELETE cancels: cancelling for cancelDelayMs, then cancelled', async () => {
    const { statusUrl, jobUrl, jobId } = await submitOk(emulator, { durationMs: 10_000, cancelDelayMs: 200 });
    clock.advance(1000);
    const deleted = await call(jobUrl, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');

    let status = await call(statusUrl);
    assert.equal(status.status, 202);
    assert.deepEqual(status.json, {
      status: 'cancelling',
      progress: 10,
      message: 'Job cancelling',
      error: null,
    });
    const pending = await call(jobUrl);
    assert.equal(pending.status, 202);
    assert.deepEqual(pending.json, { status: 'cancelling' });

    clock.advance(200);
    status = await call(statusUrl);
    assert.equal(status.status, 200);
    assert.deepEqual(status.json, {
      status: 'cancelled',
      progress: 10,
      message: 'Job cancelled',
      error: null,
    });
    const results = await call(jobUrl);
    assert.equal(results.status, 200);
    assert.deepEqual(results.json, { status: 'cancelled', results: null, error: null });

    // Cancelling again changes nothing but is counted.
    assert.equal((await call(jobUrl, { method: 'DELETE' })).status, 204);
    const snapshot = emulator.getJob(jobId);
    assert.equal(snapshot?.status, 'cancelled');
    assert.equal(snapshot?.cancelRequests, 2);
  });

  test('DELETE on an ended job answers 204 and leaves it as it is', async () => {
    const { statusUrl, jobUrl, jobId } = await submitOk(emulator, { durationMs: 10 });
    clock.advance(10);
    assert.equal((await call(jobUrl, { method: 'DELETE' })).status, 204);
    clock.advance(1000);
    const status = await call(statusUrl);
    assert.equal(status.json.status, 'succeeded');
    assert.equal(emulator.getJob(jobId)?.cancelRequests, 1);
  });

  test('DELETE of a requested job cancels it too', async () => {
    const { statusUrl, jobUrl } = await submitOk(emulator, { queuedMs: 1000, cancelDelayMs: 0 });
    assert.equal((await call(jobUrl, { method: 'DELETE' })).status, 204);
    const status = await call(statusUrl);
    assert.deepEqual(status.json, {
      status: 'cancelled',
      progress: 0,
      message: 'Job cancelled',
      error: null,
    });
  });

  test('geostatistics/kriging: real parameters, preview-only, runs taskDurationMs, results valid for the result model', async () => {
    const parameters = exampleKrigingParameters(ORG);
    const preview = { 'api-preview': 'opt-in' };
    const refused = await submit(emulator, parameters, { topic: 'geostatistics', task: 'kriging' });
    assertProblem(refused, 404, 'preview-required');
    const { statusUrl, jobUrl } = await submitOk(emulator, parameters, {
      topic: 'geostatistics',
      task: 'kriging',
      headers: preview,
    });
    clock.advance(1000);
    const status = await call(statusUrl, { headers: preview });
    assert.deepEqual(status.json, {
      status: 'in progress',
      progress: 50,
      message: 'Kriging step 3 of 4',
      error: null,
    });
    assert.equal((await call(statusUrl)).status, 404, 'every request of a preview task needs the header');
    clock.advance(1000);
    const results = await call(jobUrl, { headers: preview });
    assert.equal(results.status, 200);
    assert.equal(results.json.status, 'succeeded');
    assert.equal(results.json.results.message, 'Kriging complete');
    assert.equal(results.json.results.target.reference, parameters.target.object);
    assert.equal(results.json.results.target.attribute.name, 'kriged_grade');
    assert.deepEqual(await checkTaskResult('geostatistics', 'kriging', results.json.results), []);
  });

  test('every catalogue task accepts exactly its schema: a 422 names each bad field by JSON path', async () => {
    const headers = { 'api-preview': 'opt-in' };
    const good = exampleKrigingParameters(ORG);
    const cases: [unknown, string[]][] = [
      [{ ...good, blocks: 8 }, ['$.blocks']],
      [{ ...good, variogram: undefined }, ['$.variogram']],
      [
        { ...good, neighborhood: { ...good.neighborhood, max_samples: 'twenty' }, target: { object: 1 } },
        ['$.neighborhood.max_samples', '$.target.attribute', '$.target.object'],
      ],
    ];
    for (const [parameters, paths] of cases) {
      const reply = await submit(emulator, parameters, { topic: 'geostatistics', task: 'kriging', headers });
      assertProblem(reply, 422, 'invalid-parameters');
      assert.deepEqual(
        (reply.json.errors as { path: string }[]).map((e) => e.path),
        paths,
      );
      assert.equal(reply.json.parameter, paths[0]);
      for (const path of paths) assert.ok(reply.json.detail.includes(path), reply.json.detail);
    }
    // A task outside kriging, not preview-only: an empty object misses every required field.
    const idw = await submit(emulator, {}, { topic: 'geostatistics', task: 'idw' });
    assertProblem(idw, 422, 'invalid-parameters');
    assert.deepEqual(
      (idw.json.errors as { path: string }[]).map((e) => e.path),
      ['$.source', '$.target', '$.neighborhood', '$.power'],
    );
  });

  test('unknown job: 404 problem; also for a job of another org or task', async () => {
    const { jobId } = await submitOk(emulator, {});
    const unknown = await call(`${taskUrl(emulator)}/${randomUUID()}/status`);
    assertProblem(unknown, 404, 'job-not-found');
    assertProblem(
      await call(`${taskUrl(emulator, 'emulator', 'job', OTHER_ORG)}/${jobId}`),
      404,
      'job-not-found',
    );
    assertProblem(
      await call(`${taskUrl(emulator, 'geostatistics', 'idw')}/${jobId}/status`),
      404,
      'job-not-found',
    );
    assertProblem(
      await call(`${taskUrl(emulator)}/${randomUUID()}`, { method: 'DELETE' }),
      404,
      'job-not-found',
    );
    // The same job by its upper-case ID is found.
    assert.equal((await call(`${taskUrl(emulator)}/${jobId.toUpperCase()}/status`)).status, 202);
  });

  test('malformed UUIDs: 400 problem', async () => {
    assertProblem(await call(`${taskUrl(emulator)}/not-a-uuid/status`), 400, 'invalid-id');
    assertProblem(await call(`${taskUrl(emulator)}/1234`, { method: 'DELETE' }), 400, 'invalid-id');
    assertProblem(
      await call(taskUrl(emulator, 'emulator', 'job', 'my-org'), {
        method: 'POST',
        body: '{"parameters":{}}',
      }),
      400,
      'invalid-id',
    );
  });

  test('bad submit bodies: 400 for bad JSON and non-object parameters, 413 when too large', async () => {
    const post = (body: string) => call(taskUrl(emulator), { method: 'POST', body });
    assertProblem(await post('{"parameters": '), 400, 'invalid-json');
    assertProblem(await post(''), 400, 'invalid-json');
    assertProblem(await post('[]'), 400, 'invalid-request');
    assertProblem(await post('{}'), 400, 'invalid-request');
    for (const parameters of ['[]', 'null', '"x"', '3']) {
      assertProblem(await post(`{"parameters": ${parameters}}`), 400, 'invalid-request');
    }
    const big = JSON.stringify({ parameters: { pad: 'x'.repeat(MAX_BODY_BYTES) } });
    assertProblem(await post(big), 413, 'content-too-large');
    // The connection survives; the next request works.
    assert.equal((await submit(emulator, {})).status, 303);
  });

  test('invalid task parameters: 422 problem naming the parameter', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['emulator/job', { durationMs: -1 }, 'durationMs'],
      ['emulator/job', { durationMs: '10' }, 'durationMs'],
      ['emulator/job', { queuedMs: null }, 'queuedMs'],
      ['emulator/job', { steps: 1.5 }, 'steps'],
      ['emulator/job', { steps: 0 }, 'steps'],
      ['emulator/job', { results: [1] }, 'results'],
      ['emulator/job', { fail: 'yes' }, 'fail'],
      ['emulator/job', { fail: { status: 'bad' } }, 'fail'],
      ['emulator/job', { cancelDelayMs: -5 }, 'cancelDelayMs'],
    ];
    for (const [name, parameters, parameter] of cases) {
      const [topic, task] = name.split('/');
      const reply = await submit(emulator, parameters, { topic, task });
      assertProblem(reply, 422, 'invalid-parameters');
      assert.equal(reply.json.parameter, parameter);
      assert.match(reply.json.detail, new RegExp(`\\b${parameter}\\b`));
    }
  });

  test('unknown task and unknown paths: 404 problem; wrong method: 405 with Allow', async () => {
    assertProblem(await submit(emulator, {}, { topic: 'emulator', task: 'nope' }), 404, 'task-not-found');
    assertProblem(await call(`${emulator.url}/compute/orgs/${ORG}`), 404, 'not-found');
    assertProblem(await call(`${emulator.url}/`), 404, 'not-found');
    assertProblem(await call(`${taskUrl(emulator)}/${randomUUID()}/status/more`), 404, 'not-found');

    const getTask = await call(taskUrl(emulator));
    assertProblem(getTask, 405, 'method-not-allowed');
    assert.equal(getTask.headers.allow, 'POST');
    const putJob = await call(`${taskUrl(emulator)}/${randomUUID()}`, { method: 'PUT', body: '{}' });
    assertProblem(putJob, 405, 'method-not-allowed');
    assert.equal(putJob.headers.allow, 'GET, DELETE');
    const deleteStatus = await call(`${taskUrl(emulator)}/${randomUUID()}/status`, { method: 'DELETE' });
    assertProblem(deleteStatus, 405, 'method-not-allowed');
    assert.equal(deleteStatus.headers.allow, 'GET');
  });

  test('preview-only task needs API-Preview: opt-in on every request', async () => {
    const without = await submit(emulator, {}, { task: 'preview-job' });
    assertProblem(without, 404, 'preview-required');
    assert.equal(without.json.detail, 'task requires API-Preview: opt-in');

    const preview = { 'api-preview': 'opt-in' };
    const { statusUrl, jobUrl, jobId } = await submitOk(
      emulator,
      { durationMs: 0 },
      {
        task: 'preview-job',
        headers: preview,
      },
    );
    assert.equal(emulator.getJob(jobId)?.preview, true);
    assertProblem(await call(statusUrl), 404, 'preview-required');
    assertProblem(await call(jobUrl), 404, 'preview-required');
    assertProblem(await call(jobUrl, { method: 'DELETE' }), 404, 'preview-required');
    assert.equal((await call(statusUrl, { headers: preview })).status, 200);
    assert.equal((await call(jobUrl, { headers: preview })).status, 200);
    assert.equal((await call(jobUrl, { method: 'DELETE', headers: preview })).status, 204);

    // A task that is not preview-only takes the header and records it.
    const { jobId: plain } = await submitOk(emulator, {}, { headers: preview });
    assert.equal(emulator.getJob(plain)?.preview, true);
  });

  test('getJob of an unknown ID is undefined', () => {
    assert.equal(emulator.getJob(randomUUID()), undefined);
  });
});

test('an absolute Location names the host the client used (its Host header)', async () => {
  await withEmulator({}, async (emulator) => {
    const port = new URL(emulator.url).port;
    const location = (host: string) =>
      submit(emulator, { durationMs: 0 }, { headers: { host } }).then(
        (reply) => reply.headers.location ?? '',
      );
    assert.match(
      await location(`localhost:${port}`),
      new RegExp(`^http://localhost:${port}/compute/orgs/${ORG}/`),
    );
    assert.match(await location(`127.0.0.1:${port}`), new RegExp(`^http://127\\.0\\.0\\.1:${port}/compute/`));
    // A Host that is not a host name falls back to the emulator's own URL.
    assert.ok((await location('evil.example/path?')).startsWith(`${emulator.url}/compute/`));
  });
});

test('relative Location option', async () => {
  await withEmulator({ location: 'relative' }, async (emulator) => {
    const reply = await submit(emulator, { durationMs: 0 });
    assert.equal(reply.status, 303);
    const location = reply.headers.location ?? '';
    assert.match(location, new RegExp(`^/compute/orgs/${ORG}/emulator/job/[0-9a-f-]{36}/status$`));
    const status = await call(new URL(location, emulator.url).href);
    assert.equal(status.status, 200);
    assert.equal(status.json.status, 'succeeded');
  });
});

test("cancelSpelling 'canceled' reports canceling/canceled; the snapshot stays canonical", async () => {
  const clock = manualClock();
  await withEmulator({ cancelSpelling: 'canceled', now: clock.now }, async (emulator) => {
    const { statusUrl, jobUrl, jobId } = await submitOk(emulator, { durationMs: 1000 });
    await call(jobUrl, { method: 'DELETE' });
    assert.equal((await call(statusUrl)).json.status, 'canceling');
    assert.equal((await call(jobUrl)).json.status, 'canceling');
    assert.equal(emulator.getJob(jobId)?.status, 'cancelling');
    clock.advance(100);
    assert.equal((await call(statusUrl)).json.status, 'canceled');
    assert.deepEqual((await call(jobUrl)).json, { status: 'canceled', results: null, error: null });
    assert.equal(emulator.getJob(jobId)?.status, 'cancelled');
  });
});

test('bearer token: 401 problem when missing or wrong, checked first; setAccessToken changes it', async () => {
  await withEmulator({ accessToken: 'secret-1' }, async (emulator) => {
    const missing = await submit(emulator, {});
    assertProblem(missing, 401, 'unauthorized');
    assert.match(missing.headers['www-authenticate'] ?? '', /^Bearer/);
    assertProblem(
      await submit(emulator, {}, { headers: { authorization: 'Bearer wrong' } }),
      401,
      'unauthorized',
    );
    assertProblem(
      await submit(emulator, {}, { headers: { authorization: 'Basic secret-1' } }),
      401,
      'unauthorized',
    );
    // Before routing: even a path that does not exist.
    assertProblem(await call(`${emulator.url}/nowhere`), 401, 'unauthorized');

    const ok = await submitOk(emulator, { durationMs: 0 }, { headers: { authorization: 'Bearer secret-1' } });
    assertProblem(await call(ok.statusUrl), 401, 'unauthorized');
    assert.equal((await call(ok.statusUrl, { headers: { authorization: 'Bearer secret-1' } })).status, 200);

    emulator.setAccessToken('secret-2');
    assertProblem(
      await call(ok.statusUrl, { headers: { authorization: 'Bearer secret-1' } }),
      401,
      'unauthorized',
    );
    assert.equal((await call(ok.statusUrl, { headers: { authorization: 'bearer secret-2' } })).status, 200);

    emulator.setAccessToken(undefined);
    assert.equal((await call(ok.statusUrl)).status, 200);
  });
});

test('records requests (capped, oldest dropped) and counts them per method', async () => {
  await withEmulator({ maxRecordedRequests: 3 }, async (emulator) => {
    const { statusUrl, jobUrl } = await submitOk(
      emulator,
      { durationMs: 0 },
      { headers: { 'Evo-SDK-Source': 't@v1' } },
    );
    assert.deepEqual(emulator.requests.length, 1);
    const first = emulator.requests[0];
    assert.equal(first?.method, 'POST');
    assert.equal(first?.path, `/compute/orgs/${ORG}/emulator/job`);
    assert.equal(first?.status, 303);
    assert.equal(first?.headers['evo-sdk-source'], 't@v1');
    assert.equal(first?.headers['content-type'], 'application/json');

    await call(statusUrl);
    await call(`${jobUrl}?x=1`);
    await call(jobUrl, { method: 'DELETE' });
    await call(`${emulator.url}/missing`);
    assert.deepEqual(
      emulator.requests.map((r) => [r.method, r.status]),
      [
        ['GET', 200],
        ['DELETE', 204],
        ['GET', 404],
      ],
    );
    assert.equal(emulator.requests[0]?.path, `${new URL(jobUrl).pathname}?x=1`);
    assert.deepEqual(emulator.counts, { POST: 1, GET: 3, DELETE: 1 });
  });
});

test('runs on the real clock by default', async () => {
  await withEmulator({}, async (emulator) => {
    const { statusUrl, jobUrl } = await submitOk(emulator, { durationMs: 200, steps: 2 });
    const first = await call(statusUrl);
    assert.equal(first.status, 202);
    assert.equal(first.json.status, 'in progress');
    let status = first;
    for (let i = 0; i < 200 && status.status === 202; i++) {
      await sleep(10);
      status = await call(statusUrl);
    }
    assert.equal(status.status, 200);
    assert.equal(status.json.status, 'succeeded');
    assert.equal((await call(jobUrl)).status, 200);
  });
});

test('tracks 200 jobs at once, each on its own schedule', async () => {
  const clock = manualClock();
  await withEmulator({ now: clock.now }, async (emulator) => {
    const refs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => submitOk(emulator, { durationMs: i * 10 })),
    );
    clock.advance(1000);
    const statuses = emulator.jobs().map((job) => job.status);
    assert.equal(statuses.length, 200);
    assert.equal(statuses.filter((status) => status === 'succeeded').length, 101);
    assert.equal(new Set(refs.map((ref) => ref.jobId)).size, 200);
  });
});

test('close() ends keep-alive connections and the server', async () => {
  const emulator = await startComputeEmulator();
  await submitOk(emulator, { durationMs: 0 });
  // Resolves although a keep-alive connection is open (it would otherwise wait for it to idle out).
  await emulator.close();
  await emulator.close();
  await assert.rejects(call(`${emulator.url}/`));
});

test('BUILT_IN_TASKS describes the generic tasks and the 13 catalogue tasks', () => {
  assert.deepEqual(
    BUILT_IN_TASKS.slice(0, 2).map((task) => [task.topic, task.task, task.previewOnly]),
    [
      ['emulator', 'job', false],
      ['emulator', 'preview-job', true],
    ],
  );
  const catalogue = BUILT_IN_TASKS.filter((task) => task.catalogue);
  assert.equal(catalogue.length, 13);
  assert.deepEqual(
    catalogue.filter((task) => task.previewOnly).map((task) => task.task),
    ['kriging'],
  );
  const job = BUILT_IN_TASKS[0];
  assert.deepEqual(
    job?.parameters.map((p) => [p.name, p.default]),
    [
      ['durationMs', 1000],
      ['queuedMs', 0],
      ['steps', 4],
      ['message', undefined],
      ['results', undefined],
      ['fail', undefined],
      ['cancelDelayMs', 100],
    ],
  );
});
