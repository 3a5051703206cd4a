/**
 * Phase `burst`: how fast the machine turns a burst of starts into submitted jobs when nothing
 * else competes. N `retry`-mode workflows (N = the `many` job count, the same batches) of long
 * jobs whose schedule waits `burstIntervalMs` (default 10 minutes) after the first status poll, so
 * that, unlike in `many`, no later poll runs during the starts. Measured: start → submit per job,
 * its steps from the history, and worker and dev-server CPU from the first start to the last
 * submit. Then every workflow is cancelled and must cancel its remote job.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startComputeEmulator } from '../../src/emulator';
import { delay } from '../lib/children';
import { type BenchContext, mapLimit, ORG_ID, startWorkerProcess, TOKEN } from '../lib/context';
import { allRuns, type SubmitSteps, submitSteps } from '../lib/history';
import { between, type Sample, workerSampler } from '../lib/sampler';
import { cancelAll, startInBatches } from '../lib/workflows';

/** How long each burst job would run: far longer than the phase. */
const BURST_JOB_MS = 3_600_000;

export interface BurstJob {
  /** Emulator time of the submit (epoch ms). */
  submittedAt: number;
  submitSteps: SubmitSteps;
}

export interface BurstResult {
  jobs: number;
  startBatch: number;
  intervalMs: number;
  /** From the first start request to the last start answered, seconds. */
  startSeconds: number;
  /** First sample, just before the first start (epoch ms). */
  firstStartAt: number;
  lastSubmitAt: number;
  /** From the first start to the last submit. */
  window: {
    seconds: number;
    gets: number;
    workerCpu: number;
    serverCpu: number;
    /** Busy CPU seconds of the whole machine. */
    machineBusy: number;
    otherCpu: number;
  };
  jobsList: BurstJob[];
  samples: Sample[];
}

export async function runBurst(ctx: BenchContext, env: TestWorkflowEnvironment): Promise<BurstResult> {
  const { jobs, startBatch, burstIntervalMs } = ctx.config;
  const cleanup = ctx.cleanup.scope('the burst phase');
  try {
    const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
    cleanup.add('close the burst emulator', () => emulator.close());
    const taskQueue = 'evo-compute-bench-burst';
    const worker = await startWorkerProcess(ctx, cleanup, 'worker-burst', {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emulator.url,
    });
    const sampler = workerSampler(emulator, worker.pid, cleanup, 'burst');
    const tag = Date.now().toString(36);
    const workflowIds = Array.from({ length: jobs }, (_, index) => `bench-burst-${tag}-${index}`);
    ctx.log(`burst: ${jobs} starts in batches of ${startBatch}, next poll ${burstIntervalMs / 1000} s away`);
    const first = sampler.start();
    await startInBatches(env, taskQueue, workflowIds, startBatch, (index) => ({
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: { durationMs: BURST_JOB_MS, cancelDelayMs: 0, benchIndex: index },
      poll: { mode: 'retry', initialInterval: burstIntervalMs, maximumInterval: burstIntervalMs },
    }));
    const startSeconds = (Date.now() - first.at) / 1000;
    const deadline = Date.now() + 600_000;
    while (emulator.counts.POST < jobs) {
      if (Date.now() > deadline) throw new Error(`only ${emulator.counts.POST} of ${jobs} jobs submitted`);
      await delay(200);
    }
    const lastSubmitAt = Math.max(...emulator.jobs().map((job) => job.submittedAt));
    // Let the sampler pass the last submit, then stop measuring.
    await delay(Math.max(0, lastSubmitAt + 1100 - Date.now()));
    sampler.stop();
    const whole = between(first, sampler.at(lastSubmitAt));
    ctx.log(
      `burst: ${jobs} jobs submitted ${((lastSubmitAt - first.at) / 1000).toFixed(1)} s after the first start; cancelling`,
    );
    await cancelAll(env, emulator, workflowIds, 300_000);

    const submitted = new Map(
      emulator.jobs().map((job) => [Number(job.parameters.benchIndex), job.submittedAt]),
    );
    const jobsList = await mapLimit(workflowIds, 20, async (workflowId, index): Promise<BurstJob> => {
      const submittedAt = submitted.get(index);
      if (submittedAt === undefined) throw new Error(`burst job ${index} was not submitted`);
      const [firstRun = []] = await allRuns(env.client, workflowId);
      return { submittedAt, submitSteps: submitSteps(firstRun) };
    });
    await worker.stop();
    return {
      jobs,
      startBatch,
      intervalMs: burstIntervalMs,
      startSeconds,
      firstStartAt: first.at,
      lastSubmitAt,
      window: {
        seconds: whole.seconds,
        gets: whole.gets,
        workerCpu: whole.cpu,
        serverCpu: whole.serverCpu,
        machineBusy: whole.machineBusy,
        otherCpu: whole.machineBusy - whole.cpu - whole.serverCpu - whole.benchCpu,
      },
      jobsList,
      samples: sampler.samples,
    };
  } finally {
    await cleanup.runAll();
  }
}
