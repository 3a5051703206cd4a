/** Settings and the Temporal connection of the commands that talk to a running Temporal service. */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, type TemporalClientSettings, temporalSettingsFromEnv } from '../worker/config';
import { CliError, oneLine, usageError } from './errors';

/** The settings from the environment; a malformed one is a usage error (exit code 2). */
export function readSettings(env: NodeJS.ProcessEnv = process.env): TemporalClientSettings {
  try {
    return temporalSettingsFromEnv(env);
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
    client: new Client({ connection, namespace: settings.namespace }),
    close: () => connection.close(),
  };
}
