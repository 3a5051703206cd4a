/**
 * The four activities over real HTTP: against the emulator for the happy paths, and against small
 * purpose-built servers for every row of the failure table. Activities run in Temporal's activity
 * test environment (a real activity Context: heartbeats and cancellation work as on a worker).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createComputeActivities } from '../src/activities';
import { ComputeFailureType, readComputeFailure } from '../src/common/failures';
import type { JobRef } from '../src/common/types';
import { PACKAGE_VERSION } from '../src/common/version';
import { type ComputeEmulator, exampleKrigingParameters, startComputeEmulator } from '../src/emulator';
import { JOB_ID, ORG_ID } from './helpers/ids';
import { type Handler, problem, reply, startTestServer, type TestServer } from './helpers/test-server';

const TOKEN = 'test-token';

const quiet = { logger: new DefaultLogger('ERROR') };

function run<T>(work: () => Promise<T>): Promise<T> {
  return new MockActivityEnvironment({}, quiet).run(work);
}

async function expectFailure(
  promise: Promise<unknown>,
  type: string,
  expected: { nonRetryable: boolean; nextRetryDelay?: number },
): Promise<ApplicationFailure> {
  const err = await promise.then(
    (value) => assert.fail(`expected ${type}, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${err}`);
  assert.equal(err.type, type, err.message);
  assert.equal(err.nonRetryable, expected.nonRetryable, `nonRetryable of ${type}`);
  if (expected.nextRetryDelay !== undefined) assert.equal(err.nextRetryDelay, expected.nextRetryDelay);
  return err;
}

function jobOn(url: string, overrides: Partial<JobRef> = {}): JobRef {
  return {
    orgId: ORG_ID,
    topic: 'geostatistics',
    task: 'kriging',
    jobId: JOB_ID,
    url: `${url}/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}/status`,
    preview: false,
    ...overrides,
  };
}

const submitInput = {
  orgId: ORG_ID,
  topic: 'geostatistics',
  task: 'kriging',
  parameters: exampleKrigingParameters(ORG_ID),
};

/**
 * `SubmitUnconfirmed`'s `parametersSha256` of `submitInput`, computed here as an operator would:
 * the parameters with their keys sorted at every level, no whitespace, then SHA-256 in hex. Done
 * apart from the activity's own canonical JSON, with keys shuffled first, so that neither the
 * activity's code nor the key order can make the two agree by accident.
 */
const KRIGING_PARAMETERS_SHA256 = createHash('sha256')
  .update(JSON.stringify(reversedKeys(submitInput.parameters), sortedKeysReplacer))
  .digest('hex');

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, each]) => [key, reversedKeys(each)]),
  );
}

/** A `JSON.stringify` replacer that writes every object's keys in sorted order. */
function sortedKeysReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A submit attempt's `not-sent` heartbeat. */
function notSentBy(attempt: number) {
  return { submit: 'not-sent', attempt, sentAt: '2020-01-02T03:04:00.000Z' } as const;
}

/** `from <= to`, both ISO 8601 timestamps within [`earliest`, `latest`]. */
function assertIsoWindow(from: unknown, to: unknown, earliest: string, latest: string): void {
  for (const value of [from, to]) {
    assert.equal(typeof value, 'string');
    assert.equal(new Date(value as string).toISOString(), value, `${value} is an ISO 8601 time`);
  }
  assert.ok(earliest <= (from as string), `${from} is not before ${earliest}`);
  assert.ok((from as string) <= (to as string), `${from} is not after ${to}`);
  assert.ok((to as string) <= latest, `${to} is not after ${latest}`);
}

describe('activities against the emulator', () => {
  let emulator: ComputeEmulator;
  before(async () => {
    emulator = await startComputeEmulator({ accessToken: TOKEN });
  });
  after(() => emulator.close());

  test('submit, poll until succeeded, fetch results', async () => {
    const acts = createComputeActivities({ baseUrl: emulator.url, accessToken: TOKEN });
    const job = await run(() =>
      acts.evoComputeSubmitJob({
        ...submitInput,
        topic: 'emulator',
        task: 'job',
        parameters: { durationMs: 150, results: { answer: 42 } },
      }),
    );
    assert.equal(job.orgId, ORG_ID);
    assert.equal(job.topic, 'emulator');
    assert.equal(job.preview, false);
    assert.equal(job.url, `${emulator.url}/compute/orgs/${ORG_ID}/emulator/job/${job.jobId}/status`);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const progress = await run(() => acts.evoComputeGetJobStatus(job));
      seen.add(progress.status);
      if (progress.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(seen.has('in progress'), `saw ${[...seen]}`);
    assert.ok(seen.has('succeeded'));
    assert.deepEqual(await run(() => acts.evoComputeGetJobResults(job)), { answer: 42 });
  });

  test('every request carries the bearer token and Evo-SDK-Source', async () => {
    const acts = createComputeActivities({ baseUrl: emulator.url, accessToken: TOKEN });
    const job = await run(() =>
      acts.evoComputeSubmitJob({ ...submitInput, topic: 'emulator', task: 'job', parameters: {} }),
    );
    await run(() => acts.evoComputeGetJobStatus(job));
    await run(() => acts.evoComputeCancelJob(job));
    const mine = emulator.requests.filter((r) => r.path.includes(job.jobId) || r.method === 'POST').slice(-3);
    assert.equal(mine.length, 3);
    for (const request of mine) {
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(request.headers['evo-sdk-source'], `evo-compute-temporal@v${PACKAGE_VERSION}`);
      assert.equal(request.headers['api-preview'], undefined);
    }
  });

  test('preview mode sends API-Preview: opt-in on every call of the job', async () => {
    const acts = createComputeActivities({ baseUrl: emulator.url, accessToken: TOKEN });
    const job = await run(() =>
      acts.evoComputeSubmitJob({
        ...submitInput,
        topic: 'emulator',
        task: 'preview-job',
        parameters: { durationMs: 0 },
        preview: true,
      }),
    );
    assert.equal(job.preview, true);
    assert.equal((await run(() => acts.evoComputeGetJobStatus(job))).status, 'succeeded');
    assert.deepEqual(Object.keys(await run(() => acts.evoComputeGetJobResults(job))), ['echo']);
    await run(() => acts.evoComputeCancelJob(job));
    const calls = emulator.requests
      .filter((r) => r.method === 'POST' || r.path.includes(job.jobId))
      .slice(-4);
    assert.deepEqual(
      calls.map((r) => [r.method, r.headers['api-preview'], r.status]),
      [
        ['POST', 'opt-in', 303],
        ['GET', 'opt-in', 200],
        ['GET', 'opt-in', 200],
        ['DELETE', 'opt-in', 204],
      ],
    );
    // Without preview the same task is refused by the service.
    await expectFailure(
      run(() =>
        acts.evoComputeSubmitJob({ ...submitInput, topic: 'emulator', task: 'preview-job', parameters: {} }),
      ),
      ComputeFailureType.NotFound,
      { nonRetryable: true },
    );
  });

  test('cancel moves the remote job to cancelled', async () => {
    const acts = createComputeActivities({ baseUrl: emulator.url, accessToken: TOKEN });
    const job = await run(() =>
      acts.evoComputeSubmitJob({
        ...submitInput,
        topic: 'emulator',
        task: 'job',
        parameters: { durationMs: 60_000, cancelDelayMs: 0 },
      }),
    );
    await run(() => acts.evoComputeCancelJob(job));
    assert.equal((await run(() => acts.evoComputeGetJobStatus(job))).status, 'cancelled');
    assert.equal(emulator.getJob(job.jobId)?.cancelRequests, 1);
    await expectFailure(
      run(() => acts.evoComputeGetJobResults(job)),
      ComputeFailureType.UnknownResponse,
      { nonRetryable: true },
    );
  });

  test('a failed job: status carries the problem, results are JobFailed', async () => {
    const acts = createComputeActivities({ baseUrl: emulator.url, accessToken: TOKEN });
    const job = await run(() =>
      acts.evoComputeSubmitJob({
        ...submitInput,
        topic: 'emulator',
        task: 'job',
        parameters: { durationMs: 0, fail: { title: 'Variogram invalid', detail: 'sill < 0', status: 422 } },
      }),
    );
    const progress = await run(() => acts.evoComputeGetJobStatus(job));
    assert.equal(progress.status, 'failed');
    assert.equal(progress.error?.title, 'Variogram invalid');
    const failure = await expectFailure(
      run(() => acts.evoComputeGetJobResults(job)),
      ComputeFailureType.JobFailed,
      {
        nonRetryable: true,
      },
    );
    assert.equal(readComputeFailure(failure)?.details.problem?.detail, 'sill < 0');
  });

  test('the service spelling canceled is reported as cancelled', async () => {
    const american = await startComputeEmulator({ cancelSpelling: 'canceled' });
    try {
      const acts = createComputeActivities({ baseUrl: american.url, accessToken: 'any' });
      const job = await run(() =>
        acts.evoComputeSubmitJob({
          ...submitInput,
          topic: 'emulator',
          task: 'job',
          parameters: { durationMs: 60_000, cancelDelayMs: 200 },
        }),
      );
      await run(() => acts.evoComputeCancelJob(job));
      assert.equal((await run(() => acts.evoComputeGetJobStatus(job))).status, 'cancelling');
      await new Promise((r) => setTimeout(r, 250));
      assert.equal((await run(() => acts.evoComputeGetJobStatus(job))).status, 'cancelled');
    } finally {
      await american.close();
    }
  });

  test('a 401 calls the token function again and repeats the request once', async () => {
    const tokens = ['expired', 'fresh'];
    let calls = 0;
    emulator.setAccessToken('fresh');
    try {
      const acts = createComputeActivities({
        baseUrl: emulator.url,
        accessToken: async () => tokens[Math.min(calls++, tokens.length - 1)] as string,
      });
      const job = await run(() =>
        acts.evoComputeSubmitJob({ ...submitInput, topic: 'emulator', task: 'job', parameters: {} }),
      );
      assert.equal(calls, 2);
      await run(() => acts.evoComputeGetJobStatus(job));
      assert.equal(calls, 2, 'the refreshed token is reused');
      const last = emulator.requests.slice(-3).map((r) => [r.method, r.status, r.headers.authorization]);
      assert.deepEqual(last, [
        ['POST', 401, 'Bearer expired'],
        ['POST', 303, 'Bearer fresh'],
        ['GET', 202, 'Bearer fresh'],
      ]);
    } finally {
      emulator.setAccessToken(TOKEN);
    }
  });

  test('a 401 that survives the refresh is Unauthorized; a fixed token is not refreshed', async () => {
    let calls = 0;
    const refreshing = createComputeActivities({
      baseUrl: emulator.url,
      accessToken: () => {
        calls++;
        return 'wrong';
      },
    });
    await expectFailure(
      run(() =>
        refreshing.evoComputeSubmitJob({ ...submitInput, topic: 'emulator', task: 'job', parameters: {} }),
      ),
      'Unauthorized',
      {
        nonRetryable: true,
      },
    );
    assert.equal(calls, 2);
    const before = emulator.counts.POST;
    const fixed = createComputeActivities({ baseUrl: emulator.url, accessToken: 'wrong' });
    await expectFailure(
      run(() =>
        fixed.evoComputeSubmitJob({ ...submitInput, topic: 'emulator', task: 'job', parameters: {} }),
      ),
      'Unauthorized',
      {
        nonRetryable: true,
      },
    );
    assert.equal(emulator.counts.POST - before, 1);
  });
});

describe('activities against purpose-built servers', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  async function serve(handler: Handler) {
    const server = await startTestServer(handler);
    servers.push(server);
    return { server, acts: createComputeActivities({ baseUrl: server.url, accessToken: TOKEN }) };
  }

  describe('invalid input is refused before any request', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['orgId not a UUID', { orgId: 'not-a-uuid' }],
      ['orgId with a path', { orgId: `${ORG_ID}/../../admin` }],
      ['empty topic', { topic: '' }],
      ['blank task', { task: '   ' }],
      ['dot-dot task', { task: '..' }],
      ['parameters an array', { parameters: [1, 2] }],
      ['parameters null', { parameters: null }],
      ['parameters not serialisable', { parameters: { big: 10n } }],
    ];
    for (const [name, override] of cases) {
      test(name, async () => {
        const { server, acts } = await serve((_req, res) => reply(res, 500));
        await expectFailure(
          run(() => acts.evoComputeSubmitJob({ ...submitInput, ...override } as never)),
          'InvalidInput',
          {
            nonRetryable: true,
          },
        );
        assert.equal(server.requests.length, 0);
      });
    }
    test('a JobRef with a bad jobId or a url on another origin', async () => {
      const { server, acts } = await serve((_req, res) => reply(res, 500));
      await expectFailure(
        run(() => acts.evoComputeGetJobStatus(jobOn(server.url, { jobId: '1 OR 1=1' }))),
        'InvalidInput',
        {
          nonRetryable: true,
        },
      );
      await expectFailure(
        run(() => acts.evoComputeCancelJob(jobOn('http://elsewhere.invalid'))),
        'InvalidInput',
        { nonRetryable: true },
      );
      assert.equal(server.requests.length, 0);
    });
  });

  test('topic and task are single encoded path segments', async () => {
    const location = `/compute/orgs/${ORG_ID}/a%2Fb%3Fc/k%20r/${JOB_ID}/status`;
    const { server, acts } = await serve((_req, res) => reply(res, 303, undefined, { location }));
    const job = await run(() => acts.evoComputeSubmitJob({ ...submitInput, topic: 'a/b?c', task: 'k r' }));
    assert.equal(server.requests[0]?.url, `/compute/orgs/${ORG_ID}/a%2Fb%3Fc/k%20r`);
    assert.equal(job.topic, 'a/b?c');
    assert.equal(job.task, 'k r');
    assert.equal(job.url, `${server.url}${location}`);
  });

  describe('Location header', () => {
    const statusPath = `/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}/status`;
    const accepted: [string, (url: string) => string][] = [
      ['absolute', (url) => `${url}${statusPath}`],
      ['relative with a leading slash', () => statusPath],
      ['relative without a leading slash', () => statusPath.slice(1)],
    ];
    for (const [name, location] of accepted) {
      test(`accepts a ${name} Location`, async () => {
        const { server, acts } = await serve((_req, res) =>
          reply(res, 303, undefined, { location: location(server.url) }),
        );
        const job = await run(() => acts.evoComputeSubmitJob(submitInput));
        // kriging is preview-only: the submit asks for preview without being told.
        assert.deepEqual(job, jobOn(server.url, { preview: true }));
      });
    }
    const refused: [string, (url: string) => string | undefined][] = [
      ['missing', () => undefined],
      ['on another origin', () => `http://evil.invalid${statusPath}`],
      ['on another port', (url) => `${url.replace(/:\d+$/, ':1')}${statusPath}`],
      ['protocol-relative', () => `//evil.invalid${statusPath}`],
      ['not a status URL', (url) => `${url}/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}`],
      ['escaping with dot segments', () => `/compute/orgs/${ORG_ID}/../../admin/${JOB_ID}/status`],
      ['with a non-UUID job id', () => `/compute/orgs/${ORG_ID}/geostatistics/kriging/abc/status`],
      ['naming another task', () => `/compute/orgs/${ORG_ID}/geostatistics/simulation/${JOB_ID}/status`],
      ['with a query string', () => `${statusPath}?redirect=http://evil.invalid`],
      ['javascript: scheme', () => `javascript:alert(1)`],
    ];
    for (const [name, location] of refused) {
      test(`refuses a Location ${name}`, async () => {
        const { server, acts } = await serve((_req, res) => {
          const value = location(server.url);
          reply(res, 303, undefined, value === undefined ? {} : { location: value });
        });
        await expectFailure(
          run(() => acts.evoComputeSubmitJob(submitInput)),
          'UnknownResponse',
          { nonRetryable: true },
        );
        assert.equal(server.requests.length, 1, 'nothing is requested at the refused Location');
      });
    }
  });

  describe('HTTP errors map onto the failure table', () => {
    const rows: [number, string, boolean, Record<string, string>?, number?][] = [
      [400, 'BadRequest', true],
      [403, 'Forbidden', true],
      [404, 'NotFound', true],
      [410, 'Gone', true],
      [408, 'ServerError', false],
      [418, 'ApiError', true],
      [425, 'ServerError', false],
      [422, 'ApiError', true],
      [429, 'RateLimited', false, { 'retry-after': '7' }, 7000],
      [429, 'RateLimited', false],
      [500, 'ServerError', false],
      [502, 'ServerError', false],
      [503, 'ServerError', false, { 'retry-after': '2' }, 2000],
    ];
    for (const [status, type, nonRetryable, headers, delay] of rows) {
      test(`${status}${headers ? ' with Retry-After' : ''} on get status is ${type}`, async () => {
        const { server, acts } = await serve((_req, res) =>
          reply(res, status, problem(status, `Status ${status}`, 'why'), headers),
        );
        const failure = await expectFailure(
          run(() => acts.evoComputeGetJobStatus(jobOn(server.url))),
          type,
          {
            nonRetryable,
            nextRetryDelay: delay,
          },
        );
        const details = readComputeFailure(failure)?.details;
        assert.equal(details?.httpStatus, status);
        assert.equal(details?.problem?.title, `Status ${status}`);
        if (!headers) assert.equal(failure.nextRetryDelay, undefined);
      });
    }
    test('an error without a problem body keeps an excerpt of the body', async () => {
      const { server, acts } = await serve((_req, res) => reply(res, 502, '<html>Bad gateway</html>'));
      const failure = await expectFailure(
        run(() => acts.evoComputeGetJobResults(jobOn(server.url))),
        'ServerError',
        {
          nonRetryable: false,
        },
      );
      assert.deepEqual(failure.details?.[0], { httpStatus: 502, body: '<html>Bad gateway</html>' });
    });
    test('an HTTP-date Retry-After becomes a delay', async () => {
      const when = new Date(Date.now() + 30_000).toUTCString();
      const { server, acts } = await serve((_req, res) =>
        reply(res, 429, undefined, { 'retry-after': when }),
      );
      const failure = await expectFailure(
        run(() => acts.evoComputeCancelJob(jobOn(server.url))),
        'RateLimited',
        { nonRetryable: false },
      );
      assert.ok(
        failure.nextRetryDelay !== undefined && Number(failure.nextRetryDelay) > 25_000,
        String(failure.nextRetryDelay),
      );
    });
  });

  describe('submit is never retried once a job may exist', () => {
    test('500 on submit is SubmitUnconfirmed, with what an operator needs to find the job', async () => {
      const { acts } = await serve((_req, res) => reply(res, 500, problem(500, 'Boom')));
      const before = new Date().toISOString();
      const failure = await expectFailure(
        new MockActivityEnvironment({ attempt: 3, heartbeatDetails: notSentBy(2) }, quiet).run(() =>
          acts.evoComputeSubmitJob(submitInput),
        ),
        'SubmitUnconfirmed',
        { nonRetryable: true },
      );
      const after = new Date().toISOString();
      const details = readComputeFailure(failure)?.details;
      assert.equal(details?.httpStatus, 500);
      assert.equal(details?.problem?.title, 'Boom');
      assert.equal(details?.orgId, ORG_ID);
      assert.equal(details?.topic, 'geostatistics');
      assert.equal(details?.task, 'kriging');
      assert.equal(details?.attempt, 3, 'the attempt that sent this POST');
      assertIsoWindow(details?.sentAt, details?.givenUpAt, before, after);
      assert.equal(details?.parametersSha256, KRIGING_PARAMETERS_SHA256);
    });
    test('408 and 425 on submit: the service processed nothing, so the submit stays retryable', async () => {
      for (const status of [408, 425]) {
        const { acts } = await serve((_req, res) => reply(res, status, problem(status, `Status ${status}`)));
        await expectFailure(
          run(() => acts.evoComputeSubmitJob(submitInput)),
          'ServerError',
          {
            nonRetryable: false,
          },
        );
      }
    });
    test('503 and 429 on submit created nothing and stay retryable', async () => {
      const busy = await serve((_req, res) => reply(res, 503, undefined, { 'retry-after': '3' }));
      await expectFailure(
        run(() => busy.acts.evoComputeSubmitJob(submitInput)),
        'ServerError',
        { nonRetryable: false, nextRetryDelay: 3000 },
      );
      const limited = await serve((_req, res) => reply(res, 429));
      await expectFailure(
        run(() => limited.acts.evoComputeSubmitJob(submitInput)),
        'RateLimited',
        { nonRetryable: false },
      );
    });
    test('a connection dropped after the request was sent is SubmitUnconfirmed', async () => {
      const { acts } = await serve((_req, res) => {
        res.socket?.destroy();
      });
      await expectFailure(
        run(() => acts.evoComputeSubmitJob(submitInput)),
        'SubmitUnconfirmed',
        { nonRetryable: true },
      );
    });
    test('a retry submits only when its predecessor recorded that it sent nothing', async () => {
      const location = `/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}/status`;
      const { server, acts } = await serve((_req, res) => reply(res, 303, undefined, { location }));
      const attemptWith = (attempt: number, heartbeatDetails?: unknown) =>
        new MockActivityEnvironment({ attempt, heartbeatDetails }, quiet).run<
          [],
          JobRef,
          () => Promise<JobRef>
        >(() => acts.evoComputeSubmitJob(submitInput));
      // The attempt before died (killed worker, timeout) with no word, or with its POST in flight.
      const sending = { submit: 'sending', attempt: 1, sentAt: '2020-01-02T03:04:05.000Z' };
      const scheduled = new Date(1).toISOString(); // the test environment's first scheduling
      for (const [attempt, heartbeat, sentAt] of [
        [2, undefined, scheduled],
        [2, sending, sending.sentAt],
        // Attempt 2 died without a word; attempt 1's `not-sent` says nothing about it, but its
        // POST began before attempt 2's.
        [3, notSentBy(1), notSentBy(1).sentAt],
      ] as const) {
        const before = new Date().toISOString();
        const failure = await expectFailure(attemptWith(attempt, heartbeat), 'SubmitUnconfirmed', {
          nonRetryable: true,
        });
        assert.match(failure.message, new RegExp(`attempt ${attempt - 1} of this submit`));
        const details = readComputeFailure(failure)?.details;
        assert.deepEqual(
          { ...details, givenUpAt: undefined },
          {
            orgId: ORG_ID,
            topic: 'geostatistics',
            task: 'kriging',
            attempt: attempt - 1,
            sentAt,
            givenUpAt: undefined,
            parametersSha256: KRIGING_PARAMETERS_SHA256,
          },
          `after ${JSON.stringify(heartbeat)}`,
        );
        assertIsoWindow(sentAt, details?.givenUpAt, sentAt, new Date().toISOString());
        assert.ok((details?.givenUpAt ?? '') >= before, 'given up by the attempt that refused');
      }
      assert.equal(server.requests.length, 0, 'no POST after an attempt that may have sent one');
      const job = await attemptWith(2, notSentBy(1));
      assert.equal(job.jobId, JOB_ID);
      assert.equal(server.requests.length, 1);
    });
    test('a failed attempt heartbeats not-sent (with its attempt) only when its POST created nothing', async () => {
      const lastBeat = async (handler: Handler) => {
        const { acts } = await serve(handler);
        const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }, quiet);
        const beats: unknown[] = [];
        env.on('heartbeat', (details: unknown) => beats.push(structuredClone(details)));
        await env.run(() => acts.evoComputeSubmitJob(submitInput)).catch(() => undefined);
        return beats.at(-1);
      };
      const before = new Date().toISOString();
      const beat = (await lastBeat((_req, res) => reply(res, 503))) as Record<string, unknown>;
      assert.deepEqual({ ...beat, sentAt: undefined }, { submit: 'not-sent', attempt: 1, sentAt: undefined });
      assertIsoWindow(beat.sentAt, new Date().toISOString(), before, new Date().toISOString());
      assert.equal(await lastBeat((_req, res) => reply(res, 500)), undefined);
      assert.equal(
        await lastBeat((_req, res) => {
          res.socket?.destroy();
        }),
        undefined,
      );
    });
    test('a POST still in flight after a third of the heartbeat timeout heartbeats sending', async () => {
      const location = `/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}/status`;
      const { acts } = await serve((_req, res) => {
        setTimeout(() => reply(res, 303, undefined, { location }), 400);
      });
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 }, quiet);
      const beats: unknown[] = [];
      env.on('heartbeat', (details: unknown) => beats.push(structuredClone(details)));
      await env.run(() => acts.evoComputeSubmitJob(submitInput));
      assert.ok(beats.length >= 2, `heartbeats: ${beats.length}`);
      const first = beats[0] as Record<string, unknown>;
      assert.deepEqual({ ...first, sentAt: undefined }, { submit: 'sending', attempt: 1, sentAt: undefined });
      assert.equal(typeof first.sentAt, 'string', 'when the POST began');
    });
    test('a refused connection sent nothing and stays retryable', async () => {
      const { server } = await serve((_req, res) => reply(res, 500));
      const url = server.url;
      await server.close();
      const acts = createComputeActivities({ baseUrl: url, accessToken: TOKEN });
      await expectFailure(
        run(() => acts.evoComputeSubmitJob(submitInput)),
        'NetworkError',
        { nonRetryable: false },
      );
    });
  });

  describe('bodies that do not match the schema', () => {
    const bodies: [string, unknown][] = [
      ['malformed JSON', '{"status": "in progress",'],
      ['a JSON array', [1, 2]],
      ['an unknown status', { status: 'exploded' }],
      ['a progress that is not a number', { status: 'in progress', progress: 'half' }],
      ['an error that is not a problem', { status: 'failed', error: 'bad' }],
    ];
    for (const [name, body] of bodies) {
      test(`status with ${name} is UnknownResponse`, async () => {
        const { server, acts } = await serve((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(typeof body === 'string' ? body : JSON.stringify(body));
        });
        await expectFailure(
          run(() => acts.evoComputeGetJobStatus(jobOn(server.url))),
          'UnknownResponse',
          { nonRetryable: true },
        );
      });
    }
    test('status normalises spellings, clamps progress, drops nulls', async () => {
      const { server, acts } = await serve((_req, res) =>
        reply(res, 202, { status: 'canceling', progress: 140.2, message: null, error: null, extra: true }),
      );
      assert.deepEqual(await run(() => acts.evoComputeGetJobStatus(jobOn(server.url))), {
        status: 'cancelling',
        progress: 100,
      });
    });
    test('results: 202 is JobPending, retryable', async () => {
      const { server, acts } = await serve((_req, res) => reply(res, 202, { status: 'in progress' }));
      await expectFailure(
        run(() => acts.evoComputeGetJobResults(jobOn(server.url))),
        'JobPending',
        { nonRetryable: false },
      );
    });
    test('results: 200 with neither results nor error is UnknownResponse', async () => {
      const { server, acts } = await serve((_req, res) =>
        reply(res, 200, { status: 'cancelled', results: null, error: null }),
      );
      await expectFailure(
        run(() => acts.evoComputeGetJobResults(jobOn(server.url))),
        'UnknownResponse',
        { nonRetryable: true },
      );
    });
  });

  describe('network failures', () => {
    test('a connection dropped mid-poll is a retryable NetworkError', async () => {
      const { server, acts } = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"status":');
        setTimeout(() => res.socket?.destroy(), 10);
      });
      await expectFailure(
        run(() => acts.evoComputeGetJobStatus(jobOn(server.url))),
        'NetworkError',
        { nonRetryable: false },
      );
    });
    test('a service that never answers hits the headers timeout', async () => {
      const server = await startTestServer(() => undefined);
      servers.push(server);
      const acts = createComputeActivities({
        baseUrl: server.url,
        accessToken: TOKEN,
        headersTimeoutMs: 200,
      });
      await expectFailure(
        run(() => acts.evoComputeGetJobStatus(jobOn(server.url))),
        'NetworkError',
        { nonRetryable: false },
      );
    });
  });

  test('the activity heartbeats while its request is in flight', async () => {
    const { server, acts } = await serve((_req, res) => {
      setTimeout(() => reply(res, 202, { status: 'in progress' }), 400);
    });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 150 }, quiet);
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await env.run(() => acts.evoComputeGetJobStatus(jobOn(server.url)));
    assert.ok(beats >= 3, `heartbeats: ${beats}`);
  });

  test('a request that ends within the heartbeat interval sends no heartbeat (each is a billable action)', async () => {
    const { server, acts } = await serve((_req, res) => reply(res, 202, { status: 'in progress' }));
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }, quiet);
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await env.run(() => acts.evoComputeGetJobStatus(jobOn(server.url)));
    assert.equal(beats, 0);
  });

  test('cancelling the activity aborts its request', async () => {
    let closed = false;
    const { server, acts } = await serve((_req, _res, raw) => {
      raw.socket.on('close', () => {
        closed = true;
      });
    });
    const env = new MockActivityEnvironment({}, quiet);
    const pending = env.run(() => acts.evoComputeGetJobStatus(jobOn(server.url)));
    await new Promise((r) => setTimeout(r, 100));
    env.cancel();
    await assert.rejects(pending, (err: unknown) => err instanceof CancelledFailure);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(closed, 'the server saw the connection close');
  });
});

test('PACKAGE_VERSION matches package.json', async () => {
  const { version } = JSON.parse(
    await import('node:fs/promises').then((fs) => fs.readFile('package.json', 'utf8')),
  );
  assert.equal(PACKAGE_VERSION, version);
});
