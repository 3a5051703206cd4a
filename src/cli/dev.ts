/**
 * `evo-compute dev`: a local Temporal dev server (search attributes registered, Web UI on), the
 * Compute API emulator and a worker, all in this process until Ctrl-C.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../common/defaults';
import type { DevStack } from '../dev/stack';
import { EVO_COMPUTE_NEXUS_SERVICE } from '../nexus';
import { readSettings } from './connect';
import { CliError, ExitCode, oneLine } from './errors';
import { cliCommand, shellWord } from './invocation';
import { parsePort } from './options';
import { waitForSignal } from './signals';

interface DevOptions {
  port?: number;
  uiPort?: number;
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run a local Temporal dev server, the Compute API emulator and a worker until Ctrl-C')
    .option('--port <n>', 'Temporal frontend port (default: a free one)', parsePort)
    .option('--ui-port <n>', 'Temporal Web UI port (default: a free one)', parsePort)
    .action(async (options: DevOptions) => {
      // Loaded here: the worker's native runtime is only needed by this command.
      const { DefaultLogger, Runtime }: typeof import('@temporalio/worker') = require('@temporalio/worker');
      const { DEV_ORG_ID, startDevStack }: typeof import('../dev/stack') = require('../dev/stack');
      Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
      // dev starts its own server; the namespace and task queue are the configured ones.
      const { namespace, taskQueue } = readSettings();

      // A Ctrl-C during start-up is honoured once everything is up, so nothing is left behind.
      const stop = waitForSignal();
      // The server's own log and an example job's parameters, in a folder of this run.
      const dir = mkdtempSync(join(tmpdir(), 'evo-compute-dev-'));
      const files = { log: join(dir, 'temporal.log'), params: join(dir, 'kriging.json') };
      const { exampleKrigingParameters }: typeof import('../emulator') = require('../emulator');
      writeFileSync(files.params, `${JSON.stringify(exampleKrigingParameters(DEV_ORG_ID), null, 2)}\n`);
      process.stderr.write('Starting a Temporal dev server, the Compute API emulator and a worker…\n');
      const stack = await startDevStack({
        namespace,
        taskQueue,
        port: options.port || undefined,
        uiPort: options.uiPort || undefined,
        logFile: files.log,
      });
      process.stdout.write(`${instructions(stack, DEV_ORG_ID, files)}\n`);

      // Runs until Ctrl-C or SIGTERM (the worker stops itself on those too), or until the worker fails.
      const failure = await Promise.race([
        stop.signalled.then(() => undefined),
        stack.workerStopped.then(
          () => new CliError('the worker stopped'),
          (err: unknown) => new CliError(`the worker failed: ${oneLine(String(err))}`),
        ),
      ]);
      stop.dispose();
      const force = waitForSignal();
      void force.signalled.then(() => process.exit(ExitCode.Cancelled));
      process.stderr.write('Shutting down…\n');
      await stack.close();
      force.dispose();
      if (failure) throw failure;
    });
}

function instructions(stack: DevStack, orgId: string, files: { log: string; params: string }): string {
  const env = [`TEMPORAL_ADDRESS=${stack.address}`, `EVO_ORG_ID=${orgId}`];
  if (stack.namespace !== DEFAULT_NAMESPACE) env.push(`TEMPORAL_NAMESPACE=${stack.namespace}`);
  if (stack.taskQueue !== DEFAULT_TASK_QUEUE) env.push(`EVO_COMPUTE_TASK_QUEUE=${stack.taskQueue}`);
  const token = stack.accessToken ? `bearer token ${stack.accessToken}` : 'no token checked';
  return [
    `Temporal server:   ${stack.address} (namespace ${stack.namespace}, task queue ${stack.taskQueue})`,
    `Temporal UI:       ${stack.uiUrl ?? '(none)'}`,
    `Compute emulator:  ${stack.emulator.url} (${token})`,
    `Worker:            polling ${stack.namespace}/${stack.taskQueue} against the emulator`,
    `Nexus endpoint:    ${nexusLine(stack)}`,
    `Server log:        ${files.log}`,
    '',
    'Run a kriging job from another shell (its parameters as the task schema says; see `tasks`):',
    `  export ${env.map(shellWord).join(' ')}`,
    `  ${cliCommand()} run --task kriging --params ${shellWord(files.params)}`,
    '',
    ...(stack.nexus.endpoint
      ? [
          `From a workflow in any namespace of this server, through the endpoint ${stack.nexus.endpoint}:`,
          `  TypeScript: executeComputeJobOperation({ endpoint: '${stack.nexus.endpoint}' }, input)`,
          `  Python:     workflow.create_nexus_client(service="${EVO_COMPUTE_NEXUS_SERVICE}", endpoint="${stack.nexus.endpoint}").execute_operation("runComputeJob", input)`,
          '',
        ]
      : []),
    'Ctrl-C stops everything.',
  ].join('\n');
}

function nexusLine(stack: DevStack): string {
  const { nexus } = stack;
  if (!('state' in nexus)) return `(none: ${nexus.reason})`;
  const made = nexus.state === 'created' ? 'created' : 'already there';
  return `${nexus.endpoint} → ${stack.namespace}/${stack.taskQueue}, service ${EVO_COMPUTE_NEXUS_SERVICE} (${made})`;
}
