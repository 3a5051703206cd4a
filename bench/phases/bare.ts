/**
 * Phase `bare`: the floor. The same jobs (fresh emulator, same durations) waited for by a bare
 * loop of undici status requests on the same schedule, in one child process, no Temporal.
 */
import { join } from 'node:path';
import { startComputeEmulator } from '../../src/emulator';
import type { BareLoopConfig, BareLoopResult } from '../bare-loop';
import { type Child, startChild, waitForMessage } from '../lib/children';
import { type BenchContext, type Cleanup, ORG_ID, SCHEDULE, TOKEN, withTimeout } from '../lib/context';
import { between, type Sample, Sampler } from '../lib/sampler';
import { jobDurations } from '../lib/stats';
import { type PhaseWindow, START_WINDOW_MS } from './many';

export interface BareResult {
  jobs: number;
  statusPolls: number;
  /** The loop's own CPU seconds (process.cpuUsage from config to last results). */
  cpuSeconds: number;
  wallSeconds: number;
  errors: number;
  /** Per job: results in hand minus the job's finish time, ms. */
  detectDelaysMs: number[];
  windows: PhaseWindow[];
  otherCpu: number;
  samples: Sample[];
}

/**
 * Starts the bare loop (bench/bare-loop.ts) in a child process, stopped by `cleanup`; `answer`
 * settles with its result once it has been sent a config and has finished.
 */
export async function startBareLoop(
  ctx: BenchContext,
  cleanup: Cleanup,
  name: string,
): Promise<{ child: Child; answer: Promise<BareLoopResult> }> {
  const child = startChild(name, join(__dirname, '..', 'bare-loop.js'), { logDir: ctx.logDir });
  cleanup.add(`stop ${name}`, () => child.stop(1000));
  const answer = new Promise<BareLoopResult>((resolve, reject) => {
    child.process.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && 'result' in message) {
        resolve((message as { result: BareLoopResult }).result);
      }
    });
    child.process.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${child.tail()}`)));
  });
  // Not awaited by every caller before it settles: keep an early exit from being unhandled.
  answer.catch(() => undefined);
  await waitForMessage(child, 'ready', 30_000);
  return { child, answer };
}

export async function runBareLoop(ctx: BenchContext): Promise<BareResult> {
  const { jobs, minDurationMs, maxDurationMs, seed, startBatch } = ctx.config;
  const cleanup = ctx.cleanup.scope('the bare phase');
  const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
  cleanup.add('close the bare-loop emulator', () => emulator.close());
  try {
    const durations = jobDurations(jobs, minDurationMs, maxDurationMs, seed);
    const { child, answer } = await startBareLoop(ctx, cleanup, 'bare-loop');
    ctx.log(`bare: the same ${jobs} jobs polled by a bare undici loop (no Temporal)`);
    const sampler = new Sampler(emulator, child.pid, undefined);
    cleanup.add('stop the bare-loop sampler', () => sampler.stop());
    const config: BareLoopConfig = {
      baseUrl: emulator.url,
      token: TOKEN,
      orgId: ORG_ID,
      durations,
      startBatch,
      schedule: SCHEDULE,
    };
    const first = sampler.start();
    child.process.send(config);
    const result = await withTimeout(answer, maxDurationMs + 240_000, 'the bare loop');
    const end = sampler.stop();
    await child.exited;
    const emulatorJobs = emulator.jobs();
    const statusPolls = emulatorJobs.reduce((sum, job) => sum + job.statusRequests, 0);
    const detectDelaysMs = emulatorJobs.map((job) => {
      const index = Number(job.parameters.benchIndex);
      return (result.doneAt[index] ?? 0) - (job.submittedAt + (durations[index] ?? 0));
    });
    const submitted = Math.max(...emulatorJobs.map((job) => job.submittedAt));
    const boundary = sampler.at(submitted + START_WINDOW_MS);
    const whole = between(first, end);
    return {
      jobs,
      statusPolls,
      cpuSeconds: result.cpuSeconds,
      wallSeconds: result.wallSeconds,
      errors: result.errors,
      detectDelaysMs,
      windows: [
        { label: 'submits + first 25 s of polls', ...window(between(first, boundary)) },
        { label: 'later polls', ...window(between(boundary, end)) },
      ],
      otherCpu: whole.machineBusy - whole.cpu - whole.benchCpu,
      samples: sampler.samples,
    };
  } finally {
    await cleanup.runAll();
  }
}

function window(diff: ReturnType<typeof between>): Omit<PhaseWindow, 'label'> {
  return { seconds: diff.seconds, gets: diff.gets, cpu: diff.cpu };
}
