/**
 * The JSON contract of `runComputeJob` (schemas/run-compute-job): the committed schemas are what the
 * types generate, the inputs the package builds validate against it, and malformed ones do not,
 * with the field named, as `validateComputeJobInput` judges them too. A finished job's result is
 * checked against result.json where a job runs: test/python-caller.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import { jobRefFromUrl } from '../../src/common/job-url';
import { tasks } from '../../src/common/tasks/catalogue';
import { isInvalidInputError, validateComputeJobInput } from '../../src/common/validate-input';
import { exampleKrigingParameters } from '../../src/emulator/example-parameters';
import { JOB_ID, ORG_ID } from '../helpers/ids';

const ROOT = join(__dirname, '..', '..', '..');

function contract(file: 'input.json' | 'result.json'): object {
  return JSON.parse(readFileSync(join(ROOT, 'schemas', 'run-compute-job', file), 'utf8'));
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validateInput = ajv.compile(contract('input.json'));
const validateResult = ajv.compile(contract('result.json'));

const BASE_URL = 'https://hub.example.invalid';
const job = jobRefFromUrl(`${BASE_URL}/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}/status`, {
  baseUrl: BASE_URL,
  preview: true,
});

/** The paths of the fields the schema refuses (`/poll/mode`), over all branches of the union. */
function refusedFields(input: unknown): string[] {
  assert.equal(validateInput(input), false, `the schema accepted ${JSON.stringify(input)}`);
  return (validateInput.errors ?? []).map((error) =>
    error.keyword === 'additionalProperties'
      ? `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`
      : error.keyword === 'required'
        ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`
        : error.instancePath,
  );
}

describe('the JSON contract of runComputeJob', () => {
  test('the committed schemas are what src/common/types.ts generates', () => {
    const result = spawnSync(process.execPath, ['scripts/generate-job-contract.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}\nrun npm run schemas:contract`);
  });

  test('the inputs the package builds validate: a catalogue task, an attach, an untyped task', () => {
    const inputs = [
      tasks.geostatistics.kriging({
        orgId: ORG_ID,
        parameters: exampleKrigingParameters(ORG_ID),
        timeout: '6 hours',
        poll: { initialInterval: 500, maximumInterval: '10s', backoffCoefficient: 2, mode: 'timer' },
      }),
      { job, cancelWait: '30 seconds', pollInterval: 250 },
      { orgId: ORG_ID, topic: 'emulator', task: 'job', parameters: { durationMs: 10 }, preview: false },
    ];
    for (const input of inputs) {
      assert.ok(validateInput(input), JSON.stringify(validateInput.errors));
      validateComputeJobInput(input);
    }
  });

  test('a finished job result of that job validates', () => {
    assert.ok(validateResult({ job, results: { target: { attribute: { name: 'kriged_grade' } } } }));
    assert.equal(validateResult({ job: { ...job, url: undefined }, results: {} }), false);
  });

  test('malformed inputs do not validate, with the field named, and the workflow refuses them too', () => {
    const submit = { orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', parameters: {} };
    const cases: [unknown, string][] = [
      [{ ...submit, parameters: [1, 2] }, '/parameters'],
      [{ ...submit, poll: { mode: 'sometimes' } }, '/poll/mode'],
      [{ ...submit, timeout: -5 }, '/timeout'],
      [{ ...submit, notifyParent: 'yes' }, '/notifyParent'],
      [{ orgId: ORG_ID, topic: 'geostatistics', task: 'kriging' }, '/parameters'],
      [{ job: { ...job, url: undefined } }, '/job/url'],
      [{ job: { ...job, preview: 'no' } }, '/job/preview'],
    ];
    for (const [input, field] of cases) {
      assert.ok(refusedFields(input).includes(field), `${field}: ${JSON.stringify(validateInput.errors)}`);
      assert.throws(() => validateComputeJobInput(input), isInvalidInputError, field);
    }
  });

  test('the contract is stricter than the workflow in one way: it names a misspelt option', () => {
    // The workflow ignores fields it does not know; a caller in another language learns of the typo here.
    const input = { orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', parameters: {}, timeOut: '1h' };
    assert.ok(refusedFields(input).includes('/timeOut'));
  });
});
