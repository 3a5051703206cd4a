/**
 * The typed task catalogue: the committed schemas and generated code match the pinned Python SDK,
 * validation names every bad field, the submit activity refuses bad parameters before any request
 * and sends preview tasks with `API-Preview: opt-in`, and results are checked against the result
 * model.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createComputeActivities } from '../src/activities';
import { ComputeFailureType, readComputeFailure } from '../src/common/failures';
import { startComputeEmulator } from '../src/emulator';
import { exampleKrigingParameters } from '../src/emulator/example-parameters';
import {
  CATALOGUE_SDK_VERSION,
  CATALOGUE_TASKS,
  checkTaskParameters,
  checkTaskResult,
  taskSchemas,
  tasks,
} from '../src/tasks';
import { ORG_ID } from './helpers/ids';
import { reply, startTestServer, type TestServer } from './helpers/test-server';

const ROOT = join(__dirname, '..', '..');
const quiet = { logger: new DefaultLogger('ERROR') };

function run<T>(work: () => Promise<T>): Promise<T> {
  return new MockActivityEnvironment({}, quiet).run(work);
}

describe('schemas and generated code', () => {
  test('the committed schemas are what the pinned Python SDK exports', () => {
    const result = spawnSync('python3', ['scripts/export_task_schemas.py', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(
      result.status,
      0,
      `${result.stdout}${result.stderr}\nrun npm run schemas and review the diff`,
    );
  });

  test('the committed types and validators are what the committed schemas generate', () => {
    const result = spawnSync(process.execPath, ['scripts/generate-task-code.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}\nrun npm run schemas`);
  });

  test('the catalogue: 13 geostatistics tasks from evo-compute 0.0.6, kriging preview-only', () => {
    assert.equal(CATALOGUE_SDK_VERSION, '0.0.6');
    assert.deepEqual(
      CATALOGUE_TASKS.map((task) => `${task.topic}/${task.task}`),
      [
        'break-ties',
        'conditional-turning-bands',
        'consim',
        'continuous-distribution',
        'declustering',
        'idw',
        'knn',
        'kriging',
        'location-wise',
        'loss-calculation',
        'normal-score',
        'profit-calculation',
        'simulation-report',
      ].map((task) => `geostatistics/${task}`),
    );
    assert.deepEqual(
      CATALOGUE_TASKS.filter((task) => task.preview).map((task) => task.task),
      ['kriging'],
    );
    const kriging = tasks.geostatistics.kriging;
    assert.deepEqual([kriging.topic, kriging.task, kriging.preview], ['geostatistics', 'kriging', true]);
    assert.deepEqual(kriging.required, ['source', 'target', 'variogram', 'neighborhood']);
    assert.equal(tasks.geostatistics.normalScore.task, 'normal-score');
    const schemas = taskSchemas('geostatistics', 'kriging');
    assert.equal(schemas?.parameters.title, 'KrigingParameters');
    assert.equal(schemas?.result.title, 'KrigingResultModel');
    assert.equal(taskSchemas('emulator', 'job'), undefined);
  });

  test('a factory builds a typed input; preview tasks ask for preview', () => {
    const parameters = exampleKrigingParameters(ORG_ID);
    const input = tasks.geostatistics.kriging({ orgId: ORG_ID, parameters, timeout: '1 hour' });
    assert.deepEqual(input, {
      orgId: ORG_ID,
      topic: 'geostatistics',
      task: 'kriging',
      parameters,
      timeout: '1 hour',
      preview: true,
    });
    const idw = tasks.geostatistics.idw({ orgId: ORG_ID, parameters: {} as never });
    assert.equal(idw.preview, undefined);
  });
});

describe('validation', () => {
  test('valid parameters pass; a task outside the catalogue is not checked', async () => {
    assert.deepEqual(
      await checkTaskParameters('geostatistics', 'kriging', exampleKrigingParameters(ORG_ID)),
      [],
    );
    assert.deepEqual(await checkTaskParameters('emulator', 'job', { anything: 1 }), []);
  });

  test('every offending field is named by its JSON path', async () => {
    const good = exampleKrigingParameters(ORG_ID);
    const problems = await checkTaskParameters('geostatistics', 'kriging', {
      ...good,
      variogram: 42,
      neighbourhood: good.neighborhood,
      neighborhood: undefined,
      target: { ...good.target, attribute: { operation: 'create' } },
      kriging_method: { type: 'simple' },
    });
    assert.deepEqual(problems, [
      { path: '$.neighborhood', message: 'is required' },
      { path: '$.neighbourhood', message: 'is not a known field' },
      { path: '$.kriging_method.mean', message: 'is required' },
      { path: '$.kriging_method.type', message: 'must be "ordinary"' },
      // Not a CreateAttribute (no name), nor an UpdateAttribute: each variant's complaint is listed.
      { path: '$.target.attribute.name', message: 'is required' },
      { path: '$.target.attribute.reference', message: 'is required' },
      { path: '$.target.attribute.operation', message: 'must be "update"' },
      { path: '$.variogram', message: 'must be string' },
    ]);
  });

  test('results: required fields and types are checked, extra fields are allowed', async () => {
    const results = {
      message: 'done',
      target: {
        reference: 'https://hub.example.invalid/objects/1',
        name: 'grid',
        schema_id: '/objects/regular-3d-grid/1.0.0/regular-3d-grid.schema.json',
        attribute: { reference: 'ref', name: 'kriged_grade' },
        added_by_a_newer_service: true,
      },
      also_new: [1, 2],
    };
    assert.deepEqual(await checkTaskResult('geostatistics', 'kriging', results), []);
    assert.deepEqual(
      await checkTaskResult('geostatistics', 'kriging', {
        message: 3,
        target: { ...results.target, name: undefined },
      }),
      [
        { path: '$.message', message: 'must be string' },
        { path: '$.target.name', message: 'is required' },
      ],
    );
  });
});

describe('the activities and the catalogue', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));

  test('submitJob refuses bad parameters with InvalidInput naming each field, and sends nothing', async () => {
    const server = await startTestServer((_req, res) => reply(res, 500));
    servers.push(server);
    const acts = createComputeActivities({ baseUrl: server.url, accessToken: 'token' });
    const err = await run(() =>
      acts.evoComputeSubmitJob({
        orgId: ORG_ID,
        topic: 'geostatistics',
        task: 'kriging',
        parameters: { ...exampleKrigingParameters(ORG_ID), blocks: 8, variogram: undefined },
      }),
    ).then(
      () => assert.fail('expected InvalidInput'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, ComputeFailureType.InvalidInput);
    assert.equal(err.nonRetryable, true);
    assert.deepEqual(readComputeFailure(err)?.details.fields, [
      { path: '$.variogram', message: 'is required' },
      { path: '$.blocks', message: 'is not a known field' },
    ]);
    assert.match(err.message, /\$\.variogram is required; \$\.blocks is not a known field/);
    assert.equal(server.requests.length, 0, 'no request was made');
  });

  test('a preview task is sent with API-Preview: opt-in without being asked; results are checked', async () => {
    const emulator = await startComputeEmulator({ taskDurationMs: 0 });
    try {
      const acts = createComputeActivities({ baseUrl: emulator.url, accessToken: 'token' });
      const parameters = exampleKrigingParameters(ORG_ID);
      const job = await run(() =>
        acts.evoComputeSubmitJob({ orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', parameters }),
      );
      assert.equal(job.preview, true);
      assert.equal(emulator.requests.at(-1)?.headers['api-preview'], 'opt-in');
      assert.deepEqual(JSON.parse(emulator.requests.at(-1)?.body ?? ''), { parameters });
      const results = await run(() => acts.evoComputeGetJobResults(job));
      assert.equal(results.message, 'Kriging complete');
      assert.equal(emulator.requests.at(-1)?.headers['api-preview'], 'opt-in');
    } finally {
      await emulator.close();
    }
  });

  test('results that do not match the result model are UnknownResponse naming the field', async () => {
    const emulator = await startComputeEmulator({ taskDurationMs: 0 });
    const server = await startTestServer((_req, res) =>
      reply(res, 200, {
        status: 'succeeded',
        results: { message: 'done', target: { name: 'no reference' } },
      }),
    );
    servers.push(server);
    try {
      const acts = createComputeActivities({ baseUrl: server.url, accessToken: 'token' });
      const job = {
        orgId: ORG_ID,
        topic: 'geostatistics',
        task: 'idw',
        jobId: '9f8e7d6c-5b4a-4321-8fed-cba987654321',
        url: `${server.url}/compute/orgs/${ORG_ID}/geostatistics/idw/9f8e7d6c-5b4a-4321-8fed-cba987654321/status`,
        preview: false,
      };
      const err = await run(() => acts.evoComputeGetJobResults(job)).then(
        () => assert.fail('expected UnknownResponse'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, ComputeFailureType.UnknownResponse);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /\$\.target\.reference is required/);
      assert.match(err.message, /\$\.target\.schema_id is required/);
    } finally {
      await emulator.close();
    }
  });
});
