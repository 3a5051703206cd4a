/**
 * A Python `temporalio` parent calling the package's `runComputeJob` (docs/python.md): as a child
 * workflow by type name on the package's worker, and as the `evo-compute` Nexus operation from
 * another namespace. Real dev server, the package's worker (serving the Nexus service by default),
 * the emulator; the Python parents run in one Python process with workers of their own
 * (test/peer/python_caller.py), every scenario of both paths at once, while this file cancels or
 * terminates some parents once their remote job runs. The inputs sent and the results received are checked against
 * the JSON contract (schemas/run-compute-job), and docs/python.md's code against the Python that ran.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import Ajv from 'ajv';
import { ensureNexusEndpoint } from '../src/client/nexus-endpoint';
import type { AnyRunComputeJobInput, JobRef } from '../src/common/types';
import { tasks } from '../src/tasks';
import { testJob } from './helpers/compute-jobs';
import { ORG_ID } from './helpers/ids';
import { kriging } from './helpers/peer-parameters';
import { runPythonPeer } from './helpers/python';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';
import { waitFor } from './helpers/wait';

const ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'python-caller';
const TOKEN = 'python-caller-token';
/** The Nexus callers' namespace: not the compute worker's. */
const CALLER_NAMESPACE = 'python-callers';
const ENDPOINT = 'evo-compute-python-test';

const ajv = new Ajv({ allErrors: true, strict: true });
const contract = (file: string) =>
  ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'run-compute-job', file), 'utf8')));
const validInput = contract('input.json');
const validResult = contract('result.json');

/** What the Python parents send: the JSON form of a `runComputeJob` input. */
function json(input: AnyRunComputeJobInput): Record<string, unknown> {
  return JSON.parse(JSON.stringify(input));
}

/** A job that runs until it is cancelled (far longer than the test). */
const longJob = () => json(testJob({ durationMs: 600_000, cancelDelayMs: 100 }));

type CallerPath = 'child' | 'nexus';
const PATHS: CallerPath[] = ['child', 'nexus'];

/**
 * The jobs each path runs; the test cancels `cancelled` and (child path only: Nexus has no
 * parent-close policy) terminates `terminated` while they run.
 */
function scenarioJobs() {
  const { variogram: _, ...withoutVariogram } = kriging;
  return {
    results: json(testJob({ durationMs: 200, steps: 2 })),
    kriging: json(tasks.geostatistics.kriging({ orgId: ORG_ID, parameters: kriging, pollInterval: 100 })),
    jobFailed: json(testJob({ durationMs: 100, fail: { title: 'Variogram invalid', detail: 'sill < 0' } })),
    invalidInput: {
      ...json(tasks.geostatistics.kriging({ orgId: ORG_ID, parameters: kriging, pollInterval: 100 })),
      parameters: withoutVariogram,
    },
    cancelled: longJob(),
    terminated: longJob(),
  };
}
type ScenarioName = keyof ReturnType<typeof scenarioJobs>;

interface Scenario {
  name: string;
  path: CallerPath;
  workflowId: string;
  job: Record<string, unknown>;
}

/** What the Python client saw of one parent: what it returned, or the error it ended with. */
interface Report {
  outcome?: {
    job?: JobRef;
    results?: Record<string, unknown>;
    failed?: string;
    message?: string;
    non_retryable?: boolean;
    details?: { job?: JobRef; problem?: { title: string; detail?: string }; fields?: { path: string }[] };
  };
  error?: string;
  message?: string;
  seconds: number;
}

/** What this file saw of a parent it cancelled or terminated, and of the remote job it had started. */
interface Stopped {
  jobId?: string;
  /** The remote job's status at the moment the cancelled parent had ended. */
  statusWhenParentEnded?: string;
  /** DELETE requests the emulator answered for the job. */
  deletes?: number;
  /** Why the scenario could not be stopped or its remote job was not cancelled. */
  failure?: string;
}

describe('docs/python.md (no server)', () => {
  const PARENTS = 'test/peer/compute_parents.py';
  const REGION = /^# --8<-- \[start:(\w+)\]\n([\s\S]*?)^# --8<-- \[end:\1\]$/gm;
  const SNIPPET = /^<!-- snippet: test\/peer\/compute_parents\.py#(\w+) -->\n```python\n([\s\S]*?)^```$/gm;

  test(`its Python code blocks are the regions of ${PARENTS} that this file runs`, () => {
    const regions = new Map(
      [...readFileSync(join(ROOT, PARENTS), 'utf8').matchAll(REGION)].map(([, name, code]) => [name, code]),
    );
    const doc = readFileSync(join(ROOT, 'docs', 'python.md'), 'utf8');
    const snippets = [...doc.matchAll(SNIPPET)].map(([, name, code]) => ({ name, code }));
    assert.deepEqual(
      snippets.map(({ name }) => name),
      [...regions.keys()],
      'each region shown once, in order',
    );
    for (const { name, code } of snippets) assert.equal(code, regions.get(name ?? ''), `region ${name}`);
    assert.equal(doc.match(/^```python$/gm)?.length, snippets.length, 'a Python block that is no region');
  });
});

describe('a Python temporalio parent calling runComputeJob', { timeout: 180_000 }, () => {
  const stack = useTestStack({
    taskQueue: TASK_QUEUE,
    token: TOKEN,
    temporal: () => startLocalTemporal({ extraArgs: ['--namespace', CALLER_NAMESPACE] }),
    emulator: { taskDurationMs: 400 },
  });
  const scenarios: Scenario[] = PATHS.flatMap((path) =>
    Object.entries(scenarioJobs())
      .filter(([name]) => path === 'child' || name !== 'terminated')
      .map(([name, job]) => ({
        name: `${path}/${name}`,
        path,
        workflowId: uniqueId(`python-${path}-${name}`),
        job,
      })),
  );
  const scenario = (path: CallerPath, name: ScenarioName) =>
    scenarios.find((s) => s.name === `${path}/${name}`) as Scenario;
  const python = new AbortController();
  let reports: Record<string, Report>;
  const stopped = new Map<string, Stopped>();

  /**
   * Waits for the scenario's remote job to run, then cancels or terminates its Python parent. What
   * went wrong is kept for the scenario's test, so that one scenario failing fails only its test.
   */
  async function stopWhenRunning(s: Scenario, how: 'cancel' | 'terminate'): Promise<void> {
    try {
      const tag = (s.job.parameters as { tag: string }).tag;
      const remote = await waitFor(
        `the remote job in progress`,
        () => stack.emulator.jobs().find((job) => job.parameters.tag === tag && job.status === 'in progress'),
        60_000,
      );
      const namespace = s.path === 'child' ? stack.env.namespace : CALLER_NAMESPACE;
      const parent = new Client({ connection: stack.env.connection, namespace }).workflow.getHandle(
        s.workflowId,
      );
      let statusWhenParentEnded: string | undefined;
      if (how === 'cancel') {
        await parent.cancel();
        await parent.result().catch(() => undefined);
        statusWhenParentEnded = stack.emulator.getJob(remote.jobId)?.status;
      } else {
        await parent.terminate('test: terminate the Python parent');
        await waitFor(
          'the remote job cancelled',
          () => stack.emulator.getJob(remote.jobId)?.status === 'cancelled',
        );
      }
      const deletes = stack.emulator.requests.filter(
        (request) => request.method === 'DELETE' && request.path.includes(remote.jobId),
      ).length;
      stopped.set(s.name, { jobId: remote.jobId, statusWhenParentEnded, deletes });
    } catch (err) {
      stopped.set(s.name, { failure: `${s.name}: ${err}` });
    }
  }

  /** What this file saw of a stopped scenario; fails with what went wrong while stopping it. */
  function stoppedScenario(name: string): { jobId: string; deletes: number; statusWhenParentEnded?: string } {
    const { jobId, deletes, statusWhenParentEnded, failure } = stopped.get(name) ?? {};
    if (jobId === undefined || deletes === undefined)
      return assert.fail(failure ?? `${name} was not stopped`);
    return { jobId, deletes, statusWhenParentEnded };
  }

  before(async () => {
    const namespace = stack.env.namespace ?? 'default';
    await ensureNexusEndpoint(stack.env.connection, { name: ENDPOINT, namespace, taskQueue: TASK_QUEUE });
    const stoppers = [
      ...PATHS.map((path) => stopWhenRunning(scenario(path, 'cancelled'), 'cancel')),
      stopWhenRunning(scenario('child', 'terminated'), 'terminate'),
    ];
    const setup = {
      address: stack.env.address,
      paths: {
        child: { namespace, target: TASK_QUEUE },
        nexus: { namespace: CALLER_NAMESPACE, target: ENDPOINT },
      },
      scenarios,
    };
    [reports] = await Promise.all([
      runPythonPeer<Record<string, Report>>('python_caller.py', setup, python.signal),
      ...stoppers,
    ]);
  });

  after(() => python.abort());

  test('every input the parents sent is a runComputeJob input of the JSON contract', () => {
    for (const s of scenarios)
      assert.ok(validInput(s.job), `${s.name}: ${JSON.stringify(validInput.errors)}`);
  });

  for (const path of PATHS) {
    const report = (name: ScenarioName) => reports[`${path}/${name}`] as Report;
    /** What the parent returned: fails when it ended with an error instead. */
    const outcomeOf = (name: ScenarioName) => {
      const { outcome, error, message } = report(name);
      return outcome ?? assert.fail(`${path}/${name} ended with ${error}: ${message}`);
    };

    test(`${path}: the results come back as a dict of the JSON contract`, () => {
      const outcome = outcomeOf('results');
      assert.ok(validResult(outcome), JSON.stringify(validResult.errors));
      assert.deepEqual(outcome.results?.echo, scenario(path, 'results').job.parameters);
      assert.equal(stack.emulator.getJob(outcome.job?.jobId ?? '')?.status, 'succeeded');
    });

    test(`${path}: a catalogue task, kriging, with its typed results`, () => {
      const outcome = outcomeOf('kriging');
      assert.ok(validResult(outcome), JSON.stringify(validResult.errors));
      assert.equal(outcome.job?.preview, true, 'kriging is preview-only');
      const target = outcome.results?.target as { attribute?: { name?: string } } | undefined;
      assert.equal(target?.attribute?.name, 'kriged_grade');
      assert.deepEqual(stack.emulator.getJob(outcome.job?.jobId ?? '')?.parameters, kriging);
    });

    test(`${path}: a failed job is an ApplicationError JobFailed, non-retryable, its problem in the details`, () => {
      const outcome = outcomeOf('jobFailed');
      assert.equal(outcome.failed, 'JobFailed');
      assert.equal(outcome.non_retryable, true);
      // The message names the job and the problem's type; its text is in the (encodable) details.
      assert.match(outcome.message ?? '', /^job \S+ failed \(problem /);
      assert.doesNotMatch(outcome.message ?? '', /Variogram invalid/);
      assert.equal(outcome.details?.problem?.title, 'Variogram invalid');
      assert.equal(outcome.details?.problem?.detail, 'sill < 0');
      assert.equal(stack.emulator.getJob(outcome.details?.job?.jobId ?? '')?.status, 'failed');
    });

    test(`${path}: bad parameters are an ApplicationError InvalidInput within seconds, the field named`, () => {
      const outcome = outcomeOf('invalidInput');
      assert.equal(outcome.failed, 'InvalidInput');
      assert.equal(outcome.non_retryable, true);
      assert.match(outcome.message ?? '', /variogram/);
      assert.ok(
        outcome.details?.fields?.some((field) => field.path.includes('variogram')),
        JSON.stringify(outcome.details),
      );
      const { seconds } = report('invalidInput');
      assert.ok(seconds < 15, `InvalidInput after ${seconds} s: a retry loop?`);
    });

    test(`${path}: a cancelled parent ends once the remote job is cancelled, with one DELETE`, () => {
      const { error } = report('cancelled');
      assert.equal(error, 'CancelledError');
      const { jobId, statusWhenParentEnded, deletes } = stoppedScenario(`${path}/cancelled`);
      assert.equal(statusWhenParentEnded, 'cancelled');
      assert.equal(stack.emulator.getJob(jobId)?.cancelRequests, 1);
      assert.equal(deletes, 1);
    });
  }

  test('child: a terminated parent with REQUEST_CANCEL makes its child cancel the remote job, one DELETE', async () => {
    const { error } = reports['child/terminated'] as Report;
    assert.equal(error, 'TerminatedError');
    const { jobId, deletes } = stoppedScenario('child/terminated');
    assert.equal(stack.emulator.getJob(jobId)?.status, 'cancelled');
    assert.equal(deletes, 1);
    const s = scenario('child', 'terminated');
    const child = stack.env.client.workflow.getHandle(`evo-compute/emulator/job/${s.workflowId}`);
    await waitFor('the child closed', async () => (await child.describe()).status.name === 'CANCELLED');
    const err = await child.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `got ${err}`);
  });
});
