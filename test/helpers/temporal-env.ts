/**
 * Temporal servers for the tests, as the SDK's `TestWorkflowEnvironment` (its client and
 * connections): the dev server is the package's own `startLocalTemporal` (the same program and
 * flags as `evo-compute dev`); the time-skipping server is the SDK's.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  findTimeSkippingServer,
  type LocalTemporalOptions,
  startLocalTemporal as startDevServer,
} from '../../src/dev/local-temporal';

/** A local dev server (the real server, SQLite in memory) with the `EvoCompute*` search attributes. */
export async function startLocalTemporal(
  options: LocalTemporalOptions = {},
): Promise<TestWorkflowEnvironment> {
  const server = await startDevServer(options);
  try {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address: server.address,
      namespace: server.namespace,
    });
    const teardown = env.teardown.bind(env);
    // Closing the environment's connections alone would leave the server running.
    env.teardown = async () => {
      try {
        await teardown();
      } finally {
        await server.stop();
      }
    };
    return env;
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** The time-skipping test server, for tests where hours of job time pass in seconds. */
export async function startTimeSkippingTemporal(): Promise<TestWorkflowEnvironment> {
  const path = findTimeSkippingServer();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: path ? { type: 'existing-path', path } : undefined },
  });
}
