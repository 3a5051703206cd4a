/**
 * The package under a user's data converter: an AES-256-GCM codec (test/helpers/codec.ts) on the
 * clients and workers. Jobs run, report progress and return results through it, from every entry
 * point (the client helpers, a fan-out, a child on the user's own worker with the plugin, the CLI,
 * the worker program); replay works with the same converter. And the raw history, fetched without
 * the codec, holds none of the parameters, results, progress messages or problem text in plain
 * text, while the same search through the codec finds them all (so the search can fail).
 */
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { cancelComputeJob, getComputeJobProgress, startComputeJob, waitForComputeJob } from '../src/client';
import type { ComputeJobResult, SubmitComputeJobInput } from '../src/common/types';
import { evoComputePlugin } from '../src/plugin';
import { runComputeJobs } from '../src/workflows';
import { runCliProcess } from './helpers/cli-process';
import {
  dataConverter,
  ENCRYPTED_ENCODING,
  type EncryptionCodec,
  encodingCommonAttributes,
  payloadCodecs,
} from './helpers/codec';
import { testJob } from './helpers/compute-jobs';
import { rawText } from './helpers/history';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';
import { runWorkerProcess } from './helpers/worker-process';
import { parentsBundle } from './workflows/bundle';
import { parentOfOneJob } from './workflows/parents';

const TOKEN = 'codec-test-token';
const CODEC_MODULE = require.resolve('./helpers/codec');
const codec = payloadCodecs[0] as EncryptionCodec;

/** Strings no Temporal field would hold by chance: one for each kind of thing that must stay encrypted. */
const SECRET = {
  parameter: 'PARAM-ore-grade-7f3a',
  result: 'RESULT-reserve-9c1d',
  message: 'MESSAGE-drillhole-4b2e',
  problem: 'PROBLEM-assay-1e8f',
};

/** Polls every 100 ms, in `retry` mode (the default) unless `mode` says otherwise. */
function every100ms(mode: 'retry' | 'heartbeat' = 'retry'): Partial<SubmitComputeJobInput> {
  return { pollInterval: undefined, poll: { mode, initialInterval: '100ms', maximumInterval: '100ms' } };
}

/** A job whose parameters, results and progress messages carry the secrets. */
function secretJob(parameters: Record<string, unknown> = {}, options: Partial<SubmitComputeJobInput> = {}) {
  return testJob(
    {
      durationMs: 2500,
      steps: 50,
      secret: SECRET.parameter,
      message: SECRET.message,
      results: { secret: SECRET.result },
      ...parameters,
    },
    options,
  );
}

/**
 * A job of 3 s per 10 % step, polled every 100 ms, cancelled once a test has seen what it looks for:
 * long enough for polls that record nothing (retry attempts, which the dev server runs about once
 * a second, and heartbeats, every 1.7 s).
 */
function longSecretJob(mode: 'retry' | 'heartbeat') {
  return secretJob({ durationMs: 30_000, cancelDelayMs: 0 }, every100ms(mode));
}

const FAILING = { durationMs: 300, fail: { title: SECRET.problem, detail: `${SECRET.problem}-detail` } };

/** The child workflows a parent started, read from its history. */
async function childrenOf(client: Client, workflowId: string): Promise<string[]> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).flatMap((event) => {
    const id = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    return id ? [id] : [];
  });
}

/**
 * Fetches each history with `raw` (a client without the codec) and checks that no secret is in
 * it as plain text, while the search through the codec finds every one of `expected`.
 */
async function assertEncrypted(raw: Client, workflowIds: string[], expected: string[]): Promise<void> {
  let plain = '';
  let decoded = '';
  for (const workflowId of workflowIds) {
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    plain += await rawText(history);
    decoded += await rawText(history, codec);
  }
  for (const secret of Object.values(SECRET)) {
    assert.ok(!plain.includes(secret), `${secret} is in plain text in the history of ${workflowIds}`);
  }
  for (const secret of expected) {
    assert.ok(decoded.includes(secret), `${secret} should be in the history, encrypted`);
  }
}

/** The pending polling activity as a client without the codec sees it, once it carries a reading. */
async function rawPendingActivity(
  raw: Client,
  workflowId: string,
  field: 'lastFailure' | 'heartbeatDetails',
) {
  return waitFor(`a pending activity with ${field}`, async () => {
    const { raw: described } = await raw.workflow.getHandle(workflowId).describe();
    const activity = described.pendingActivities?.find((pending) => pending[field]);
    return activity && (await rawText(activity, codec)).includes(SECRET.message) ? activity : undefined;
  });
}

/** Waits until `getComputeJobProgress` answers with the polling activity's reading (newer than the query's). */
async function activityReading(handle: WorkflowHandle) {
  return waitFor('the polling activity’s reading', async () => {
    const [view, progress] = await Promise.all([
      handle.query<{ polls: number }>('progress'),
      getComputeJobProgress(handle),
    ]);
    return progress.polls > view.polls ? progress : undefined;
  });
}

function codecClient(
  stack: ReturnType<typeof useTestStack>,
  converter: DataConverter = dataConverter,
): Client {
  return new Client({
    connection: stack.env.connection,
    namespace: stack.env.namespace,
    dataConverter: converter,
  });
}

describe('under an encryption codec', { timeout: 240_000 }, () => {
  const TASK_QUEUE = uniqueId('codec');
  const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN, worker: { dataConverter } });
  /** Every workflow the tests ran, for the replay test. */
  const ran: string[] = [];

  test('retry polling: the progress query and the activity’s reading decode; nothing is plain', async () => {
    const client = codecClient(stack);
    const raw = stack.env.client;
    const handle = await startComputeJob(client, longSecretJob('retry'), { taskQueue: TASK_QUEUE });
    ran.push(handle.workflowId);

    // The JobStillRunning failure of the pending attempt: its message is plain, its details encoded.
    const pending = await rawPendingActivity(raw, handle.workflowId, 'lastFailure');
    assert.ok(!(await rawText(pending)).includes(SECRET.message), 'the reading is plain in the last failure');
    assert.match(pending.lastFailure?.message ?? '', /^\[in progress\] \d+% \(poll \d+; next in/);

    const reading = await activityReading(handle);
    assert.match(reading.status?.message ?? '', new RegExp(`^${SECRET.message}: Step \\d+ of 50$`));
    const view = await handle.query<{ status?: { message?: string } }>('progress');
    assert.match(view.status?.message ?? '', new RegExp(SECRET.message));
    // Query answers are encoded too: the progress query, and the metadata query behind the UI's current details.
    const rawHandle = raw.workflow.getHandle(handle.workflowId);
    for (const query of ['progress', '__temporal_workflow_metadata']) {
      await assert.rejects(rawHandle.query(query), /binary\/encrypted/, `${query} answers without the codec`);
    }

    assert.equal((await cancelComputeJob(handle, { wait: true })).status, 'CANCELLED');
    await assertEncrypted(raw, [handle.workflowId], [SECRET.parameter, SECRET.message]);

    // SDK 1.24 encodes user metadata with the codec: the workflow's and the activities' summaries.
    const { events } = await raw.workflow.getHandle(handle.workflowId).fetchHistory();
    const summaries = (events ?? []).flatMap((event) =>
      event.userMetadata?.summary ? [event.userMetadata.summary] : [],
    );
    assert.ok(summaries.length >= 3, `${summaries.length} summaries`);
    for (const summary of summaries) {
      assert.equal(Buffer.from(summary.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
    }
  });

  test('heartbeat polling: the heartbeat details are encrypted and getComputeJobProgress decodes them', async () => {
    const client = codecClient(stack);
    const raw = stack.env.client;
    const handle = await startComputeJob(client, longSecretJob('heartbeat'), { taskQueue: TASK_QUEUE });
    ran.push(handle.workflowId);

    const pending = await rawPendingActivity(raw, handle.workflowId, 'heartbeatDetails');
    assert.ok(!(await rawText(pending)).includes(SECRET.message), 'the heartbeat is plain');
    const reading = await activityReading(handle);
    assert.match(reading.status?.message ?? '', new RegExp(SECRET.message));

    assert.equal((await cancelComputeJob(handle, { wait: true })).status, 'CANCELLED');
    await assertEncrypted(raw, [handle.workflowId], [SECRET.parameter, SECRET.message]);
  });

  test('a failed job: the problem reaches the client through the codec, not the failure message', async () => {
    const client = codecClient(stack);
    const handle = await startComputeJob(client, secretJob(FAILING), { taskQueue: TASK_QUEUE });
    ran.push(handle.workflowId);
    const outcome = await waitForComputeJob(handle);
    assert.equal(outcome.failure?.type, 'JobFailed');
    assert.equal(outcome.failure?.problem?.title, SECRET.problem);
    assert.match(outcome.failure?.message ?? '', /^job \S+ failed \(problem \S+job-failed;/);
    await assertEncrypted(stack.env.client, [handle.workflowId], [SECRET.parameter, SECRET.problem]);
  });

  test('runComputeJobs: the fan-out and its children', async () => {
    const client = codecClient(stack);
    const workflowId = uniqueId('codec-fan-out');
    const results = (await client.workflow.execute(runComputeJobs, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ jobs: [secretJob({ durationMs: 500 }), secretJob({ durationMs: 700 })] }],
    })) as ComputeJobResult[];
    assert.deepEqual(
      results.map(({ results: own }) => own),
      [{ secret: SECRET.result }, { secret: SECRET.result }],
    );
    const children = await childrenOf(stack.env.client, workflowId);
    assert.equal(children.length, 2);
    ran.push(workflowId, ...children);
    await assertEncrypted(stack.env.client, [workflowId, ...children], Object.values(SECRET).slice(0, 3));
  });

  test('a child on the user’s own worker, with the plugin and the same converter', async () => {
    const queue = uniqueId('codec-own-worker');
    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace,
      taskQueue: queue,
      workflowBundle: await parentsBundle(),
      dataConverter,
      plugins: [evoComputePlugin({ baseUrl: stack.emulator.url, accessToken: TOKEN })],
    });
    const workflowId = uniqueId('codec-parent');
    const result = await worker.runUntil(
      codecClient(stack).workflow.execute(parentOfOneJob, {
        taskQueue: queue,
        workflowId,
        args: [secretJob({ durationMs: 800 })],
      }),
    );
    assert.deepEqual(result.results, { secret: SECRET.result });
    const children = await childrenOf(stack.env.client, workflowId);
    ran.push(workflowId, ...children);
    await assertEncrypted(stack.env.client, [workflowId, ...children], Object.values(SECRET).slice(0, 3));
  });

  test('the CLI: run, status and cancel with --data-converter or EVO_COMPUTE_DATA_CONVERTER', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
      EVO_COMPUTE_TASK_QUEUE: TASK_QUEUE,
    };
    const topic = [
      '--org',
      secretJob().orgId,
      '--topic',
      'emulator',
      '--task',
      'job',
      '--poll-interval',
      '100ms',
    ];
    const asRelative = `./${relative(process.cwd(), CODEC_MODULE)}`;

    const run = runCliProcess(['run', ...topic, '--params', '-', '--data-converter', asRelative], {
      env,
      stdin: JSON.stringify(secretJob({ durationMs: 800 }).parameters),
    });
    assert.equal(await run.exited, 0, run.stderr());
    assert.deepEqual(JSON.parse(run.stdout()), { secret: SECRET.result });
    assert.match(run.stderr(), new RegExp(SECRET.message), 'the progress lines show the decoded message');
    const ranId: string | undefined = JSON.parse(run.stderr().split('\n')[0] ?? '{}').workflowId;
    assert.ok(ranId, run.stderr());

    const withEnv = { ...env, EVO_COMPUTE_DATA_CONVERTER: CODEC_MODULE };
    const detached = runCliProcess(['run', ...topic, '--params', '-', '--detach'], {
      env: withEnv,
      stdin: JSON.stringify(secretJob({ durationMs: 60_000 }).parameters),
    });
    assert.equal(await detached.exited, 0, detached.stderr());
    const detachedId = detached.stdout().trim();
    const handle = codecClient(stack).workflow.getHandle(detachedId);
    await waitFor('the detached job in progress', async () => {
      const view = await handle.query<{ status?: { message?: string } }>('progress');
      return view.status?.message?.includes(SECRET.message);
    });
    const status = runCliProcess(['status', detachedId], { env: withEnv });
    assert.equal(await status.exited, 0, status.stderr());
    const view = JSON.parse(status.stdout());
    assert.equal(view.workflowStatus, 'RUNNING');
    assert.match(view.status.message, new RegExp(SECRET.message));

    const cancel = runCliProcess(['cancel', detachedId, '--data-converter', CODEC_MODULE], { env });
    assert.equal(await cancel.exited, 0, cancel.stderr());
    assert.equal(JSON.parse(cancel.stdout()).workflowStatus, 'CANCELLED');
    ran.push(ranId, detachedId);
    await assertEncrypted(stack.env.client, [ranId, detachedId], Object.values(SECRET).slice(0, 3));
  });

  test('the worker program takes its converter from EVO_COMPUTE_DATA_CONVERTER', async () => {
    const queue = uniqueId('codec-worker-program');
    const worker = runWorkerProcess({
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
      EVO_BASE_URL: stack.emulator.url,
      EVO_ACCESS_TOKEN: TOKEN,
      EVO_COMPUTE_TASK_QUEUE: queue,
      EVO_COMPUTE_DATA_CONVERTER: CODEC_MODULE,
    });
    try {
      await waitFor('the worker polling', () => worker.output().includes('polling'));
      assert.match(worker.output(), /data converter from EVO_COMPUTE_DATA_CONVERTER/);
      const handle = await startComputeJob(codecClient(stack), secretJob({ durationMs: 800 }), {
        taskQueue: queue,
      });
      ran.push(handle.workflowId);
      assert.deepEqual((await handle.result()).results, { secret: SECRET.result });
      await assertEncrypted(stack.env.client, [handle.workflowId], Object.values(SECRET).slice(0, 3));
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });

  test('the worker program refuses a module that exports no converter, naming the variable', async () => {
    const worker = runWorkerProcess({
      EVO_BASE_URL: 'http://127.0.0.1:1',
      EVO_ACCESS_TOKEN: TOKEN,
      EVO_COMPUTE_DATA_CONVERTER: require.resolve('./helpers/wait'),
    });
    assert.equal(await worker.exited, 2);
    assert.match(
      worker.output(),
      /EVO_COMPUTE_DATA_CONVERTER names .*exports neither dataConverter nor payloadCodecs/,
    );
  });

  test('replay: every history above replays with the converter, and not without it', async () => {
    assert.ok(ran.length >= 8, `the tests above ran ${ran.length} workflows`);
    const histories = async function* () {
      for (const workflowId of ran) {
        yield { workflowId, history: await stack.env.client.workflow.getHandle(workflowId).fetchHistory() };
      }
    };
    const workflowBundle = await parentsBundle();
    const replayed = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter }, histories())) {
      replayed.push(result);
    }
    assert.deepEqual(
      replayed.filter(({ error }) => error).map(({ workflowId, error }) => `${workflowId}: ${error}`),
      [],
    );
    assert.equal(replayed.length, ran.length);
    const [first] = ran;
    const without = await Worker.runReplayHistory(
      { workflowBundle },
      await stack.env.client.workflow.getHandle(first as string).fetchHistory(),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(without instanceof Error, 'a replay without the codec cannot read the history');
  });
});

describe('with encodeCommonAttributes: failure messages and stacks are encoded too', {
  timeout: 240_000,
}, () => {
  const TASK_QUEUE = uniqueId('codec-common');
  const converter = encodingCommonAttributes();
  // No bundle of the tests': createComputeWorker must bundle the failure converter into the workflows.
  const stack = useTestStack({
    taskQueue: TASK_QUEUE,
    token: TOKEN,
    worker: { dataConverter: converter },
    bundle: 'package',
  });

  test('retry polling: the still-running message is encoded and getComputeJobProgress still reads the details', async () => {
    const client = codecClient(stack, converter);
    const handle = await startComputeJob(client, longSecretJob('retry'), { taskQueue: TASK_QUEUE });
    const pending = await rawPendingActivity(stack.env.client, handle.workflowId, 'lastFailure');
    assert.equal(pending.lastFailure?.message, 'Encoded failure');
    const reading = await activityReading(handle);
    assert.match(reading.status?.message ?? '', new RegExp(SECRET.message));
    assert.equal((await cancelComputeJob(handle, { wait: true })).status, 'CANCELLED');
    await assertEncrypted(stack.env.client, [handle.workflowId], [SECRET.parameter, SECRET.message]);
  });

  test('a failed job: the workflow’s own failure is encoded (the failure converter runs in the workflow too)', async () => {
    const client = codecClient(stack, converter);
    const handle = await startComputeJob(client, secretJob(FAILING), { taskQueue: TASK_QUEUE });
    const outcome = await waitForComputeJob(handle);
    assert.equal(outcome.failure?.type, 'JobFailed');
    assert.equal(outcome.failure?.problem?.title, SECRET.problem);
    assert.match(outcome.failure?.message ?? '', /^job \S+ failed/);
    const { events } = await stack.env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const failed = events?.find((event) => event.workflowExecutionFailedEventAttributes);
    assert.equal(failed?.workflowExecutionFailedEventAttributes?.failure?.message, 'Encoded failure');
    await assertEncrypted(stack.env.client, [handle.workflowId], [SECRET.parameter, SECRET.problem]);
  });
});
