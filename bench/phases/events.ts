/**
 * Phase `events`: what one status poll costs in history in each poll mode, on the Temporal dev
 * server. One job per mode (`timer`, `heartbeat`, `auto`), default schedule, run side by side.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PollMode } from '../../src/common/poll-schedule';
import type { ComputeJobResult, RunComputeJobInput } from '../../src/common/types';
import { startComputeEmulator } from '../../src/emulator';
import { type BenchContext, ORG_ID, startWorkerProcess, TOKEN, withTimeout } from '../lib/context';
import { allRuns, analyze, cycleShapes } from '../lib/history';

export interface ModeEvents {
  mode: PollMode;
  jobMs: number;
  totalEvents: number;
  /** Status requests the emulator saw for the job. */
  polls: number;
  /** Polls made on durable timers (a local-activity marker each). */
  timerPolls: number;
  /** Polls made inside `waitForJob`. */
  activityPolls: number;
  waitForJobCalls: number;
  /** History events of the `waitForJob` calls: 3 activity events + 3 workflow-task events each. */
  activityEvents: number;
  /** Complete timer poll cycles by shape, most frequent first. */
  shapes: { shape: string[]; count: number }[];
  upserts: number;
}

export async function measureEventsPerPoll(
  ctx: BenchContext,
  env: TestWorkflowEnvironment,
): Promise<ModeEvents[]> {
  const cleanup = ctx.cleanup.scope('the events phase');
  const emulator = await startComputeEmulator({ accessToken: TOKEN, maxRecordedRequests: 0 });
  cleanup.add('close the events emulator', () => emulator.close());
  try {
    const taskQueue = 'evo-compute-bench-events';
    await startWorkerProcess(ctx, cleanup, 'worker-events', {
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      baseUrl: emulator.url,
    });
    const modes: PollMode[] = ['timer', 'heartbeat', 'sparse', 'retry'];
    const jobMs = ctx.config.eventsJobMs;
    ctx.log(`events: one ${jobMs / 1000} s job per poll mode (${modes.join(', ')}) on the dev server`);
    const runs = await Promise.all(
      modes.map(async (mode) => {
        const input: RunComputeJobInput = {
          orgId: ORG_ID,
          topic: 'emulator',
          task: 'job',
          parameters: { durationMs: jobMs, steps: 4 },
          poll: { mode },
        };
        const workflowId = `bench-events-${mode}-${Date.now()}`;
        const handle = await env.client.workflow.start('runComputeJob', {
          taskQueue,
          workflowId,
          args: [input],
        });
        const result = (await withTimeout(
          handle.result(),
          jobMs + 180_000,
          `the ${mode} job`,
        )) as ComputeJobResult;
        return { mode, workflowId, result };
      }),
    );
    return await Promise.all(
      runs.map(async ({ mode, workflowId, result }) => {
        const events = (await allRuns(env.client, workflowId)).flat();
        const analysis = analyze(events);
        const polls = emulator.getJob(result.job.jobId)?.statusRequests ?? 0;
        return {
          mode,
          jobMs,
          totalEvents: analysis.events,
          polls,
          timerPolls: analysis.statusMarkers.length,
          activityPolls: polls - analysis.statusMarkers.length,
          waitForJobCalls: analysis.waitForJobCalls,
          activityEvents: analysis.waitForJobCalls * 6,
          shapes: cycleShapes(analysis.cycles),
          upserts: analysis.types.filter((type) => type === 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES').length,
        };
      }),
    );
  } finally {
    await cleanup.runAll();
  }
}
