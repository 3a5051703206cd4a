/**
 * Metrics as an operator scrapes them: the runnable worker with `EVO_COMPUTE_METRICS_ADDRESS`
 * serves Temporal Core's worker metrics and the package's own on one Prometheus endpoint; after a
 * job, each of the package's metrics shows the counts the emulator saw.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { request } from 'undici';
import { startComputeJob, waitForComputeJob } from '../src/client';
import { freePort } from '../src/dev/local-temporal';
import { startComputeEmulator } from '../src/emulator';
import { ORG_ID } from './helpers/ids';
import { uniqueId } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';
import { waitFor } from './helpers/wait';
import { runWorkerProcess } from './helpers/worker-process';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, samples only. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name || s.name === `${name}_total`)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('Prometheus metrics of the runnable worker', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startLocalTemporal();
  });
  after(() => env?.teardown());

  test("a scrape after a job shows Core's metrics and each of the package's with the right counts", async () => {
    const emulator = await startComputeEmulator({
      oauth: { clientId: 'metrics-client', clientSecret: 'metrics-secret', tokenLifetimeMs: 60_000 },
    });
    const port = await freePort();
    const taskQueue = uniqueId('metrics');
    const worker = runWorkerProcess({
      TEMPORAL_ADDRESS: env.address,
      EVO_COMPUTE_TASK_QUEUE: taskQueue,
      EVO_BASE_URL: emulator.url,
      EVO_CLIENT_ID: 'metrics-client',
      EVO_CLIENT_SECRET: 'metrics-secret',
      EVO_OAUTH_ISSUER: emulator.url,
      EVO_COMPUTE_METRICS_ADDRESS: `127.0.0.1:${port}`,
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
          parameters: { durationMs: 1_500 },
          poll: { initialInterval: '200ms', maximumInterval: '200ms', mode: 'heartbeat' },
        },
        { taskQueue },
      );
      const outcome = await waitForComputeJob(handle);
      assert.equal(outcome.status, 'COMPLETED', JSON.stringify(outcome));

      const [job] = emulator.jobs();
      assert.ok(job);
      const scrape = async () => {
        const res = await request(`http://127.0.0.1:${port}/metrics`);
        return parseMetrics(await res.body.text());
      };
      // Core updates the endpoint from its metric buffer; wait until the last activity's show.
      const samples = await waitFor('the job to show in the metrics', async () => {
        const found = await scrape();
        return total(found, 'evo_compute_jobs_ended', { status: 'succeeded' }) >= 1 &&
          total(found, 'evo_compute_api_requests', { operation: 'results' }) >= 1
          ? found
          : undefined;
      });

      // Temporal Core's own worker metrics.
      assert.ok(total(samples, 'temporal_workflow_completed') >= 1, 'Core: temporal_workflow_completed');
      assert.ok(
        samples.some((s) => s.name.startsWith('temporal_activity_execution_latency')),
        'Core: activity latency',
      );

      // The package's own, against what the emulator saw.
      assert.equal(total(samples, 'evo_compute_api_requests', { operation: 'submit', status: '303' }), 1);
      const statusRequests =
        total(samples, 'evo_compute_api_requests', { operation: 'status', status: '202' }) +
        total(samples, 'evo_compute_api_requests', { operation: 'status', status: '200' });
      assert.equal(statusRequests, job.statusRequests);
      assert.equal(total(samples, 'evo_compute_api_requests', { operation: 'results', status: '200' }), 1);
      assert.equal(
        total(samples, 'evo_compute_api_requests'),
        emulator.requests.length,
        'every API request is counted once',
      );
      assert.equal(
        total(samples, 'evo_compute_api_request_latency_count', { operation: 'status' }),
        job.statusRequests,
        'one latency sample per status request',
      );
      assert.equal(total(samples, 'evo_compute_jobs_submitted', { topic: 'emulator', task: 'job' }), 1);
      assert.equal(total(samples, 'evo_compute_jobs_ended', { status: 'succeeded' }), 1);
      assert.equal(total(samples, 'evo_compute_jobs_ended'), 1);
      assert.equal(total(samples, 'evo_compute_token_refreshes', { reason: 'initial' }), 1);
      assert.equal(total(samples, 'evo_compute_token_refreshes'), emulator.tokenStats.issued);

      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output());
    } finally {
      worker.child.kill('SIGKILL');
      await emulator.close();
    }
  });
});
