/**
 * Phase `hour`: the whole history of a one-hour job at the default schedule, on the time-skipping
 * test server. Timer mode is measured (every wait is a durable timer, so an hour passes in
 * seconds); `auto` and `heartbeat` wait inside an activity in real time, which cannot be skipped,
 * so their totals are derived from the measured history: their in-activity polls replace the
 * timer polls by one activity each (3 activity events + 3 workflow-task events).
 *
 * The emulator's clock follows the workflow's timers: during the k-th status request it reads
 * t0 + (the sum of the first k-1 intervals of the schedule), the time of the k-th poll.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_WAIT_MAX_DURATION_MS, nextInterval } from '../../src/common/poll-schedule';
import type { RunComputeJobInput } from '../../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../../src/emulator';
import { type BenchContext, ORG_ID, SCHEDULE, startWorkerProcess, TOKEN, withTimeout } from '../lib/context';
import { allRuns, analyze, cycleShapes } from '../lib/history';
import { pollTimes } from '../lib/stats';

const HOUR = 3_600_000;

export interface HourEvents {
  jobMs: number;
  /** Timer mode, measured. */
  timer: {
    totalEvents: number;
    runs: number;
    polls: number;
    shapes: { shape: string[]; count: number }[];
    upserts: number;
    /** The search attributes each upsert set. */
    upsertKeys: string[];
    wallSeconds: number;
  };
  /** Auto mode, derived: `activityPolls` polls inside one `waitForJob`, the rest on timers. */
  auto: { totalEvents: number; activityPolls: number; replacedEvents: number };
  /** Heartbeat mode, derived: every poll inside `waitForJob`, one call per hour at most. */
  heartbeat: { totalEvents: number; calls: number; replacedEvents: number };
}

/** Polls `auto` makes inside `waitForJob` before its interval reaches the timer threshold. */
export function autoActivityPolls(): number {
  let polls = 1;
  for (let interval = SCHEDULE.initialIntervalMs; interval < 10_000; ) {
    polls++;
    interval = nextInterval(SCHEDULE, interval);
  }
  return polls;
}

/** `waitForJob` calls heartbeat mode needs for a job of `jobMs` (each hands back after an hour). */
export function heartbeatCalls(jobMs: number): number {
  let calls = 1;
  let callStart = 0;
  let t = 0;
  let interval = SCHEDULE.initialIntervalMs;
  for (;;) {
    if (t >= jobMs) return calls;
    if (t + interval > callStart + DEFAULT_WAIT_MAX_DURATION_MS) {
      // Handed back; the workflow calls again at once, and the new call polls at once.
      calls++;
      callStart = t;
      continue;
    }
    t += interval;
    interval = nextInterval(SCHEDULE, interval);
  }
}

export async function measureHourJob(ctx: BenchContext, env: TestWorkflowEnvironment): Promise<HourEvents> {
  const cleanup = ctx.cleanup.scope('the hour phase');
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
    const taskQueue = 'evo-compute-bench-hour';
    await startWorkerProcess(ctx, cleanup, 'worker-hour', {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emu.url,
    });
    ctx.log('hour: a one-hour job in timer mode on the time-skipping server');
    const input: RunComputeJobInput = {
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: { durationMs: HOUR, steps: 100 },
      poll: { mode: 'timer' },
    };
    const workflowId = `bench-hour-${Date.now()}`;
    const started = Date.now();
    const handle = await env.client.workflow.start('runComputeJob', { taskQueue, workflowId, args: [input] });
    await withTimeout(handle.result(), 300_000, 'the one-hour job');
    const wallSeconds = (Date.now() - started) / 1000;
    const runs = await allRuns(env.client, workflowId);
    const analysis = analyze(runs.flat());
    const markers = analysis.statusMarkers;
    const polls = emu.jobs()[0]?.statusRequests ?? 0;
    if (markers.length !== polls) {
      throw new Error(`the history has ${markers.length} status markers, the emulator saw ${polls} polls`);
    }
    const first = markers[0] ?? 0;
    const activityPolls = autoActivityPolls();
    // auto: the events from the first status marker to the last in-activity one become one activity.
    const autoReplaced = (markers[activityPolls - 1] ?? first) - first + 1;
    const calls = heartbeatCalls(HOUR);
    const heartbeatReplaced = (markers.at(-1) ?? first) - first + 1;
    return {
      jobMs: HOUR,
      timer: {
        totalEvents: analysis.events,
        runs: runs.length,
        polls,
        shapes: cycleShapes(analysis.cycles),
        upserts: analysis.upserts.length,
        upsertKeys: [...new Set(analysis.upserts)],
        wallSeconds,
      },
      auto: { totalEvents: analysis.events - autoReplaced + 6, activityPolls, replacedEvents: autoReplaced },
      heartbeat: {
        totalEvents: analysis.events - heartbeatReplaced + 6 * calls,
        calls,
        replacedEvents: heartbeatReplaced,
      },
    };
  } finally {
    await cleanup.runAll();
  }
}
