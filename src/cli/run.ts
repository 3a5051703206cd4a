/**
 * `evo-compute run`: start a compute job and follow it to its results, or start it detached.
 * Progress goes to stderr (a live bar on a terminal, JSON lines otherwise) and the results to
 * stdout, so `evo-compute run … > results.json` keeps the results file clean.
 */
import { createInterface } from 'node:readline';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Command } from 'commander';
import { startComputeJob, watchComputeJob } from '../client';
import { durationMs } from '../common/duration';
import { isUuid } from '../common/job-url';
import { CATALOGUE_TASKS } from '../common/tasks/catalogue';
import type { ComputeJobProgressView, SubmitComputeJobInput } from '../common/types';
import { checkTaskParameters, formatFieldProblem } from '../tasks/validate';
import { connect, DATA_CONVERTER_HELP, type DataConverterOption, readSettings } from './connect';
import { CliError, ExitCode, oneLine, usageError } from './errors';
import { hasKeyboard, openKeyboard } from './keyboard';
import { checkSegment, parseDuration, readParams } from './options';
import { outcomeError } from './outcome';
import { createProgressRenderer } from './progress';

type StartedComputeJob = Awaited<ReturnType<typeof startComputeJob>>;

interface RunOptions extends DataConverterOption {
  topic?: string;
  task: string;
  params: string;
  org?: string;
  preview?: boolean;
  detach?: boolean;
  pollInterval?: string;
  timeout?: string;
  taskQueue?: string;
  workflowId?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start a compute job and follow it to its results')
    .option('--topic <topic>', 'task topic, e.g. geostatistics (default: the catalogue task of that name)')
    .requiredOption('--task <task>', 'task name, e.g. kriging (see evo-compute tasks)')
    .requiredOption('--params <file>', 'the task parameters, a JSON object; - reads standard input')
    .option('--org <id>', 'Evo organisation id (default: $EVO_ORG_ID)')
    .option('--preview', 'run a preview task (sends API-Preview: opt-in)')
    .option('--detach', 'print the workflow id and exit; the job runs on')
    .option(
      '--poll-interval <duration>',
      'a fixed time between status polls, e.g. 2s (default: the adaptive schedule, 1s growing to 30s)',
    )
    .option('--timeout <duration>', 'cancel the job when it takes longer, e.g. 1h (default: no limit)')
    .option(
      '--task-queue <queue>',
      "the workers' task queue (default: $EVO_COMPUTE_TASK_QUEUE or evo-compute)",
    )
    .option('--workflow-id <id>', 'the workflow id (default: evo-compute/<topic>/<task>/<random UUID>)')
    .option('--data-converter <module>', DATA_CONVERTER_HELP)
    .action((options: RunOptions) => run(options));
}

async function run(options: RunOptions): Promise<void> {
  const orgId = (options.org ?? process.env.EVO_ORG_ID)?.trim();
  if (!orgId) throw usageError('--org is not given and EVO_ORG_ID is not set');
  if (!isUuid(orgId)) throw usageError(`--org must be a UUID, got ${JSON.stringify(orgId)}`);
  const { topic, task } = taskOf(options);
  const input: SubmitComputeJobInput = { orgId, topic, task, parameters: {} };
  if (options.preview) input.preview = true;
  if (options.pollInterval) input.pollInterval = parseDuration('--poll-interval', options.pollInterval);
  if (options.timeout) input.timeout = parseDuration('--timeout', options.timeout);
  const settings = readSettings(options);
  input.parameters = await readParams(options.params);
  // Checked here, before anything connects or starts: a bad field is found now, not hours later.
  const fields = await checkTaskParameters(topic, task, input.parameters);
  if (fields.length > 0) {
    throw usageError(
      [
        `invalid parameters for ${topic}/${task}:`,
        ...fields.map((field) => `  ${formatFieldProblem(field)}`),
      ].join('\n'),
    );
  }

  const connection = await connect(settings);
  try {
    let handle: StartedComputeJob;
    try {
      handle = await startComputeJob(connection.client, input, {
        taskQueue: options.taskQueue ?? settings.taskQueue,
        workflowId: options.workflowId,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new CliError(`a workflow with id ${err.workflowId} is already running`);
      }
      throw err;
    }
    if (options.detach) {
      process.stdout.write(`${handle.workflowId}\n`);
      return;
    }
    // How often the progress is read: every second, or faster when the job is polled faster.
    const pollMs = input.pollInterval === undefined ? 1000 : durationMs(input.pollInterval, 'pollInterval');
    await follow(handle, {
      refreshMs: Math.min(Math.max(pollMs, 200), 1000),
      // A prompt needs a keyboard: standard input, or the terminal when the parameters were piped in.
      interactive: Boolean(process.stderr.isTTY) && hasKeyboard(),
    });
  } finally {
    await connection.close();
  }
}

/** The task: `--topic` and `--task`, or a catalogue task by its name alone (`--task kriging`). */
function taskOf(options: RunOptions): { topic: string; task: string } {
  const task = checkSegment('--task', options.task);
  if (options.topic !== undefined) return { topic: checkSegment('--topic', options.topic), task };
  const matches = CATALOGUE_TASKS.filter((entry) => entry.task === task);
  const [match] = matches;
  if (match && matches.length === 1) return { topic: match.topic, task };
  throw usageError(
    `--topic is required: ${JSON.stringify(task)} is not a catalogue task (see evo-compute tasks)`,
  );
}

type Answer = 'yes' | 'no' | 'interrupted';

/** Asks a yes/no question on the terminal; `close()` withdraws it (answer `no`). No keyboard: `no`. */
function askYesNo(question: string): { answer: Promise<Answer>; close(): void } {
  const keyboard = openKeyboard();
  if (!keyboard) return { answer: Promise.resolve('no'), close: () => undefined };
  const rl = createInterface({ input: keyboard.input, output: process.stderr, terminal: true });
  let settle: (answer: Answer) => void = () => undefined;
  const answer = new Promise<Answer>((resolve) => {
    let settled = false;
    settle = (value) => {
      if (settled) return;
      settled = true;
      rl.close();
      keyboard.release();
      resolve(value);
    };
  });
  rl.on('SIGINT', () => {
    process.stderr.write('\n');
    settle('interrupted');
  });
  rl.on('close', () => settle('no'));
  rl.question(question, (text) => settle(/^\s*y(es)?\s*$/i.test(text) ? 'yes' : 'no'));
  return { answer, close: () => settle('no') };
}

/**
 * Shows the job's progress until its workflow closes, then prints the results (or throws the
 * failure). Ctrl-C asks whether to cancel the job (on a terminal) or cancels it (otherwise; SIGTERM
 * too); a second Ctrl-C stops waiting at once.
 */
async function follow(
  handle: StartedComputeJob,
  options: { refreshMs: number; interactive: boolean },
): Promise<void> {
  const { workflowId } = handle;
  const tty = Boolean(process.stderr.isTTY);
  const renderer = createProgressRenderer(tty ? 'bar' : 'json', process.stderr);
  const note = (text: string) => {
    renderer.suspend();
    process.stderr.write(`${text}\n`);
    renderer.resume();
  };
  if (tty) process.stderr.write(`Started ${workflowId} (Ctrl-C to cancel)\n`);
  else process.stderr.write(`${JSON.stringify({ workflowId, runId: handle.firstExecutionRunId })}\n`);

  let lastView: ComputeJobProgressView | undefined;
  let cancelRequested = false;
  let prompt: ReturnType<typeof askYesNo> | undefined;
  let stopWaiting: (err: CliError) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stopWaiting = reject;
  });
  stopped.catch(() => undefined); // raced below; never left unhandled

  const requestCancel = () => {
    if (cancelRequested) return;
    cancelRequested = true;
    if (tty) note('Cancelling the job…');
    handle.cancel().catch((err: unknown) => {
      // The workflow may have closed meanwhile; its outcome says what happened.
      note(`evo-compute: could not request cancellation: ${oneLine(String(err))}`);
    });
  };
  const askToCancel = async () => {
    renderer.suspend();
    prompt = askYesNo('Cancel the job? [y/N] ');
    const answer = await prompt.answer;
    prompt = undefined;
    renderer.resume();
    if (answer === 'yes') requestCancel();
    if (answer === 'interrupted') {
      stopWaiting(
        new CliError(
          `stopped waiting; the job runs on (evo-compute status ${workflowId}, evo-compute cancel ${workflowId})`,
          ExitCode.Cancelled,
        ),
      );
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (prompt) return;
    if (cancelRequested) {
      stopWaiting(
        new CliError(
          `stopped waiting; the workflow is cancelling its job (evo-compute status ${workflowId})`,
          ExitCode.Cancelled,
        ),
      );
      return;
    }
    if (signal === 'SIGINT' && options.interactive) void askToCancel();
    else requestCancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const outcome = await Promise.race([
      watchComputeJob(handle, {
        intervalMs: options.refreshMs,
        onProgress: (view) => {
          lastView = view;
          renderer.update(view);
        },
      }),
      stopped,
    ]);
    prompt?.close();
    renderer.finish();
    const error = outcomeError(outcome, lastView);
    if (error) throw error;
    const { job, results } = outcome.result ?? { job: undefined, results: {} };
    if (tty && job) process.stderr.write(`Job ${job.jobId} succeeded.\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    prompt?.close();
    renderer.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
