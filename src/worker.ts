#!/usr/bin/env node
/**
 * `evo-compute-worker` (`npm start`): the compute worker as a program, configured by the
 * environment only (worker/config.ts). Programs that build a worker of their own import
 * `createComputeWorker` from worker/index.ts (`evo-compute-temporal/worker`); nothing imports this
 * file, which runs the worker as soon as it is loaded.
 */
import type { AccessTokenProvider } from './api/access-token';
import { TokenRequestRefused } from './auth/client-credentials';
import { type ComputeWorkerSettings, ConfigError, workerSettingsFromEnv } from './worker/config';
import { createComputeWorker } from './worker/index';

function fail(message: string, code: number): never {
  console.error(`evo-compute-worker: ${message}`);
  process.exit(code);
}

/**
 * With client credentials, one token is fetched before the worker polls, so that credentials the
 * issuer refuses stop the worker at once (exit code 2) rather than leave every job retrying. An
 * issuer that cannot be reached is not fatal: jobs wait (retrying `AccessTokenUnavailable`) until
 * it is back.
 */
async function checkCredentials(settings: ComputeWorkerSettings): Promise<AccessTokenProvider> {
  const provider = settings.accessToken;
  if (!settings.checkCredentials || typeof provider !== 'function') return provider;
  let first: Awaited<ReturnType<typeof provider>> | undefined;
  try {
    first = await provider();
  } catch (err) {
    if (err instanceof TokenRequestRefused) fail(`EVO_CLIENT_ID / EVO_CLIENT_SECRET: ${err.message}`, 2);
    if (err instanceof ConfigError) fail(err.message, 2);
    console.error(
      `evo-compute-worker: warning: no Evo token yet (${err instanceof Error ? err.message : err}); jobs wait until the issuer answers`,
    );
    return provider;
  }
  // The first request uses the token just fetched rather than ask for another.
  return () => {
    const grant = first;
    first = undefined;
    return grant ?? provider();
  };
}

async function main(): Promise<void> {
  let settings: ComputeWorkerSettings;
  try {
    settings = workerSettingsFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  const accessToken = await checkCredentials(settings);
  const computeWorker = await createComputeWorker({
    baseUrl: settings.baseUrl,
    accessToken,
    connectionOptions: settings.connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    metricsAddress: settings.metricsAddress,
    nexus: settings.nexus,
    ...(settings.dataConverter && { worker: { dataConverter: settings.dataConverter } }),
  });
  const metrics = settings.metricsAddress ? `; metrics on http://${settings.metricsAddress}/metrics` : '';
  const converter = settings.dataConverter ? '; data converter from EVO_COMPUTE_DATA_CONVERTER' : '';
  const nexus = settings.nexus ? '; serves the evo-compute Nexus service' : '';
  console.error(
    `evo-compute-worker: polling ${settings.namespace}/${settings.taskQueue} on ${settings.connection.address} for ${settings.baseUrl} with ${settings.credentials}${metrics}${converter}${nexus}; workflows: ${computeWorker.workflowSource}`,
  );
  await computeWorker.run();
}

main().catch((err) => {
  console.error(`evo-compute-worker: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
