/**
 * Phase `many`: N concurrent `runComputeJob` workflows on one worker (a child process), jobs of
 * uniformly spread durations, default poll schedule, on the Temporal dev server. Measures the
 * status request rate, each job's delay from finishing in the emulator to its workflow closing,
 * and the worker's CPU and peak memory.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PollMode } from '../../src/common/poll-schedule';
import { startComputeEmulator } from '../../src/emulator';
import { delay } from '../lib/children';
import { type BenchContext, mapLimit, ORG_ID, SCHEDULE, startWorkerProcess, TOKEN } from '../lib/context';
import {
  allRuns,
  analyze,
  type HistoryActions,
  historyCosts,
  type RecordedReading,
  type SubmitSteps,
  submitSteps,
} from '../lib/history';
import { peakRssMiB, resetPeakRss, threadCpu } from '../lib/proc';
import { between, type Sample, workerSampler } from '../lib/sampler';
import { type ServerMetrics, scrapeServerMetrics } from '../lib/server-metrics';
import { intervalAfterPolls, intervalInForce, jobDurations } from '../lib/stats';
import { startInBatches, waitForClose, waitForResultsFetched } from '../lib/workflows';

export interface JobTiming {
  index: number;
  durationMs: number;
  /** Emulator time the job finished: submittedAt + queuedMs (0) + durationMs. */
  finishedAt: number;
  /** Workflow close time (describe().closeTime). */
  closedAt: number;
  /** The poll interval in force when the job finished (the last timer's duration). */
  intervalMs: number;
  /** The actual gap between the last two status polls, when both were timer polls. */
  actualGapMs?: number;
  /** Whether the last poll was made by an activity (retry, heartbeat) rather than after a timer. */
  inActivity: boolean;
  /** History events of all its runs. */
  events: number;
  actions: HistoryActions;
  /** Readings the workflow recorded, with when the job changed (emulator plan) and when it was polled and visible. */
  readings: (RecordedReading & { changedAt: number })[];
  activitySpans: [number, number][];
  /** Workflow start time (describe().startTime) and the job's submit time in the emulator. */
  startedAt: number;
  submittedAt: number;
  /** From the status poll that saw the job ended (its marker, or the end of `waitForJob`) to the close. */
  afterLastPollMs?: number;
  /** When each step from start to submit happened (the first run's history). */
  submitSteps: SubmitSteps;
}

export interface PhaseWindow {
  label: string;
  seconds: number;
  gets: number;
  cpu: number;
}

export interface ManyResult {
  mode: PollMode;
  /** Heartbeats and activity failures the dev server received during the phase (its metrics). */
  server?: ServerMetrics;
  jobs: number;
  durations: { minMs: number; maxMs: number; seed: number };
  startSeconds: number;
  wallSeconds: number;
  statusPolls: number;
  failures: number;
  timings: JobTiming[];
  workerCpu: number;
  serverCpu: number;
  benchCpu: number;
  /** Busy CPU seconds of the machine not used by the worker, the Temporal server or the bench. */
  otherCpu: number;
  peakRssMiB: number;
  startupPeakRssMiB?: number;
  peakRssSource: 'VmHWM' | 'sampled VmRSS';
  peakGetRate1s: number;
  peakGetRate10s: number;
  windows: PhaseWindow[];
  /** Worker CPU seconds in the window by thread name (`main` is the main JS thread). */
  threads: { name: string; cpu: number }[];
  samples: Sample[];
  /** First sample time (epoch ms), for the time series. */
  startedAt: number;
}

/** The first window of the CPU breakdown: starts, submits and the short intervals of the schedule. */
export const START_WINDOW_MS = 25_000;

export async function runManyJobs(
  ctx: BenchContext,
  env: TestWorkflowEnvironment,
  mode: PollMode,
  metricsUrl: string | undefined,
): Promise<ManyResult> {
  const { jobs, minDurationMs, maxDurationMs, seed, startBatch } = ctx.config;
  const cleanup = ctx.cleanup.scope('the many phase');
  const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
  cleanup.add('close the many-jobs emulator', () => emulator.close());
  try {
    const taskQueue = `evo-compute-bench-many-${mode}`;
    const worker = await startWorkerProcess(ctx, cleanup, `worker-many-${mode}`, {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emulator.url,
    });
    const startupPeak = peakRssMiB(worker.pid);
    const hwmReset = resetPeakRss(worker.pid);
    const durations = jobDurations(jobs, minDurationMs, maxDurationMs, seed);
    const tag = Date.now().toString(36);
    ctx.log(
      `many (${mode}): ${jobs} jobs of ${minDurationMs / 1000}–${maxDurationMs / 1000} s on one worker, starting in batches of ${startBatch}`,
    );

    const metricsBefore = metricsUrl
      ? await scrapeServerMetrics(metricsUrl).catch(() => undefined)
      : undefined;
    const sampler = workerSampler(emulator, worker.pid, cleanup, 'many-jobs');
    const threadsBefore = threadCpu(worker.pid);
    const first = sampler.start();
    const workflowIds = durations.map((_, index) => `bench-many-${tag}-${index}`);
    await startInBatches(env, taskQueue, workflowIds, startBatch, (index) => ({
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: { durationMs: durations[index], benchIndex: index },
      // The default schedule, in the mode measured.
      poll: { mode },
    }));
    const startedAll = Date.now();
    const startSeconds = (startedAll - first.at) / 1000;
    ctx.log(`many: ${jobs} workflows started in ${startSeconds.toFixed(1)} s`);

    // Done when every job's results were fetched; then every workflow must have closed.
    const deadline = startedAll + maxDurationMs + 240_000;
    await waitForResultsFetched(emulator, jobs, deadline, (message) => ctx.log(`many: ${message}`));
    const closed = await waitForClose(env, workflowIds, deadline);
    const lastClose = Math.max(...[...closed.values()].map((c) => c.closedAt));
    // Let the sampler catch the moment of the last close, then stop measuring.
    await delay(Math.max(0, Math.min(1500, lastClose + 1100 - Date.now())));
    const threadsAfter = threadCpu(worker.pid);
    sampler.stop();
    const metricsAfter = metricsUrl
      ? await scrapeServerMetrics(metricsUrl).catch(() => undefined)
      : undefined;
    const end = sampler.at(lastClose);
    const whole = between(first, end);
    const emulatorJobs = emulator.jobs();
    const statusPolls = emulatorJobs.reduce((sum, job) => sum + job.statusRequests, 0);

    // Per job: finish time in the emulator, close time, and the interval in force (from its history).
    const byIndex = new Map(emulatorJobs.map((job) => [Number(job.parameters.benchIndex), job]));
    const timings = await mapLimit(workflowIds, 20, async (workflowId, index): Promise<JobTiming> => {
      const job = byIndex.get(index);
      const { closedAt, startedAt } = closed.get(workflowId) ?? {};
      if (!job || closedAt === undefined || startedAt === undefined)
        throw new Error(`job ${index} is missing`);
      const durationMs = durations[index] ?? 0;
      const finishedAt = job.submittedAt + durationMs;
      const runs = await allRuns(env.client, workflowId);
      const events = runs.flat();
      const history = analyze(runs.at(-1) ?? []);
      const costs = historyCosts(events);
      const markerTimes = history.statusMarkerTimes;
      const lastMarker = markerTimes.at(-1);
      const lastActivityEnd = costs.activitySpans.at(-1)?.[1];
      const inActivity = mode !== 'timer';
      let intervalMs: number;
      if (!inActivity && history.lastTimerMs !== undefined) {
        intervalMs = history.lastTimerMs;
      } else if (inActivity && job.statusRequests >= 2) {
        // The wait before the poll that saw the end: the schedule after the poll before it. (The
        // nominal schedule from the submit runs behind the real one, whose jittered waits are shorter.)
        intervalMs = intervalAfterPolls(SCHEDULE, job.statusRequests - 1);
      } else {
        intervalMs = intervalInForce(SCHEDULE, finishedAt - job.submittedAt);
      }
      const actualGapMs =
        !inActivity && markerTimes.length >= 2 ? (lastMarker ?? 0) - (markerTimes.at(-2) ?? 0) : undefined;
      const lastPoll = inActivity ? lastActivityEnd : lastMarker;
      const afterLastPollMs = lastPoll === undefined ? undefined : closedAt - lastPoll;
      const readings = costs.readings.map((reading) => ({
        ...reading,
        changedAt:
          reading.status === 'in progress'
            ? job.submittedAt + (Math.floor(reading.progress / 10) / 10) * durationMs
            : finishedAt,
      }));
      return {
        index,
        durationMs,
        startedAt,
        submittedAt: job.submittedAt,
        finishedAt,
        closedAt,
        intervalMs,
        actualGapMs,
        inActivity,
        afterLastPollMs,
        events: events.length,
        actions: costs.actions,
        readings,
        activitySpans: costs.activitySpans,
        submitSteps: submitSteps(runs[0] ?? []),
      };
    });

    const peakHwm = hwmReset ? peakRssMiB(worker.pid) : undefined;
    const startWindow = sampler.at(startedAll + START_WINDOW_MS);
    const windows: PhaseWindow[] = [
      { label: `start + first ${START_WINDOW_MS / 1000} s`, ...pick(between(first, startWindow)) },
      { label: 'the rest', ...pick(between(startWindow, end)) },
    ];
    await worker.stop();
    return {
      mode,
      server:
        metricsBefore && metricsAfter
          ? {
              heartbeats: metricsAfter.heartbeats - metricsBefore.heartbeats,
              activityFailures: metricsAfter.activityFailures - metricsBefore.activityFailures,
            }
          : undefined,
      jobs,
      durations: { minMs: minDurationMs, maxMs: maxDurationMs, seed },
      startSeconds,
      wallSeconds: whole.seconds,
      statusPolls,
      failures: [...closed.values()].filter((c) => c.status !== 'COMPLETED').length,
      timings,
      workerCpu: whole.cpu,
      serverCpu: whole.serverCpu,
      benchCpu: whole.benchCpu,
      otherCpu: whole.machineBusy - whole.cpu - whole.serverCpu - whole.benchCpu,
      peakRssMiB: peakHwm ?? sampler.peakRss(),
      startupPeakRssMiB: startupPeak,
      peakRssSource: peakHwm === undefined ? 'sampled VmRSS' : 'VmHWM',
      peakGetRate1s: sampler.peakRate(1000),
      peakGetRate10s: sampler.peakRate(10_000),
      windows,
      threads: [...threadsAfter.entries()]
        .map(([name, cpu]) => ({ name, cpu: cpu - (threadsBefore.get(name) ?? 0) }))
        .sort((a, b) => b.cpu - a.cpu),
      samples: sampler.samples,
      startedAt: first.at,
    };
  } finally {
    await cleanup.runAll();
  }
}

function pick(diff: ReturnType<typeof between>): Omit<PhaseWindow, 'label'> {
  return { seconds: diff.seconds, gets: diff.gets, cpu: diff.cpu };
}
