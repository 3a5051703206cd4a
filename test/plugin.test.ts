/**
 * `evoComputePlugin` on a user's worker options, and `createComputeWorker` built on it: the compute
 * activities are added to the worker's own, the worker settings are defaults the user can override.
 * (The plugin running a user's worker end to end, from the packed package, is consumer.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions, type WorkerTuner } from '@temporalio/worker';
import { startComputeEmulator } from '../src/emulator';
import { EVO_COMPUTE_NEXUS_SERVICE } from '../src/nexus';
import {
  COMPUTE_ACTIVITY_SLOTS,
  COMPUTE_SHUTDOWN_GRACE_TIME,
  COMPUTE_STICKY_QUEUE_TIMEOUT,
  evoComputePlugin,
} from '../src/plugin';
import { createComputeWorker } from '../src/worker/index';
import { runComputeJob } from '../src/workflows';
import { testJob } from './helpers/compute-jobs';
import { quietRuntime, uniqueId, workflowBundle } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';

const COMPUTE_ACTIVITIES = [
  'evoComputeCancelJob',
  'evoComputeCheckJobStatus',
  'evoComputeGetJobResults',
  'evoComputeGetJobStatus',
  'evoComputeSearchAttributesRegistered',
  'evoComputeSubmitJob',
  'evoComputeWaitForJob',
  'evoComputeWatchJob',
];

const plugin = () => evoComputePlugin({ baseUrl: 'http://127.0.0.1:1', accessToken: 'plugin-test' });

const base: WorkerOptions = { taskQueue: 'my-app', activities: { async notifyTeam() {} } };

describe('evoComputePlugin on the worker options', () => {
  test('adds the compute activities to the worker’s own', () => {
    const options = plugin().configureWorker(base);
    assert.deepEqual(
      Object.keys(options.activities ?? {}).sort(),
      ['notifyTeam', ...COMPUTE_ACTIVITIES].sort(),
    );
    assert.equal(options.taskQueue, 'my-app');
  });

  test('serves the evo-compute Nexus service next to the worker’s own, unless told not to', () => {
    const own = { name: 'my-service' } as unknown as NonNullable<WorkerOptions['nexusServices']>[number];
    const served = plugin().configureWorker({ ...base, nexusServices: [own] }).nexusServices ?? [];
    assert.deepEqual(
      served.map((service) => (service === own ? 'my-service' : service.definition.name)),
      ['my-service', EVO_COMPUTE_NEXUS_SERVICE],
    );
    const off = evoComputePlugin({ baseUrl: 'http://127.0.0.1:1', accessToken: 'plugin-test', nexus: false });
    assert.deepEqual(off.configureWorker(base).nexusServices ?? [], []);
  });

  test('sets the activity slots, the shutdown grace time and the sticky timeout unless the worker sets them', () => {
    const defaults = plugin().configureWorker(base);
    assert.equal(defaults.maxConcurrentActivityTaskExecutions, COMPUTE_ACTIVITY_SLOTS);
    assert.equal(defaults.shutdownGraceTime, COMPUTE_SHUTDOWN_GRACE_TIME);
    assert.equal(defaults.stickyQueueScheduleToStartTimeout, COMPUTE_STICKY_QUEUE_TIMEOUT);

    const own = plugin().configureWorker({
      ...base,
      maxConcurrentActivityTaskExecutions: 20,
      shutdownGraceTime: '1 minute',
      stickyQueueScheduleToStartTimeout: '10 seconds',
    });
    assert.equal(own.maxConcurrentActivityTaskExecutions, 20);
    assert.equal(own.shutdownGraceTime, '1 minute');
    assert.equal(own.stickyQueueScheduleToStartTimeout, '10 seconds');
  });

  test('leaves the slots to a tuner (the SDK refuses both)', () => {
    const tuner: WorkerTuner = {
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
    };
    const options = plugin().configureWorker({ ...base, tuner });
    assert.equal(options.maxConcurrentActivityTaskExecutions, undefined);
  });

  test('adds no workflows: the worker’s workflows file or bundle stays the one it has', () => {
    const options = plugin().configureWorker({ ...base, workflowsPath: '/app/workflows.js' });
    assert.equal(options.workflowsPath, '/app/workflows.js');
    assert.equal(options.workflowBundle, undefined);
  });
});

describe('createComputeWorker', () => {
  let env: TestWorkflowEnvironment;

  before(async () => {
    quietRuntime();
    env = await startLocalTemporal();
  });

  after(async () => {
    await env?.teardown();
  });

  test('registers the caller’s activities and plugins next to the compute ones', async () => {
    const seen: string[] = [];
    const computeWorker = await createComputeWorker({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue: uniqueId('plugin'),
      baseUrl: 'http://127.0.0.1:1',
      accessToken: 'plugin-test',
      worker: {
        workflowBundle: await workflowBundle(),
        activities: { async notifyTeam() {} },
        plugins: [
          {
            name: 'caller-plugin',
            configureWorker(options) {
              seen.push(...Object.keys(options.activities ?? {}));
              return options;
            },
          },
        ],
      },
    });
    assert.deepEqual(
      [...computeWorker.worker.options.activities.keys()].sort(),
      ['notifyTeam', ...COMPUTE_ACTIVITIES].sort(),
    );
    // The caller's plugin comes after the compute plugin, so it sees every activity.
    assert.deepEqual(seen.sort(), ['notifyTeam', ...COMPUTE_ACTIVITIES].sort());
    const running = computeWorker.run();
    computeWorker.shutdown();
    await running;
  });

  test('one plugin on two workers: the one run after the other has stopped still reaches the service', async () => {
    const emulator = await startComputeEmulator({ accessToken: 'plugin-test' });
    try {
      const shared = evoComputePlugin({ baseUrl: emulator.url, accessToken: 'plugin-test' });
      const workerOn = async (taskQueue: string) =>
        Worker.create({
          connection: env.nativeConnection,
          namespace: env.namespace,
          taskQueue,
          workflowBundle: await workflowBundle(),
          plugins: [shared],
        });
      const first = await workerOn(uniqueId('plugin-first'));
      const secondQueue = uniqueId('plugin-second');
      const second = await workerOn(secondQueue);
      // The first worker runs and stops before the second one starts.
      const running = first.run();
      first.shutdown();
      await running;
      const { results } = await second.runUntil(
        env.client.workflow.execute(runComputeJob, {
          taskQueue: secondQueue,
          workflowId: uniqueId('plugin-second-job'),
          args: [testJob({ durationMs: 200 })],
        }),
      );
      assert.ok(results.echo, 'the job ran to its results through the second worker');
    } finally {
      await emulator.close();
    }
  });
});
