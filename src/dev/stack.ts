/**
 * Everything a compute job needs on one machine: a Temporal dev server (with the `EvoCompute*`
 * search attributes and the Web UI), the Compute API emulator and a worker polling the task queue
 * against it. `evo-compute dev` and `npm run demo` are built on it.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { ensureNexusEndpoint } from '../client/nexus-endpoint';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../common/defaults';
import { startComputeEmulator } from '../emulator';
import type { ComputeEmulator, ComputeEmulatorOptions } from '../emulator/types';
import { DEFAULT_NEXUS_ENDPOINT } from '../nexus';
import type { TemporalConnectionOptions } from '../worker/config';
import { createComputeWorker } from '../worker/index';
import { freePort, startLocalTemporal } from './local-temporal';

/** The bearer token the stack's emulator expects and its worker sends, unless told otherwise. */
export const DEV_ACCESS_TOKEN = 'dev-token';

/** An org id for local runs: the emulator accepts any UUID. */
export const DEV_ORG_ID = '00000000-0000-4000-8000-000000000000';

export interface DevStackOptions {
  /**
   * A Temporal server to use instead of starting one (e.g. `temporalSettingsFromEnv().connection`).
   * Then nothing is registered on it and there is no UI URL.
   */
  temporal?: TemporalConnectionOptions;
  /** Default `default`. */
  namespace?: string;
  /** Default `evo-compute`. */
  taskQueue?: string;
  /** The started server's frontend port. Default: a free one. */
  port?: number;
  /** The started server's Web UI port. Default: a free one. */
  uiPort?: number;
  /** Options of the emulator; `accessToken` defaults to `DEV_ACCESS_TOKEN`. */
  emulator?: ComputeEmulatorOptions;
  /** Extra `Worker.create` options (e.g. a prebuilt `workflowBundle`). */
  worker?: Partial<WorkerOptions>;
  /** Append a started server's own output to this file instead of keeping it in memory. */
  logFile?: string;
  /**
   * The Nexus endpoint to make (or keep, when it already targets this worker) for the worker's
   * `evo-compute` service. Default `evo-compute`; `false` makes none.
   */
  nexusEndpoint?: string | false;
}

export interface DevStack {
  /** The Temporal frontend, `host:port`. */
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** The Temporal Web UI, when the stack started the server. */
  readonly uiUrl?: string;
  readonly emulator: ComputeEmulator;
  /** The token the emulator expects (undefined: it checks none). */
  readonly accessToken?: string;
  /** A client on the stack's namespace. */
  readonly client: Client;
  /** Settles when the worker stops: after `close()`, or earlier if it fails. */
  readonly workerStopped: Promise<void>;
  /**
   * The Nexus endpoint that reaches the worker's `evo-compute` service (`created` or `exists`), or
   * why there is none (e.g. a server of your own that refused it).
   */
  readonly nexus:
    | { endpoint: string; state: 'created' | 'exists' }
    | { endpoint?: undefined; reason: string };
  /** The workflow's page in the Temporal UI, when there is a UI. */
  workflowUrl(workflowId: string): string | undefined;
  /** Stops the worker (gracefully), the emulator and the server, in that order. Safe to call twice. */
  close(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const cleanups: (() => Promise<unknown>)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let address: string;
    let uiUrl: string | undefined;
    let connection: Connection;
    let nativeConnection: NativeConnection;
    if (options.temporal) {
      address = options.temporal.address;
      connection = await Connection.connect(options.temporal);
      cleanups.push(() => connection.close());
      nativeConnection = await NativeConnection.connect(options.temporal);
      cleanups.push(() => nativeConnection.close());
    } else {
      const uiPort = options.uiPort ?? (await freePort());
      const server = await startLocalTemporal({
        uiPort,
        port: options.port,
        namespace,
        logFile: options.logFile,
      });
      cleanups.push(() => server.stop());
      address = server.address;
      uiUrl = server.uiUrl;
      connection = await Connection.connect({ address });
      cleanups.push(() => connection.close());
      nativeConnection = await NativeConnection.connect({ address });
      cleanups.push(() => nativeConnection.close());
    }

    const emulatorOptions = { accessToken: DEV_ACCESS_TOKEN, ...options.emulator };
    const emulator = await startComputeEmulator(emulatorOptions);
    cleanups.push(() => emulator.close());

    const worker = await createComputeWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      baseUrl: emulator.url,
      accessToken: emulatorOptions.accessToken ?? 'unused',
      worker: options.worker,
    });
    const workerStopped = worker.run();
    workerStopped.catch(() => undefined); // the caller may not watch it; close() reports nothing either
    cleanups.push(async () => {
      if (worker.worker.getState() === 'RUNNING') worker.shutdown();
      await workerStopped;
    });

    const nexus = await makeEndpoint(
      connection,
      options.nexusEndpoint ?? DEFAULT_NEXUS_ENDPOINT,
      namespace,
      taskQueue,
    );

    let closing: Promise<void> | undefined;
    return {
      address,
      namespace,
      taskQueue,
      uiUrl,
      nexus,
      emulator,
      accessToken: emulatorOptions.accessToken,
      client: new Client({ connection, namespace }),
      workerStopped,
      workflowUrl: (workflowId) =>
        uiUrl
          ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`
          : undefined,
      close() {
        closing ??= runCleanups();
        return closing;
      },
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

async function makeEndpoint(
  connection: Connection,
  name: string | false,
  namespace: string,
  taskQueue: string,
): Promise<DevStack['nexus']> {
  if (name === false) return { reason: 'not asked for' };
  try {
    return { endpoint: name, state: await ensureNexusEndpoint(connection, { name, namespace, taskQueue }) };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}
