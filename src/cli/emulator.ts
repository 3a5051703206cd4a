/** `evo-compute emulator`: the Compute Tasks API emulator on its own, until Ctrl-C. */
import type { Command } from 'commander';
import type { ComputeEmulator } from '../emulator/types';
import { CliError, oneLine } from './errors';
import { parsePort } from './options';
import { waitForSignal } from './signals';

interface EmulatorOptions {
  port?: number;
  host?: string;
  token?: string;
}

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('run the Compute Tasks API emulator until Ctrl-C; prints its URL')
    .option('--port <n>', 'TCP port (default: a free one)', parsePort)
    .option('--host <host>', 'interface to listen on (default: 127.0.0.1)')
    .option('--token <token>', 'require this bearer token on every request (default: none)')
    .action(async (options: EmulatorOptions) => {
      const { BUILT_IN_TASKS, startComputeEmulator } = require('../emulator') as typeof import('../emulator');
      const stop = waitForSignal();
      let emulator: ComputeEmulator;
      try {
        emulator = await startComputeEmulator({
          port: options.port,
          host: options.host,
          accessToken: options.token,
        });
      } catch (err) {
        stop.dispose();
        const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
        const code = (err as NodeJS.ErrnoException).code;
        throw new CliError(`cannot listen on ${where}: ${code ?? oneLine(String(err))}`);
      }
      process.stdout.write(`${emulator.url}\n`);
      const tasks = BUILT_IN_TASKS.map((task) => `${task.topic}/${task.task}`).join(', ');
      const token = options.token ? `bearer token ${options.token}` : 'no token checked';
      process.stderr.write(`Compute API emulator (${token}; tasks ${tasks}). Ctrl-C stops it.\n`);
      await stop.signalled;
      await emulator.close();
    });
}
