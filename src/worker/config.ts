/**
 * The worker's settings, read from the environment. Temporal's own settings (address, namespace,
 * API key, TLS and mTLS, profiles of a config file) are read by `@temporalio/envconfig`, as every
 * Temporal SDK and the Temporal CLI read them; only the `EVO_*` settings are this package's. Every
 * problem names the variable, so a fleet operator gets one clear line instead of a stack trace.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { ClientConfigProfile } from '@temporalio/envconfig';
import type { AccessTokenProvider } from '../api/access-token';
import { clientCredentials, DEFAULT_OAUTH_ISSUER, DEFAULT_OAUTH_SCOPE } from '../auth/client-credentials';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from '../common/defaults';
import { DataConverterModuleError, loadDataConverterModule } from './data-converter';

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

/** The connection options both `Connection.connect` and `NativeConnection.connect` take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/** How to reach Temporal: the part of the settings the worker, the CLI and the dev stack share. */
export interface TemporalClientSettings {
  connection: TemporalConnectionOptions;
  namespace: string;
  /** `EVO_COMPUTE_TASK_QUEUE`, default `evo-compute`. */
  taskQueue: string;
  /** Whether an address was configured (environment or profile) rather than defaulted. */
  addressConfigured: boolean;
  /**
   * `EVO_COMPUTE_DATA_CONVERTER`: the data converter (e.g. an encryption codec) of the module it
   * names (data-converter.ts). Workers and clients of one namespace must share it.
   */
  dataConverter?: DataConverter;
}

/** The data converter of the module `specifier` names; a module that does not give one is a `ConfigError` naming `setting`. */
export function dataConverterFromModule(setting: string, specifier: string): DataConverter {
  try {
    return loadDataConverterModule(specifier);
  } catch (err) {
    if (err instanceof DataConverterModuleError) throw new ConfigError(setting, err.message);
    throw err;
  }
}

/** Temporal's boolean variables; envconfig reads anything else as false, so a typo is refused here. */
const BOOLEAN_SETTINGS = ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'];

/** Variables naming files envconfig reads; a read failure is blamed on the one holding that path. */
const PATH_SETTINGS = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_CONFIG_FILE',
];

function settingBehind(err: unknown, env: Env): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/^Profile '/.test(message)) return 'TEMPORAL_PROFILE';
  const path = (err as NodeJS.ErrnoException).path;
  const bySetting = path && PATH_SETTINGS.find((name) => read(env, name) === path);
  if (bySetting) return bySetting;
  const pair = /Cannot specify both (\w+)_path and/.exec(message)?.[1];
  if (pair && !read(env, 'TEMPORAL_CONFIG_FILE')) return `TEMPORAL_TLS_${pair.toUpperCase()}_PATH`;
  return 'TEMPORAL_CONFIG_FILE';
}

function checkAddress(address: string, setting: string): void {
  if (!/^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/i.test(address)) {
    throw new ConfigError(setting, `must be host:port, got ${JSON.stringify(address)}`);
  }
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (port < 1 || port > 65535) throw new ConfigError(setting, `has an invalid port ${port}`);
}

/**
 * Reads the Temporal connection through `@temporalio/envconfig`: the profile `TEMPORAL_PROFILE`
 * (default `default`) of the config file `TEMPORAL_CONFIG_FILE` (default the Temporal CLI's,
 * when it exists), overridden by `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS`, `TEMPORAL_TLS_CLIENT_CERT_PATH`/`_DATA`, `TEMPORAL_TLS_CLIENT_KEY_PATH`/`_DATA`,
 * `TEMPORAL_TLS_SERVER_CA_CERT_PATH`/`_DATA`, `TEMPORAL_TLS_SERVER_NAME` and
 * `TEMPORAL_GRPC_META_*`; plus `EVO_COMPUTE_TASK_QUEUE` and `EVO_COMPUTE_DATA_CONVERTER`. A
 * malformed one throws a `ConfigError` naming it.
 */
export function temporalSettingsFromEnv(env: Env = process.env): TemporalClientSettings {
  // envconfig treats a variable set to '' as set; an empty variable means unset here, as before.
  const nonEmpty: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') nonEmpty[name] = value.trim();
  }
  for (const name of BOOLEAN_SETTINGS) {
    const value = nonEmpty[name];
    if (value !== undefined && !['true', 'false', '1', '0'].includes(value)) {
      throw new ConfigError(name, `must be true or false, got ${JSON.stringify(value)}`);
    }
  }

  // Loaded here, not at import: a program that only calls createComputeWorker needs no envconfig.
  let envconfig: typeof import('@temporalio/envconfig');
  try {
    envconfig = require('@temporalio/envconfig');
  } catch {
    throw new ConfigError(
      'TEMPORAL_*',
      'settings are read with @temporalio/envconfig, which is not installed (install the version of your other @temporalio packages)',
    );
  }
  const { loadClientConfigProfile, toClientOptions } = envconfig;
  let profile: ClientConfigProfile;
  let connect: ReturnType<typeof toClientOptions>;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: nonEmpty });
    connect = toClientOptions(profile);
  } catch (err) {
    const setting = settingBehind(err, nonEmpty);
    const detail = err instanceof Error ? err.message : String(err);
    const where =
      setting === 'TEMPORAL_CONFIG_FILE' && !nonEmpty.TEMPORAL_CONFIG_FILE
        ? ' (the default config file)'
        : '';
    throw new ConfigError(setting, `is not usable${where}: ${detail}`);
  }
  const tls = profile.tls;
  if (tls && !tls.disabled && (tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
    throw new ConfigError(
      tls.clientCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'is missing: mTLS needs both a client certificate and its key',
    );
  }

  const address = connect.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  checkAddress(
    address,
    nonEmpty.TEMPORAL_ADDRESS ? 'TEMPORAL_ADDRESS' : 'TEMPORAL_ADDRESS (from the config profile)',
  );
  const { apiKey, metadata } = connect.connectionOptions;
  const converterModule = read(env, 'EVO_COMPUTE_DATA_CONVERTER');
  return {
    connection: {
      address,
      tls: (connect.connectionOptions.tls ?? undefined) as TLSConfig | boolean | undefined,
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      metadata: metadata as Record<string, string> | undefined,
    },
    namespace: connect.namespace ?? DEFAULT_NAMESPACE,
    taskQueue: read(env, 'EVO_COMPUTE_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE,
    addressConfigured: connect.connectionOptions.address !== undefined,
    ...(converterModule && {
      dataConverter: dataConverterFromModule('EVO_COMPUTE_DATA_CONVERTER', converterModule),
    }),
  };
}

export interface ComputeWorkerSettings extends TemporalClientSettings {
  baseUrl: string;
  accessToken: AccessTokenProvider;
  /** How the worker gets its Evo token, for the start-up line (never the secret). */
  credentials: string;
  /** Set with client credentials: fetch one token at start-up, so a wrong secret stops the worker. */
  checkCredentials: boolean;
  /** `EVO_COMPUTE_METRICS_ADDRESS`: serve Prometheus metrics on this `host:port`. */
  metricsAddress?: string;
  /** `EVO_COMPUTE_NEXUS`: serve the `evo-compute` Nexus service (default `on`). */
  nexus: boolean;
}

function checkHttpUrl(setting: string, value: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(setting, `is not a URL: ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(setting, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function readSecretFile(setting: string, path: string): string {
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(setting, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  if (secret === '') throw new ConfigError(setting, `names an empty file: ${path}`);
  return secret;
}

/** `EVO_CLIENT_ID` with `EVO_CLIENT_SECRET` or `EVO_CLIENT_SECRET_FILE`, `EVO_OAUTH_ISSUER`, `EVO_OAUTH_SCOPE`. */
function clientCredentialsFromEnv(
  env: Env,
  clientId: string,
): { provider: AccessTokenProvider; label: string } {
  const secret = read(env, 'EVO_CLIENT_SECRET');
  const secretFile = read(env, 'EVO_CLIENT_SECRET_FILE');
  if (secret && secretFile) {
    throw new ConfigError('EVO_CLIENT_SECRET', 'and EVO_CLIENT_SECRET_FILE are both set; set one');
  }
  if (!secret && !secretFile) {
    throw new ConfigError(
      'EVO_CLIENT_SECRET',
      'is not set (nor EVO_CLIENT_SECRET_FILE); EVO_CLIENT_ID needs one',
    );
  }
  if (secretFile) readSecretFile('EVO_CLIENT_SECRET_FILE', secretFile); // refuse an unreadable file now
  const issuerSetting = read(env, 'EVO_OAUTH_ISSUER') ?? DEFAULT_OAUTH_ISSUER;
  const issuer = checkHttpUrl('EVO_OAUTH_ISSUER', issuerSetting);
  const scope = read(env, 'EVO_OAUTH_SCOPE') ?? DEFAULT_OAUTH_SCOPE;
  let provider: AccessTokenProvider;
  try {
    provider = clientCredentials({
      clientId,
      // A secret file is read at every token request, so a rotated secret is picked up.
      clientSecret: secretFile
        ? () => readSecretFile('EVO_CLIENT_SECRET_FILE', secretFile)
        : (secret as string),
      issuer: issuer.href,
      scope,
    });
  } catch (err) {
    throw new ConfigError('EVO_OAUTH_ISSUER', err instanceof Error ? err.message : String(err));
  }
  return { provider, label: `client credentials for ${clientId} from ${issuer.origin}` };
}

/**
 * Reads the worker settings: the Temporal ones above, `EVO_BASE_URL` (required), and one way to
 * get an Evo token: `EVO_CLIENT_ID` with its secret (OAuth client credentials, for fleets),
 * `EVO_ACCESS_TOKEN`, or `EVO_ACCESS_TOKEN_FILE` (read again whenever the service answers 401, so
 * a rotated token is picked up); `EVO_COMPUTE_METRICS_ADDRESS` (`host:port`, e.g. `0.0.0.0:9464`)
 * to serve Prometheus metrics; and `EVO_COMPUTE_NEXUS` (`on` or `off`, default `on`): whether the
 * worker serves the `evo-compute` Nexus service.
 */
export function workerSettingsFromEnv(env: Env = process.env): ComputeWorkerSettings {
  const temporal = temporalSettingsFromEnv(env);

  const baseUrl = read(env, 'EVO_BASE_URL');
  if (!baseUrl)
    throw new ConfigError(
      'EVO_BASE_URL',
      'is not set (the Evo hub URL, e.g. https://example.api.seequent.com)',
    );
  checkHttpUrl('EVO_BASE_URL', baseUrl);

  const token = read(env, 'EVO_ACCESS_TOKEN');
  const tokenFile = read(env, 'EVO_ACCESS_TOKEN_FILE');
  const clientId = read(env, 'EVO_CLIENT_ID');
  const given = [
    token && 'EVO_ACCESS_TOKEN',
    tokenFile && 'EVO_ACCESS_TOKEN_FILE',
    clientId && 'EVO_CLIENT_ID',
  ].filter(Boolean);
  if (given.length > 1)
    throw new ConfigError(given[0] as string, `and ${given.slice(1).join(' and ')} are both set; set one`);
  let accessToken: AccessTokenProvider;
  let credentials: string;
  if (clientId) {
    const oauth = clientCredentialsFromEnv(env, clientId);
    accessToken = oauth.provider;
    credentials = oauth.label;
  } else if (token) {
    accessToken = token;
    credentials = 'a fixed access token';
  } else if (tokenFile) {
    accessToken = async () => (await readFile(tokenFile, 'utf8')).trim();
    credentials = `the access token in ${tokenFile}`;
  } else {
    throw new ConfigError('EVO_CLIENT_ID', 'is not set (nor EVO_ACCESS_TOKEN or EVO_ACCESS_TOKEN_FILE)');
  }

  const metricsAddress = read(env, 'EVO_COMPUTE_METRICS_ADDRESS');
  if (metricsAddress) checkAddress(metricsAddress, 'EVO_COMPUTE_METRICS_ADDRESS');

  const nexus = read(env, 'EVO_COMPUTE_NEXUS')?.toLowerCase() ?? 'on';
  if (!['on', 'off'].includes(nexus))
    throw new ConfigError('EVO_COMPUTE_NEXUS', `must be on or off, got ${nexus}`);

  return {
    ...temporal,
    baseUrl,
    accessToken,
    credentials,
    checkCredentials: clientId !== undefined,
    metricsAddress,
    nexus: nexus === 'on',
  };
}
