/**
 * `evoComputeWaitForJob`: `heartbeat` polling, the Temporal form of the Python `wait_for_results`.
 * Polls a job's status inside one activity attempt and hands back as soon as a reading is worth
 * recording (the first one, a new status or 10 % step, the end of the job), so that the workflow's
 * query, current details and search attributes follow the job from its first poll. In between, the
 * latest reading rides on the heartbeats, which go out only as often as the heartbeat timeout needs.
 * A retried attempt (after a worker died) resumes from the last heartbeat: the poll count and the
 * schedule go on where they were.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { ComputeApiClient } from '../api/compute-api-client';
import {
  DEFAULT_WAIT_MAX_DURATION_MS,
  jitteredInterval,
  nextInterval,
  type ResolvedPollSchedule,
} from '../common/poll-schedule';
import { movesProgress } from '../common/progress-step';
import { isTerminalStatus, type JobProgress, type JobRef } from '../common/types';
import { withHeartbeats } from './heartbeat';
import { type JobReading, withResultsIfSucceeded } from './job-reading';

export interface WaitForJobInput {
  job: JobRef;
  schedule: ResolvedPollSchedule;
  /** The interval in force: after the first poll (or before it, with `waitFirst`). */
  intervalMs: number;
  /** Polls made before this call (the workflow's count). */
  polls: number;
  /** The reading the workflow last recorded: readings that do not move it are not handed back. */
  last?: JobProgress;
  /** Wait one interval before the first poll (the workflow has just recorded a reading). */
  waitFirst?: boolean;
  /** Return after about this long even if nothing changed, so one attempt never runs for days. Default 1 hour. */
  maxDurationMs?: number;
}

/** The activity's heartbeat details: what a retried attempt resumes from, and what the UI shows. */
export interface WaitForJobState {
  /** The latest reading (absent before the first poll). */
  progress?: JobProgress;
  polls: number;
  /** The interval after the latest poll. */
  intervalMs: number;
  /** Whether the next step is a wait (true) or a poll. */
  waitFirst: boolean;
}

export async function waitForJob(client: ComputeApiClient, input: WaitForJobInput): Promise<JobReading> {
  const state = attemptState(input);
  return withHeartbeats(
    (signal) => pollUntilWorthRecording(client, input, state, signal),
    () => state,
  );
}

/**
 * Where a polling attempt starts: the workflow's count and interval, or, for a retried attempt
 * (its worker died), the last heartbeat of the attempt before it.
 */
export function attemptState(input: WaitForJobInput): WaitForJobState {
  const context = Context.current();
  const resumed =
    context.info.attempt > 1 ? (context.info.heartbeatDetails as WaitForJobState | undefined) : undefined;
  // A resumed attempt polls at once: it cannot know how long the previous one has been gone.
  return resumed
    ? { ...resumed, waitFirst: false }
    : { polls: input.polls, intervalMs: input.intervalMs, waitFirst: input.waitFirst ?? false };
}

/**
 * The loop of a polling attempt (`heartbeat` and `sparse` modes): waits and polls on the schedule,
 * keeping `state` current for the heartbeats, until a reading is worth recording (the end of the
 * job, a new status or 10 % step, about `maxDurationMs` gone, or `alsoHandBack`), and returns it,
 * with the results when the job has succeeded.
 */
export async function pollUntilWorthRecording(
  client: ComputeApiClient,
  input: WaitForJobInput,
  state: WaitForJobState,
  signal: AbortSignal,
  alsoHandBack: (intervalMs: number) => boolean = () => false,
): Promise<JobReading> {
  const giveBackAt = Date.now() + (input.maxDurationMs ?? DEFAULT_WAIT_MAX_DURATION_MS);
  for (;;) {
    if (state.waitFirst) {
      await abortableSleep(jitteredInterval(state.intervalMs, Math.random), signal);
      state.intervalMs = nextInterval(input.schedule, state.intervalMs);
    }
    const progress = await client.getStatus(input.job, { signal });
    state.progress = progress;
    state.polls++;
    state.waitFirst = true;
    const handBack =
      isTerminalStatus(progress.status) ||
      movesProgress(input.last, progress) ||
      alsoHandBack(state.intervalMs) ||
      Date.now() + state.intervalMs > giveBackAt;
    if (handBack) {
      const reading = { progress, polls: state.polls, intervalMs: state.intervalMs };
      return withResultsIfSucceeded(client, input.job, reading, signal);
    }
  }
}

/** Sleeps `ms`, ending early with the activity's cancellation. */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    throw signal.aborted ? (signal.reason ?? err) : err;
  }
}
