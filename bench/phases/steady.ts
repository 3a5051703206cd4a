/**
 * Phase `steady`: what a quiet poll costs. N long jobs (default one hour, so that almost no poll
 * crosses a 10 % step) polled on a fixed schedule (initial = maximum interval, no growth, the usual
 * jitter), once per poll mode and once by the bare undici loop, one after the other. After the
 * jobs have settled (first reading handed back), a window is measured: status requests, worker and
 * dev-server CPU, history written and billable actions in it. Then every workflow is cancelled and
 * must cancel its remote job before the next run starts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  type PollMode,
  type ResolvedPollSchedule,
  sparseHeartbeatEveryMs,
  sparseHeartbeatTimeoutMs,
} from '../../src/common/poll-schedule';
import { type ComputeEmulator, startComputeEmulator } from '../../src/emulator';
import type { BareLoopConfig } from '../bare-loop';
import { delay } from '../lib/children';
import {
  type BenchContext,
  type Cleanup,
  mapLimit,
  ORG_ID,
  type SteadySettings,
  startWorkerProcess,
  TOKEN,
  withTimeout,
} from '../lib/context';
import { allRuns, windowCosts } from '../lib/history';
import { between, type Sample, Sampler, workerSampler } from '../lib/sampler';
import { scrapeServerMetrics } from '../lib/server-metrics';
import { cancelAll, heldActivitySlots, startInBatches } from '../lib/workflows';
import { startBareLoop } from './bare';

/** What one poller (a poll mode on the worker, or the bare loop) did in the measured window. */
export interface SteadyRun {
  poller: PollMode | 'bare';
  windowSeconds: number;
  /** Status requests the emulator answered in the window. */
  gets: number;
  /** CPU seconds of the polling process (worker or bare loop, every thread) in the window. */
  cpu: number;
  /** CPU seconds of the dev server in the window (not measured for the bare loop). */
  serverCpu?: number;
  /** Busy CPU seconds of the machine not used by the poller, the dev server or the bench. */
  otherCpu: number;
  rssMiB: number;
  /** Failed requests of the bare loop. */
  errors?: number;
  /** The rest is Temporal only. */
  history?: SteadyHistory;
}

export interface SteadyHistory {
  /** History events written in the window (event times inside it, every workflow). */
  events: number;
  /** Readings recorded in the window (a new status or 10 % step): the polls that handed back. */
  readings: number;
  /** Polling activities scheduled in the window (retry: each one's first attempt only waits). */
  pollingCalls: number;
  /** Billable actions in the window, by kind. */
  actions: {
    /** Polling-activity attempts: retry, GETs + calls scheduled; heartbeat, calls scheduled. */
    pollAttempts: number;
    heartbeats?: number;
    timers: number;
    localActivityBatches: number;
    upserts: number;
    other: number;
  };
  /** Activity attempts running just after the window (describe(): pending activities started). */
  heldSlots: number;
}

export interface SteadyResult {
  jobs: number;
  intervalMs: number;
  jobMs: number;
  settleMs: number;
  runs: SteadyRun[];
}

/** One steady run's settings, with its settle time and window stretched to the interval. */
interface Steady extends SteadySettings {
  settleMs: number;
  windowMs: number;
}

/**
 * The window, lengthened to whole `sparse` heartbeat periods (24 s at 2 s, 54 s at 30 s): the jobs
 * start within seconds of one another, so their beats come in waves, and a window that ends
 * mid-period counts a wave more or less (0.54 actions per poll at 30 s in a 90 s window, 0.50 over
 * 270 s).
 */
function wholeBeats(windowMs: number, intervalMs: number): number {
  const beatMs = sparseHeartbeatEveryMs(sparseHeartbeatTimeoutMs(intervalMs));
  return Math.ceil(windowMs / beatMs) * beatMs;
}

/** Every run of `ctx.config.steadyRuns`, one after the other. */
export async function runSteady(
  ctx: BenchContext,
  env: TestWorkflowEnvironment,
  metricsUrl: string | undefined,
): Promise<SteadyResult[]> {
  const results: SteadyResult[] = [];
  for (const settings of ctx.config.steadyRuns) {
    const steady: Steady = {
      ...settings,
      settleMs: Math.max(ctx.config.steadySettleMs, 2 * settings.intervalMs),
      windowMs: wholeBeats(Math.max(ctx.config.steadyWindowMs, 3 * settings.intervalMs), settings.intervalMs),
    };
    const runs: SteadyRun[] = [];
    for (const mode of ctx.config.modes) runs.push(await steadyWorkflows(ctx, steady, env, mode, metricsUrl));
    runs.push(await steadyBareLoop(ctx, steady));
    results.push({
      jobs: steady.jobs,
      intervalMs: steady.intervalMs,
      jobMs: ctx.config.steadyJobMs,
      settleMs: steady.settleMs,
      runs,
    });
  }
  return results;
}

function fixedSchedule(steady: Steady, mode: PollMode): ResolvedPollSchedule {
  const interval = steady.intervalMs;
  return { initialIntervalMs: interval, maximumIntervalMs: interval, backoffCoefficient: 1, mode };
}

/** Job parameters: one long job; a cancel takes effect at once, so cancelling ends promptly. */
function jobParameters(ctx: BenchContext, index: number): Record<string, unknown> {
  return { durationMs: ctx.config.steadyJobMs, cancelDelayMs: 0, benchIndex: index };
}

/**
 * Waits out the settling time, then measures one window: samples at both ends, and `read` (the
 * dev server's counters) just before the first and just after the last.
 */
async function measureWindow<T>(
  ctx: BenchContext,
  steady: Steady,
  sampler: Sampler,
  what: string,
  read: () => Promise<T>,
): Promise<{ from: Sample; to: Sample; before: T; after: T }> {
  ctx.log(`steady (${what}): settling ${steady.settleMs / 1000} s`);
  await delay(steady.settleMs);
  ctx.log(`steady (${what}): measuring ${steady.windowMs / 1000} s`);
  const before = await read();
  const from = sampler.sample();
  await delay(steady.windowMs);
  const to = sampler.sample();
  return { from, to, before, after: await read() };
}

async function freshEmulator(cleanup: Cleanup): Promise<ComputeEmulator> {
  const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
  cleanup.add('close the steady emulator', () => emulator.close());
  return emulator;
}

async function steadyWorkflows(
  ctx: BenchContext,
  steady: Steady,
  env: TestWorkflowEnvironment,
  mode: PollMode,
  metricsUrl: string | undefined,
): Promise<SteadyRun> {
  const { jobs } = steady;
  const { startBatch } = ctx.config;
  const cleanup = ctx.cleanup.scope(`the steady phase (${mode})`);
  try {
    const emulator = await freshEmulator(cleanup);
    const taskQueue = `evo-compute-bench-steady-${mode}`;
    const worker = await startWorkerProcess(ctx, cleanup, `worker-steady-${mode}`, {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emulator.url,
    });
    const sampler = workerSampler(emulator, worker.pid, cleanup, 'steady');
    sampler.start();
    const schedule = fixedSchedule(steady, mode);
    const tag = Date.now().toString(36);
    const workflowIds = Array.from({ length: jobs }, (_, index) => `bench-steady-${mode}-${tag}-${index}`);
    ctx.log(`steady (${mode}): starting ${jobs} jobs polled every ${schedule.initialIntervalMs / 1000} s`);
    await startInBatches(env, taskQueue, workflowIds, startBatch, (index) => ({
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: jobParameters(ctx, index),
      poll: {
        mode,
        initialInterval: schedule.initialIntervalMs,
        maximumInterval: schedule.maximumIntervalMs,
        backoffCoefficient: schedule.backoffCoefficient,
      },
    }));
    const scrape = async () =>
      metricsUrl ? await scrapeServerMetrics(metricsUrl).catch(() => undefined) : undefined;
    const { from, to, before, after } = await measureWindow(ctx, steady, sampler, mode, scrape);
    const window = between(from, to);
    sampler.stop();
    const heldSlots = await heldActivitySlots(env, workflowIds);
    ctx.log(`steady (${mode}): cancelling the ${jobs} workflows`);
    await cancelAll(env, emulator, workflowIds, 120_000);

    const costs = await mapLimit(workflowIds, 20, async (workflowId) =>
      windowCosts((await allRuns(env.client, workflowId)).flat(), from.at, to.at),
    );
    const sum = (pick: (c: (typeof costs)[number]) => number) => costs.reduce((n, c) => n + pick(c), 0);
    const pollingCalls = sum((c) => c.pollingCallsScheduled);
    await worker.stop();
    return {
      poller: mode,
      windowSeconds: window.seconds,
      gets: window.gets,
      cpu: window.cpu,
      serverCpu: window.serverCpu,
      otherCpu: window.machineBusy - window.cpu - window.serverCpu - window.benchCpu,
      rssMiB: to.rssMiB,
      history: {
        events: sum((c) => c.events),
        readings: sum((c) => c.readings),
        pollingCalls,
        actions: {
          pollAttempts: mode === 'retry' ? window.gets + pollingCalls : pollingCalls,
          heartbeats: before && after ? after.heartbeats - before.heartbeats : undefined,
          timers: sum((c) => c.actions.timers),
          localActivityBatches: sum((c) => c.actions.localActivityBatches),
          upserts: sum((c) => c.actions.upserts),
          other: sum(
            (c) =>
              c.actions.otherActivityAttempts +
              c.actions.signals +
              c.actions.workflowStarts +
              c.actions.childWorkflowStarts +
              c.actions.nexusOperations,
          ),
        },
        heldSlots,
      },
    };
  } finally {
    await cleanup.runAll();
  }
}

async function steadyBareLoop(ctx: BenchContext, steady: Steady): Promise<SteadyRun> {
  const { jobs } = steady;
  const { startBatch } = ctx.config;
  const cleanup = ctx.cleanup.scope('the steady phase (bare loop)');
  try {
    const emulator = await freshEmulator(cleanup);
    const { child, answer } = await startBareLoop(ctx, cleanup, 'bare-loop-steady');
    const sampler = new Sampler(emulator, child.pid, undefined);
    cleanup.add('stop the steady bare-loop sampler', () => sampler.stop());
    sampler.start();
    const config: BareLoopConfig = {
      baseUrl: emulator.url,
      token: TOKEN,
      orgId: ORG_ID,
      durations: Array.from({ length: jobs }, () => ctx.config.steadyJobMs),
      startBatch,
      schedule: fixedSchedule(steady, 'retry'),
      jitter: true,
    };
    ctx.log(`steady (bare loop): ${jobs} jobs polled every ${steady.intervalMs / 1000} s`);
    child.process.send(config);
    const deadline = Date.now() + 120_000;
    while (emulator.counts.POST < jobs) {
      if (Date.now() > deadline) throw new Error(`the bare loop submitted only ${emulator.counts.POST} jobs`);
      await delay(200);
    }
    const { from, to } = await measureWindow(ctx, steady, sampler, 'bare loop', async () => undefined);
    sampler.stop();
    child.process.send('stop');
    const result = await withTimeout(answer, 60_000, 'the steady bare loop');
    const window = between(from, to);
    return {
      poller: 'bare',
      windowSeconds: window.seconds,
      gets: window.gets,
      cpu: window.cpu,
      otherCpu: window.machineBusy - window.cpu - window.benchCpu,
      rssMiB: to.rssMiB,
      errors: result.errors,
    };
  } finally {
    await cleanup.runAll();
  }
}
