/**
 * `npm run demo`: the main job on the embedded defaults. Starts a local Temporal dev server (or
 * uses TEMPORAL_ADDRESS), the Compute API emulator and a worker (`startDevStack`, the same pieces
 * as `evo-compute dev`), runs one `runComputeJob` on the emulator's kriging task, prints its
 * progress and results and where to see it in the Temporal UI, then shuts everything down.
 * `--keep` leaves it all running until Ctrl-C; a Ctrl-C while the job runs cancels it.
 */
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { outcomeError } from '../src/cli/outcome';
import { createProgressRenderer } from '../src/cli/progress';
import { waitForSignal } from '../src/cli/signals';
import { startComputeJob, watchComputeJob } from '../src/client';
import { tasks } from '../src/common/tasks/catalogue';
import type { ComputeJobProgressView } from '../src/common/types';
import { DEV_ORG_ID, type DevStack, startDevStack } from '../src/dev/stack';
import { exampleKrigingParameters } from '../src/emulator';
import { EVO_COMPUTE_NEXUS_SERVICE } from '../src/nexus';
import { ConfigError, type TemporalClientSettings, temporalSettingsFromEnv } from '../src/worker/config';

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const keep = process.argv.includes('--keep');
  let settings: TemporalClientSettings;
  try {
    settings = temporalSettingsFromEnv();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`demo: ${err.message}`);
    return 2;
  }
  // A configured server (TEMPORAL_ADDRESS or a profile) is used; otherwise a local one is started.
  const temporal = settings.addressConfigured ? settings.connection : undefined;
  console.log(
    temporal ? `Using the Temporal server at ${temporal.address}…` : 'Starting a local Temporal dev server…',
  );
  let stack: DevStack | undefined;
  try {
    stack = await startDevStack({
      temporal,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      // A kriging job runs 3 s on the emulator (real parameters carry no duration).
      emulator: { accessToken: 'demo-token', taskDurationMs: 3000 },
    });
    console.log(`Temporal server ${stack.address}, Compute API emulator ${stack.emulator.url}`);
    if ('state' in stack.nexus) {
      console.log(
        `Nexus endpoint ${stack.nexus.endpoint} → ${stack.namespace}/${stack.taskQueue}: callers in any namespace run ` +
          `runComputeJob through it (service ${EVO_COMPUTE_NEXUS_SERVICE}; docs/nexus.md)`,
      );
    } else {
      console.log(`No Nexus endpoint: ${stack.nexus.reason}`);
    }

    const handle = await startComputeJob(
      stack.client,
      tasks.geostatistics.kriging({
        orgId: DEV_ORG_ID,
        parameters: exampleKrigingParameters(DEV_ORG_ID),
        pollInterval: '300ms',
      }),
      { taskQueue: stack.taskQueue, workflowId: `evo-compute-demo-${randomUUID()}` },
    );
    const link = stack.workflowUrl(handle.workflowId) ?? `workflow ${handle.workflowId}`;
    console.log(`Started runComputeJob ${handle.workflowId}`);
    if (stack.uiUrl) console.log(`Temporal UI: ${link}`);

    const renderer = createProgressRenderer(process.stdout.isTTY ? 'bar' : 'lines', process.stdout, {
      indent: '  ',
    });
    const interrupt = waitForSignal();
    void interrupt.signalled.then(() => {
      renderer.suspend();
      console.log('Cancelling the job…');
      renderer.resume();
      return handle.cancel();
    });
    let lastView: ComputeJobProgressView | undefined;
    const outcome = await watchComputeJob(handle, {
      intervalMs: 200,
      onProgress: (view) => {
        lastView = view;
        renderer.update(view);
      },
    }).finally(() => {
      renderer.finish();
      interrupt.dispose();
    });
    const error = outcomeError(outcome, lastView);
    if (error) {
      console.error(`demo: ${error.message}`);
      return error.exitCode;
    }
    const { job, results } = outcome.result ?? { job: undefined, results: {} };
    console.log(`Job ${job?.jobId} succeeded. Results:`);
    console.log(JSON.stringify(results, null, 2));
    // The UI link only works while the server runs: printed when it will, else how to keep it.
    if (keep && stack.uiUrl) console.log(`See the run in the Temporal UI: ${link}`);
    else if (stack.uiUrl)
      console.log('Run `npm run demo -- --keep` to browse this run in the Temporal UI afterwards.');
    if (keep) {
      console.log('Everything keeps running; press Ctrl-C to stop.');
      const stop = waitForSignal();
      await stop.signalled;
      stop.dispose();
    }
    return 0;
  } finally {
    console.log('Shutting down…');
    await stack?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
