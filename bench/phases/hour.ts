/**
 * Phase `hour`: the whole history and the billable actions of a one-hour job at the default
 * schedule, on the time-skipping test server. Timer and retry modes are measured (their waits are
 * durable timers, workflow timers or activity retry timers, so an hour passes in seconds);
 * `heartbeat` waits inside an activity in real time, which cannot be skipped, so its figures are
 * derived: the same hand-backs as retry mode, plus one heartbeat per 4 s.
 *
 * The emulator's clock follows the workflow's timers: during the k-th status request it reads
 * t0 + (the sum of the first k-1 intervals of the schedule), the time of the k-th poll.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DEFAULT_POLL_SCHEDULE,
  sparseHeartbeatEveryMs,
  sparseHeartbeatTimeoutMs,
} from '../../src/common/poll-schedule';
import type { RunComputeJobInput } from '../../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../../src/emulator';
import { type BenchContext, ORG_ID, SCHEDULE, startWorkerProcess, TOKEN, withTimeout } from '../lib/context';
import { allRuns, analyze, cycleShapes, type HistoryActions, historyCosts } from '../lib/history';
import { pollTimes } from '../lib/stats';

const HOUR = 3_600_000;

export interface HourRun {
  mode: 'timer' | 'retry';
  totalEvents: number;
  runs: number;
  polls: number;
  shapes: { shape: string[]; count: number }[];
  upserts: number;
  /** The search attributes each upsert set. */
  upsertKeys: string[];
  actions: HistoryActions;
  wallSeconds: number;
}

export interface HourEvents {
  jobMs: number;
  timer: HourRun;
  retry?: HourRun;
}

/** Heartbeats `heartbeat` mode sends in a job of `jobMs`: one per 80 % of its 5 s heartbeat timeout. */
export function heartbeatsPerJob(jobMs: number): number {
  return Math.ceil(jobMs / 4000);
}

/**
 * Heartbeats `sparse` mode sends in a job of `jobMs` at the default schedule: nearly all of a long
 * job is polled at the 30 s maximum, where an attempt beats every 54 s.
 */
export function sparseHeartbeatsPerJob(jobMs: number): number {
  const timeoutMs = sparseHeartbeatTimeoutMs(DEFAULT_POLL_SCHEDULE.maximumIntervalMs);
  return Math.ceil(jobMs / sparseHeartbeatEveryMs(timeoutMs));
}

export async function measureHourJob(ctx: BenchContext, env: TestWorkflowEnvironment): Promise<HourEvents> {
  const timer = await measureOne(ctx, env, 'timer');
  const retry = await measureOne(ctx, env, 'retry').catch((err: unknown) => {
    ctx.log(`hour: retry mode could not be measured on the time-skipping server: ${err}`);
    return undefined;
  });
  return { jobMs: HOUR, timer, retry };
}

async function measureOne(
  ctx: BenchContext,
  env: TestWorkflowEnvironment,
  mode: 'timer' | 'retry',
): Promise<HourRun> {
  const cleanup = ctx.cleanup.scope(`the hour phase (${mode})`);
  const times = pollTimes({ ...SCHEDULE, mode: 'timer' }, 48 * HOUR);
  const t0 = Date.now();
  let emulator: ComputeEmulator | undefined;
  const now = () => {
    const gets = emulator?.counts.GET ?? 0;
    return t0 + (times[Math.min(gets, times.length - 1)] ?? 0);
  };
  emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0, now });
  const emu = emulator;
  cleanup.add('close the hour emulator', () => emu.close());
  try {
    const taskQueue = `evo-compute-bench-hour-${mode}`;
    await startWorkerProcess(ctx, cleanup, `worker-hour-${mode}`, {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emu.url,
    });
    ctx.log(`hour: a one-hour job in ${mode} mode on the time-skipping server`);
    const input: RunComputeJobInput = {
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: { durationMs: HOUR, steps: 100 },
      poll: { mode },
    };
    const workflowId = `bench-hour-${mode}-${Date.now()}`;
    const started = Date.now();
    const handle = await env.client.workflow.start('runComputeJob', { taskQueue, workflowId, args: [input] });
    await withTimeout(handle.result(), 300_000, 'the one-hour job');
    const wallSeconds = (Date.now() - started) / 1000;
    const runs = await allRuns(env.client, workflowId);
    const analysis = analyze(runs.flat());
    const markers = analysis.statusMarkers;
    const polls = emu.jobs()[0]?.statusRequests ?? 0;
    if (mode === 'timer' && markers.length !== polls) {
      throw new Error(`the history has ${markers.length} status markers, the emulator saw ${polls} polls`);
    }
    return {
      mode,
      totalEvents: analysis.events,
      runs: runs.length,
      polls,
      shapes: cycleShapes(analysis.cycles),
      upserts: analysis.upserts.length,
      upsertKeys: [...new Set(analysis.upserts)],
      actions: historyCosts(runs.flat()).actions,
      wallSeconds,
    };
  } finally {
    await cleanup.runAll();
  }
}
