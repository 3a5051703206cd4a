/**
 * Phase `many`: N concurrent `runComputeJob` workflows on one worker (a child process), jobs of
 * uniformly spread durations, default poll schedule, on the Temporal dev server. Measures the
 * status request rate, each job's delay from finishing in the emulator to its workflow closing,
 * and the worker's CPU and peak memory.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunComputeJobInput } from '../../src/common/types';
import { startComputeEmulator } from '../../src/emulator';
import { delay } from '../lib/children';
import { type BenchContext, mapLimit, ORG_ID, SCHEDULE, startWorkerProcess, TOKEN } from '../lib/context';
import { analyze } from '../lib/history';
import { childProcesses, peakRssMiB, resetPeakRss, threadCpu } from '../lib/proc';
import { between, type Sample, Sampler } from '../lib/sampler';
import { intervalInForce, jobDurations } from '../lib/stats';

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
  /** Whether it finished while polls were made inside `waitForJob`. */
  inActivity: boolean;
  /** Workflow start time (describe().startTime) and the job's submit time in the emulator. */
  startedAt: number;
  submittedAt: number;
  /** From the status poll that saw the job ended (its marker, or the end of `waitForJob`) to the close. */
  afterLastPollMs?: number;
}

export interface PhaseWindow {
  label: string;
  seconds: number;
  gets: number;
  cpu: number;
}

export interface ManyResult {
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

/** The in-activity phase of the default schedule ends about this long after a job's first poll. */
export const IN_ACTIVITY_MS = 25_000;

export async function runManyJobs(ctx: BenchContext, env: TestWorkflowEnvironment): Promise<ManyResult> {
  const { jobs, minDurationMs, maxDurationMs, seed, startBatch } = ctx.config;
  const cleanup = ctx.cleanup.scope('the many phase');
  const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
  cleanup.add('close the many-jobs emulator', () => emulator.close());
  try {
    const taskQueue = 'evo-compute-bench-many';
    const worker = await startWorkerProcess(ctx, cleanup, 'worker-many', {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emulator.url,
    });
    const startupPeak = peakRssMiB(worker.pid);
    const hwmReset = resetPeakRss(worker.pid);
    const server = childProcesses(process.pid).find((child) => child.comm === 'temporal');
    const durations = jobDurations(jobs, minDurationMs, maxDurationMs, seed);
    const tag = Date.now().toString(36);
    ctx.log(
      `many: ${jobs} jobs of ${minDurationMs / 1000}–${maxDurationMs / 1000} s on one worker, starting in batches of ${startBatch}`,
    );

    const sampler = new Sampler(emulator, worker.pid, server?.pid);
    cleanup.add('stop the many-jobs sampler', () => sampler.stop());
    const threadsBefore = threadCpu(worker.pid);
    const first = sampler.start();
    const workflowIds = durations.map((_, index) => `bench-many-${tag}-${index}`);
    for (let from = 0; from < jobs; from += startBatch) {
      await Promise.all(
        workflowIds.slice(from, from + startBatch).map((workflowId, offset) => {
          const index = from + offset;
          const input: RunComputeJobInput = {
            orgId: ORG_ID,
            topic: 'emulator',
            task: 'job',
            parameters: { durationMs: durations[index], benchIndex: index },
            // The default schedule; the mode only when BENCH_MODE asks for another than the default.
            ...(ctx.config.mode === 'auto' ? {} : { poll: { mode: ctx.config.mode } }),
          };
          return env.client.workflow.start('runComputeJob', { taskQueue, workflowId, args: [input] });
        }),
      );
    }
    const startedAll = Date.now();
    const startSeconds = (startedAll - first.at) / 1000;
    ctx.log(`many: ${jobs} workflows started in ${startSeconds.toFixed(1)} s`);

    // Done when every job's results were fetched; then every workflow must have closed.
    const deadline = startedAll + maxDurationMs + 240_000;
    let lastReport = 0;
    for (;;) {
      const fetched = emulator.jobs().filter((job) => job.resultsRequests > 0).length;
      if (fetched >= jobs) break;
      if (Date.now() > deadline) throw new Error(`only ${fetched} of ${jobs} jobs had their results fetched`);
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        ctx.log(`many: ${fetched}/${jobs} jobs done, ${emulator.counts.GET} GETs so far`);
      }
      await delay(1000);
    }
    const closed = new Map<string, { closedAt: number; startedAt: number; failed: boolean }>();
    while (closed.size < jobs) {
      if (Date.now() > deadline) throw new Error(`only ${closed.size} of ${jobs} workflows closed`);
      await mapLimit(
        workflowIds.filter((id) => !closed.has(id)),
        50,
        async (workflowId) => {
          const description = await env.client.workflow.getHandle(workflowId).describe();
          if (description.closeTime) {
            closed.set(workflowId, {
              closedAt: description.closeTime.getTime(),
              startedAt: description.startTime.getTime(),
              failed: description.status.name !== 'COMPLETED',
            });
          }
        },
      );
      if (closed.size < jobs) await delay(500);
    }
    const lastClose = Math.max(...[...closed.values()].map((c) => c.closedAt));
    // Let the sampler catch the moment of the last close, then stop measuring.
    await delay(Math.max(0, Math.min(1500, lastClose + 1100 - Date.now())));
    const threadsAfter = threadCpu(worker.pid);
    sampler.stop();
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
      const history = analyze((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
      const markerTimes = history.statusMarkerTimes;
      const lastMarker = markerTimes.at(-1);
      const inActivity =
        lastMarker === undefined ||
        (history.lastWaitForJobEnd !== undefined && history.lastWaitForJobEnd > lastMarker);
      let intervalMs: number;
      if (!inActivity && history.lastTimerMs !== undefined) {
        intervalMs = history.lastTimerMs;
      } else {
        const firstPoll = history.firstWaitForJobStart ?? job.submittedAt;
        intervalMs = intervalInForce(SCHEDULE, finishedAt - firstPoll);
      }
      const actualGapMs =
        !inActivity && markerTimes.length >= 2 ? (lastMarker ?? 0) - (markerTimes.at(-2) ?? 0) : undefined;
      const lastPoll = inActivity ? history.lastWaitForJobEnd : lastMarker;
      const afterLastPollMs = lastPoll === undefined ? undefined : closedAt - lastPoll;
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
      };
    });

    const peakHwm = hwmReset ? peakRssMiB(worker.pid) : undefined;
    const startWindow = sampler.at(startedAll + IN_ACTIVITY_MS);
    const windows: PhaseWindow[] = [
      { label: 'start + in-activity polls', ...pick(between(first, startWindow)) },
      { label: 'timer polls', ...pick(between(startWindow, end)) },
    ];
    await worker.stop();
    return {
      jobs,
      durations: { minMs: minDurationMs, maxMs: maxDurationMs, seed },
      startSeconds,
      wallSeconds: whole.seconds,
      statusPolls,
      failures: [...closed.values()].filter((c) => c.failed).length,
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
