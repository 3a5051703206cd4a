/**
 * Phase `startup`: how long a worker takes from process start to polling, and its memory then,
 * with the prebuilt workflow bundle (`npm run build`) and with bundling at start-up (webpack, as
 * before the bundle shipped). The two kinds alternate, so both see the same machine load.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type BenchContext, startWorkerProcess } from '../lib/context';
import { peakRssMiB, rssMiB } from '../lib/proc';

export type StartupKind = 'prebuilt' | 'bundle';

export interface StartupRun {
  kind: StartupKind;
  /** Process start to `ready` (worker created, workflow code loaded). */
  readyMs: number;
  /** RSS when ready. */
  rssMiB: number;
  /** Highest RSS up to then (bundling's peak). */
  peakRssMiB: number;
}

export interface StartupResult {
  runs: StartupRun[];
}

export const STARTUP_RUNS_PER_KIND = 5;

export async function measureStartup(
  ctx: BenchContext,
  env: TestWorkflowEnvironment,
): Promise<StartupResult> {
  const runs: StartupRun[] = [];
  for (let i = 0; i < STARTUP_RUNS_PER_KIND; i++) {
    for (const kind of ['prebuilt', 'bundle'] as const) {
      const scope = ctx.cleanup.scope(`startup ${kind} ${i + 1}`);
      const startedAt = performance.now();
      const child = await startWorkerProcess(
        ctx,
        scope,
        `startup-${kind}-${i + 1}`,
        {
          address: env.address,
          namespace: env.namespace ?? 'default',
          taskQueue: `bench-startup-${kind}-${i}`,
          baseUrl: 'http://127.0.0.1:9',
        },
        { BENCH_WORKFLOWS: kind },
      );
      const readyMs = performance.now() - startedAt;
      runs.push({
        kind,
        readyMs,
        rssMiB: rssMiB(child.pid) ?? Number.NaN,
        peakRssMiB: peakRssMiB(child.pid) ?? Number.NaN,
      });
      ctx.log(
        `startup ${kind} ${i + 1}: ready in ${(readyMs / 1000).toFixed(2)} s, RSS ${runs.at(-1)?.rssMiB} MiB`,
      );
      await scope.runAll();
    }
  }
  return { runs };
}
