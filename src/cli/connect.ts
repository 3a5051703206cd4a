/** Settings and the Temporal connection of the commands that talk to a running Temporal service. */
import { Client, Connection } from '@temporalio/client';
import {
  ConfigError,
  dataConverterFromModule,
  type TemporalClientSettings,
  temporalSettingsFromEnv,
} from '../worker/config';
import { CliError, oneLine, usageError } from './errors';

/** `--data-converter <module>`, which the commands that talk to Temporal take. */
export interface DataConverterOption {
  dataConverter?: string;
}

/** The help of `--data-converter`. */
export const DATA_CONVERTER_HELP =
  'a module exporting dataConverter or payloadCodecs (e.g. an encryption codec), the same as the workers use (default: $EVO_COMPUTE_DATA_CONVERTER)';

/**
 * The settings from the environment, with `--data-converter` in place of `EVO_COMPUTE_DATA_CONVERTER`
 * when given; a malformed one is a usage error (exit code 2).
 */
export function readSettings(
  options: DataConverterOption = {},
  env: NodeJS.ProcessEnv = process.env,
): TemporalClientSettings {
  try {
    const fromOption = options.dataConverter;
    const settings = temporalSettingsFromEnv(
      fromOption === undefined ? env : { ...env, EVO_COMPUTE_DATA_CONVERTER: undefined },
    );
    if (fromOption !== undefined)
      settings.dataConverter = dataConverterFromModule('--data-converter', fromOption);
    return settings;
  } catch (err) {
    if (err instanceof ConfigError) throw usageError(err.message);
    throw err;
  }
}

export interface CliConnection {
  client: Client;
  close(): Promise<void>;
}

export async function connect(settings: TemporalClientSettings): Promise<CliConnection> {
  let connection: Connection;
  try {
    connection = await Connection.connect(settings.connection);
  } catch (err) {
    throw new CliError(
      `cannot connect to Temporal at ${settings.connection.address}: ${oneLine(err instanceof Error ? err.message : String(err))}`,
    );
  }
  return {
    client: new Client({ connection, namespace: settings.namespace, dataConverter: settings.dataConverter }),
    close: () => connection.close(),
  };
}
