/**
 * The worker's settings, read from the environment. Every problem names the variable, so a fleet
 * operator gets one clear line instead of a stack trace.
 */
import { readFile } from 'node:fs/promises';
import type { AccessTokenProvider } from '../api/access-token';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';

export interface ComputeWorkerSettings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** TLS to the Temporal server (implied by an API key). */
  tls: boolean;
  apiKey?: string;
  baseUrl: string;
  accessToken: AccessTokenProvider;
}

/** A setting is missing or malformed. `setting` names the environment variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting} ${message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** How to reach Temporal: the part of the settings the worker and the `evo-compute` CLI share. */
export interface TemporalClientSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  tls: boolean;
  apiKey?: string;
}

/**
 * Reads `TEMPORAL_ADDRESS` (host:port, default `localhost:7233`), `TEMPORAL_NAMESPACE` (`default`),
 * `TEMPORAL_TASK_QUEUE` (`evo-compute`), `TEMPORAL_API_KEY` and `TEMPORAL_TLS` (`true`/`false`, on
 * with an API key); a malformed one throws a `ConfigError` naming the variable.
 */
export function temporalSettingsFromEnv(env: Env = process.env): TemporalClientSettings {
  const address = read(env, 'TEMPORAL_ADDRESS') ?? DEFAULT_TEMPORAL_ADDRESS;
  if (!/^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/i.test(address)) {
    throw new ConfigError('TEMPORAL_ADDRESS', `must be host:port, got ${JSON.stringify(address)}`);
  }
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (port < 1 || port > 65535) throw new ConfigError('TEMPORAL_ADDRESS', `has an invalid port ${port}`);
  const apiKey = read(env, 'TEMPORAL_API_KEY');
  const tlsSetting = read(env, 'TEMPORAL_TLS');
  if (tlsSetting !== undefined && tlsSetting !== 'true' && tlsSetting !== 'false') {
    throw new ConfigError('TEMPORAL_TLS', `must be true or false, got ${JSON.stringify(tlsSetting)}`);
  }
  return {
    address,
    namespace: read(env, 'TEMPORAL_NAMESPACE') ?? DEFAULT_NAMESPACE,
    taskQueue: read(env, 'TEMPORAL_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE,
    tls: tlsSetting === undefined ? apiKey !== undefined : tlsSetting === 'true',
    apiKey,
  };
}

/**
 * Reads the worker settings: the Temporal ones above, `EVO_BASE_URL` (required), and
 * `EVO_ACCESS_TOKEN` or `EVO_ACCESS_TOKEN_FILE` (one required; the file is read again whenever the
 * service answers 401, so a rotated secret is picked up).
 */
export function workerSettingsFromEnv(env: Env = process.env): ComputeWorkerSettings {
  const temporal = temporalSettingsFromEnv(env);

  const baseUrl = read(env, 'EVO_BASE_URL');
  if (!baseUrl)
    throw new ConfigError(
      'EVO_BASE_URL',
      'is not set (the Evo hub URL, e.g. https://example.api.seequent.com)',
    );
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new ConfigError('EVO_BASE_URL', `is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError('EVO_BASE_URL', `must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }

  const token = read(env, 'EVO_ACCESS_TOKEN');
  const tokenFile = read(env, 'EVO_ACCESS_TOKEN_FILE');
  if (token && tokenFile) {
    throw new ConfigError('EVO_ACCESS_TOKEN', 'and EVO_ACCESS_TOKEN_FILE are both set; set one');
  }
  let accessToken: AccessTokenProvider;
  if (token) {
    accessToken = token;
  } else if (tokenFile) {
    accessToken = async () => (await readFile(tokenFile, 'utf8')).trim();
  } else {
    throw new ConfigError('EVO_ACCESS_TOKEN', 'is not set (nor EVO_ACCESS_TOKEN_FILE)');
  }

  return {
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    tls: temporal.tls,
    apiKey: temporal.apiKey,
    baseUrl,
    accessToken,
  };
}
