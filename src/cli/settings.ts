/**
 * The CLI's Temporal settings, from the same environment variables as the worker's:
 * `TEMPORAL_ADDRESS` (default `localhost:7233`), `TEMPORAL_NAMESPACE` (`default`),
 * `TEMPORAL_TASK_QUEUE` (`evo-compute`), `TEMPORAL_API_KEY`, `TEMPORAL_TLS` (`true`/`false`, on
 * with an API key). The CLI needs no Evo settings: the worker talks to Evo.
 */
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../defaults';
import { ConfigError } from '../worker-config';

export interface TemporalClientSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  tls: boolean;
  apiKey?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** Reads the settings; a malformed one throws a `ConfigError` naming the variable. */
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
