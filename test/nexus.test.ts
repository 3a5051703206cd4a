/**
 * The `evo-compute` Nexus service across namespaces, on one real dev server: caller workflows in
 * namespace `evo-callers` reach the compute worker (the package's own, serving the service by
 * default) in the stack's namespace through an endpoint, against the emulator.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Client, Client as TemporalClient, WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import Ajv, { type ValidateFunction } from 'ajv';
import { cancelComputeJob } from '../src/client';
import { ensureNexusEndpoint } from '../src/client/nexus-endpoint';
import { jobRefFromUrl } from '../src/common/job-url';
import { exampleKrigingParameters } from '../src/emulator';
import { jobsTagged, testJob } from './helpers/compute-jobs';
import { recordHistory } from './helpers/histories';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';
import { waitFor } from './helpers/wait';
import { nexusCallersBundle } from './workflows/bundle';
import {
  nexusCallerCancelled,
  nexusCallerFollowingProgress,
  nexusCallerKriging,
  nexusCallerOfManyJobs,
  nexusCallerOfOneJob,
  nexusCallerReadingFailure,
} from './workflows/nexus-callers';

const TOKEN = 'nexus-test-token';
const COMPUTE_QUEUE = 'evo-compute-nexus-test';
const CALLER_NAMESPACE = 'evo-callers';
const CALLER_QUEUE = 'nexus-callers';
const ENDPOINT = 'evo-compute-test';

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<string, ValidateFunction>();
/** A validator of one of the JSON contract's schemas (schemas/run-compute-job/). */
function contract(file: string): ValidateFunction {
  let validate = validators.get(file);
  if (!validate) {
    const path = join(__dirname, '..', '..', 'schemas', 'run-compute-job', file);
    validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')));
    validators.set(file, validate);
  }
  return validate;
}

describe('the evo-compute Nexus service (dev server, two namespaces)', { timeout: 180_000 }, () => {
  const stack = useTestStack({
    taskQueue: COMPUTE_QUEUE,
    token: TOKEN,
    temporal: () => startLocalTemporal({ extraArgs: ['--namespace', CALLER_NAMESPACE] }),
    emulator: { taskDurationMs: 300 },
  });
  // Nested, so that its after hook (the caller worker) runs before the stack's.
  describe(`callers in ${CALLER_NAMESPACE}`, () => {
    let callers: Client;
    let callerWorker: Worker;
    let callerRun: Promise<void>;

    before(async () => {
      assert.equal(
        await ensureNexusEndpoint(stack.env.connection, {
          name: ENDPOINT,
          namespace: stack.env.namespace ?? 'default',
          taskQueue: COMPUTE_QUEUE,
        }),
        'created',
      );
      callers = new TemporalClient({ connection: stack.env.connection, namespace: CALLER_NAMESPACE });
      callerWorker = await Worker.create({
        connection: stack.env.nativeConnection,
        namespace: CALLER_NAMESPACE,
        taskQueue: CALLER_QUEUE,
        workflowBundle: await nexusCallersBundle(),
      });
      callerRun = callerWorker.run();
    });

    after(async () => {
      callerWorker?.shutdown();
      await callerRun;
    });

    function startCaller<A extends unknown[], R>(workflow: (...args: A) => Promise<R>, ...args: A) {
      return callers.workflow.start(workflow, {
        taskQueue: CALLER_QUEUE,
        workflowId: uniqueId(workflow.name),
        args,
      });
    }

    test('the endpoint is made once: a second call keeps it, another target is refused', async () => {
      const target = {
        name: ENDPOINT,
        namespace: stack.env.namespace ?? 'default',
        taskQueue: COMPUTE_QUEUE,
      };
      assert.equal(await ensureNexusEndpoint(stack.env.connection, target), 'exists');
      await assert.rejects(
        ensureNexusEndpoint(stack.env.connection, { ...target, taskQueue: 'elsewhere' }),
        /exists and targets .*evo-compute-nexus-test.*choose another name/,
      );
    });

    test('a catalogue task: typed results, one POST, the caller history links to the handler workflow', async () => {
      const parameters = exampleKrigingParameters(ORG_ID, 'nexus_grade');
      const caller = await startCaller(nexusCallerKriging, ENDPOINT, ORG_ID, parameters);
      const { attribute, jobId } = await caller.result();
      assert.equal(attribute, 'nexus_grade');
      const remote = stack.emulator.getJob(jobId);
      assert.equal(remote?.status, 'succeeded');
      assert.deepEqual(remote?.parameters, parameters);
      assert.equal(stack.emulator.jobs().filter((job) => job.jobId === jobId).length, 1);

      const events = (await caller.fetchHistory()).events ?? [];
      const started = events.find((event) => event.nexusOperationStartedEventAttributes);
      const link = started?.links?.[0]?.workflowEvent;
      assert.ok(link, 'NexusOperationStarted links to the handler workflow');
      assert.equal(link.namespace, stack.env.namespace);
      assert.match(link.workflowId ?? '', /^evo-compute\/geostatistics\/kriging\/nexus-/);
      const handler = stack.env.client.workflow.getHandle(link.workflowId ?? '');
      const description = await handler.describe();
      assert.equal(description.type, 'runComputeJob');
      assert.equal(description.status.name, 'COMPLETED');
      assert.equal(description.taskQueue, COMPUTE_QUEUE);
      await recordHistory(handler, 'nexus-started');
      const handlerHistory = await handler.fetchHistory();
      const first = handlerHistory.events?.[0];
      // Newer servers put the link on the event; this one on the completion callback.
      const back = (
        first?.links?.[0] ??
        first?.workflowExecutionStartedEventAttributes?.completionCallbacks?.[0]?.links?.[0]
      )?.workflowEvent;
      assert.equal(back?.namespace, CALLER_NAMESPACE, 'the handler workflow links back to its caller');
      assert.equal(back?.workflowId, caller.workflowId);

      // The caller's history replays on the caller's workflow code (its Nexus commands included).
      await Worker.runReplayHistory(
        { workflowBundle: await nexusCallersBundle() },
        await caller.fetchHistory(),
        caller.workflowId,
      );
    });

    test('progress through the synchronous operation, by the operation token', async () => {
      const input = testJob({ durationMs: 2_000 });
      const caller = await startCaller(nexusCallerFollowingProgress, ENDPOINT, input);
      const { seen, result, token } = await caller.result();
      assert.equal(seen.phase, 'running');
      assert.equal(seen.job?.jobId, result.job.jobId);
      assert.ok((seen.status?.progress ?? 0) > 0, `progress seen: ${JSON.stringify(seen.status)}`);
      assert.ok(token, 'an async operation has a token');
      // What a caller in another language reads and sends: the JSON contract in schemas/.
      assert.ok(contract('progress.json')(seen), JSON.stringify(contract('progress.json').errors));
      assert.ok(contract('progress-request.json')({ operationToken: token }));
      assert.equal(jobsTagged(stack.emulator, input).length, 1);
    });

    test('runComputeJobs through the service: results in input order', async () => {
      const jobs = [testJob({ n: 1 }), testJob({ n: 2 }), testJob({ n: 3 })];
      const caller = await startCaller(nexusCallerOfManyJobs, ENDPOINT, jobs);
      const results = await caller.result();
      assert.equal(results.length, 3);
      results.forEach((result, index) => {
        assert.equal((result.results.echo as { n: number }).n, index + 1);
      });
    });

    test('two callers attaching to one job share one handler workflow (a start that finds it running joins it)', async () => {
      const input = testJob({ durationMs: 3_000 });
      const submitter = await startCaller(nexusCallerOfOneJob, ENDPOINT, input);
      const remote = await waitFor('the remote job', () => jobsTagged(stack.emulator, input)[0]);
      const job = jobRefFromUrl(
        `${stack.emulator.url}/compute/orgs/${ORG_ID}/emulator/job/${remote.jobId}/status`,
        { baseUrl: stack.emulator.url },
      );
      const attachers = await Promise.all([
        startCaller(nexusCallerOfOneJob, ENDPOINT, { job, pollInterval: 100 }),
        startCaller(nexusCallerOfOneJob, ENDPOINT, { job, pollInterval: 100 }),
      ]);
      const results = await Promise.all([submitter, ...attachers].map((caller) => caller.result()));
      for (const result of results) assert.equal(result.job.jobId, remote.jobId);
      assert.equal(jobsTagged(stack.emulator, input).length, 1, 'one POST');
      const handlers = new Set<string>();
      for (const caller of attachers) {
        const events = (await caller.fetchHistory()).events ?? [];
        const link = events.find((event) => event.nexusOperationStartedEventAttributes)?.links?.[0]
          ?.workflowEvent;
        handlers.add(link?.workflowId ?? '');
      }
      assert.deepEqual([...handlers], [`evo-compute/emulator/job/${remote.jobId}`]);
    });

    test('JobFailed reaches the caller with its type, through NexusOperationFailure', async () => {
      const input = testJob({
        fail: { type: 'https://example.test/sill', title: 'Variogram invalid: sill < 0' },
      });
      const caller = await startCaller(nexusCallerReadingFailure, ENDPOINT, input);
      const failure = await caller.result();
      assert.equal(failure.type, 'JobFailed');
      assert.match(failure.message ?? '', /^job \S+ failed \(problem https:\/\/example\.test\/sill/);
      assert.equal(failure.problemTitle, 'Variogram invalid: sill < 0');
      assert.equal(failure.chain[0], 'NexusOperationFailure');
      assert.equal(failure.nonRetryable, true);
    });

    test('bad input fails at once, non-retryable, naming the field; nothing is started or sent', async () => {
      const bad = { ...testJob({}), orgId: 'not-a-uuid' };
      const startedAt = Date.now();
      const caller = await startCaller(nexusCallerReadingFailure, ENDPOINT, bad);
      const failure = await caller.result();
      assert.ok(Date.now() - startedAt < 15_000, `took ${Date.now() - startedAt} ms`);
      assert.equal(failure.type, 'InvalidInput');
      assert.match(failure.message ?? '', /orgId/);
      assert.ok(failure.chain.includes('HandlerError'), `chain: ${failure.chain.join(' > ')}`);
      assert.equal(jobsTagged(stack.emulator, bad).length, 0);

      const kriging = { orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', parameters: { source: 1 } };
      const schema = await (await startCaller(nexusCallerReadingFailure, ENDPOINT, kriging)).result();
      assert.equal(schema.type, 'InvalidInput');
      assert.match(schema.message ?? '', /source/);
    });

    test('a cancelled caller: the handler workflow is cancelled, and so is the remote job, with one DELETE', async () => {
      const input = testJob({ durationMs: 60_000, cancelDelayMs: 100 });
      const caller = await startCaller(nexusCallerCancelled, ENDPOINT, input);
      const remote = await waitFor('the remote job in progress', () =>
        jobsTagged(stack.emulator, input).find((job) => job.status === 'in progress'),
      );
      await caller.cancel();
      assert.equal(await caller.result(), 'cancelled');
      // WAIT_CANCELLATION_COMPLETED: by the time the caller goes on, the remote job is cancelled.
      const job = stack.emulator.getJob(remote.jobId);
      assert.equal(job?.status, 'cancelled');
      assert.equal(job?.cancelRequests, 1);
    });

    test('a terminated caller: Nexus sends no cancel; the job runs on, watched, until its workflow (linked from the caller) is cancelled', async () => {
      const input = testJob({ durationMs: 60_000, cancelDelayMs: 100 });
      const caller = await startCaller(nexusCallerOfOneJob, ENDPOINT, input);
      const remote = await waitFor('the remote job in progress', () =>
        jobsTagged(stack.emulator, input).find((job) => job.status === 'in progress'),
      );
      await caller.terminate('test: terminate the caller');
      // Temporal has no parent-close policy for Nexus operations: the handler workflow is not told.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(stack.emulator.getJob(remote.jobId)?.status, 'in progress');
      const events = (await caller.fetchHistory()).events ?? [];
      const link = events.find((event) => event.nexusOperationStartedEventAttributes)?.links?.[0]
        ?.workflowEvent;
      assert.ok(link?.workflowId, "the caller's history names the handler workflow");
      const handler = stack.env.client.workflow.getHandle(link.workflowId);
      assert.equal((await handler.describe()).status.name, 'RUNNING');
      // What an operator (or `evo-compute cancel <workflowId>`) does: the remote job is cancelled once.
      const outcome = await cancelComputeJob(handler, { wait: true });
      assert.equal(outcome.status, 'CANCELLED');
      const job = stack.emulator.getJob(remote.jobId);
      assert.equal(job?.status, 'cancelled');
      assert.equal(job?.cancelRequests, 1);
    });

    test('a caller that times out: the remote job is not left behind', async () => {
      const input = testJob({ durationMs: 60_000, cancelDelayMs: 100 });
      const caller = await callers.workflow.start(nexusCallerOfOneJob, {
        taskQueue: CALLER_QUEUE,
        workflowId: uniqueId('timed-out-caller'),
        args: [ENDPOINT, input],
        workflowExecutionTimeout: '4 seconds',
      });
      await assert.rejects(caller.result(), WorkflowFailedError);
      const remote = jobsTagged(stack.emulator, input)[0];
      assert.ok(remote, 'the job was submitted');
      const job = await waitFor(
        'the remote job cancelled',
        () => {
          const now = stack.emulator.getJob(remote.jobId);
          return now?.status === 'cancelled' ? now : undefined;
        },
        30_000,
      );
      assert.equal(job.cancelRequests, 1);
    });
  });
});
