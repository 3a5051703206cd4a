/**
 * One activity contract: a worker built the way a Temporal user builds one (`Worker.create` with
 * `createComputeActivities(…)` spread next to their own activities, nothing else from this
 * package) runs `runComputeJob` and `runComputeJobs` to their results, search attributes included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { type ComputeActivities, createComputeActivities } from '../src/activities';
import { EvoComputeStatus } from '../src/common/search-attributes';
import type { RunComputeJobInput } from '../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { runComputeJob, runComputeJobs } from '../src/workflows';
import { ORG_ID } from './helpers/ids';
import { quietRuntime, uniqueId, workflowBundle } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';

const TOKEN = 'contract-test-token';

let env: TestWorkflowEnvironment;
let emulator: ComputeEmulator;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueId('contract');
const userActivityCalls: string[] = [];

before(async () => {
  quietRuntime();
  [env, emulator] = await Promise.all([startLocalTemporal(), startComputeEmulator({ accessToken: TOKEN })]);
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      // The user's own activity, with a name that is also a natural name for ours.
      async getJobStatus(name: string) {
        userActivityCalls.push(name);
        return 'mine';
      },
      ...createComputeActivities({ baseUrl: emulator.url, accessToken: TOKEN }),
    },
  });
  running = worker.run();
});

after(async () => {
  worker?.shutdown();
  await running;
  await emulator?.close();
  await env?.teardown();
});

const job = (index: number): RunComputeJobInput => ({
  orgId: ORG_ID,
  topic: 'emulator',
  task: 'job',
  parameters: { durationMs: 300, index },
  poll: { initialInterval: 100, maximumInterval: 100, mode: 'timer' },
});

test('every activity type is prefixed, so it cannot collide with the worker’s own activities', () => {
  const names = Object.keys(createComputeActivities({ baseUrl: 'http://127.0.0.1:1', accessToken: 'x' }));
  const expected: (keyof ComputeActivities)[] = [
    'evoComputeSubmitJob',
    'evoComputeGetJobStatus',
    'evoComputeGetJobResults',
    'evoComputeCancelJob',
    'evoComputeWaitForJob',
    'evoComputeCheckJobStatus',
    'evoComputeWatchJob',
    'evoComputeSearchAttributesRegistered',
  ];
  assert.deepEqual(names.sort(), expected.sort());
});

test('createComputeActivities alone runs runComputeJob, with its search attributes', async () => {
  const handle = await env.client.workflow.start(runComputeJob, {
    taskQueue,
    workflowId: uniqueId('contract-one'),
    args: [job(0)],
  });
  const { results } = await handle.result();
  assert.deepEqual(results, { echo: { durationMs: 300, index: 0 } });
  // The registration check reached Temporal through the activity's own context.
  assert.equal((await handle.describe()).typedSearchAttributes.get(EvoComputeStatus), 'succeeded');
  assert.deepEqual(userActivityCalls, []);
});

test('createComputeActivities alone runs runComputeJobs and its children', async () => {
  const handle = await env.client.workflow.start(runComputeJobs, {
    taskQueue,
    workflowId: uniqueId('contract-many'),
    args: [{ jobs: [job(1), job(2)] }],
  });
  const results = await handle.result();
  assert.deepEqual(
    results.map((result) => ('results' in result ? result.results : result)),
    [{ echo: { durationMs: 300, index: 1 } }, { echo: { durationMs: 300, index: 2 } }],
  );
});
