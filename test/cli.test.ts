/**
 * The `evo-compute` CLI as a user meets it: the compiled program run as a child process (not a
 * terminal, so progress comes as JSON lines) against a real Temporal dev server, the emulator and
 * a worker started here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { shellWord } from '../src/cli/invocation';
import { exampleKrigingParameters } from '../src/emulator';
import { type CliRun, runCliProcess } from './helpers/cli-process';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const CLI = require.resolve('../src/cli');
const TOKEN = 'cli-test-token';
const TASK_QUEUE = 'evo-compute-cli-test';

const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN, emulator: { taskDurationMs: 500 } });
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evo-compute-cli-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment the CLI runs in: the test's Temporal server, task queue and org. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { TEMPORAL_API_KEY: _key, TEMPORAL_TLS: _tls, ...inherited } = process.env;
  return {
    ...inherited,
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
    EVO_COMPUTE_TASK_QUEUE: TASK_QUEUE,
    EVO_ORG_ID: ORG_ID,
    ...extra,
  };
}

function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): CliRun {
  return runCliProcess(args, { env: cliEnv(options.env), stdin: options.stdin });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Stderr's lines that are not JSON: the CLI's messages. */
function messages(text: string): string[] {
  return lines(text).filter((line) => !line.startsWith('{'));
}

async function paramsFile(parameters: unknown): Promise<string> {
  const file = join(dir, `${uniqueId('params')}.json`);
  await writeFile(file, JSON.stringify(parameters));
  return file;
}

function jobTagged(tag: string) {
  return stack.emulator.jobs().find((job) => job.parameters.tag === tag);
}

const EMULATOR_JOB = ['--topic', 'emulator', '--task', 'job', '--poll-interval', '100ms'];

describe('evo-compute run', () => {
  test('runs a job to its results: JSON progress lines on stderr, the results on stdout', async () => {
    const params = { tag: uniqueId('tag'), durationMs: 1200, steps: 3, results: { answer: 42 } };
    const run = cli(['run', ...EMULATOR_JOB, '--params', '-'], { stdin: JSON.stringify(params) });
    assert.equal(await run.exited, 0, run.stderr());
    assert.deepEqual(JSON.parse(run.stdout()), { answer: 42 });

    const [started, ...progress] = lines(run.stderr()).map((line) => JSON.parse(line));
    assert.match(started.workflowId, /^evo-compute\/emulator\/job\//);
    assert.ok(progress.length >= 2, run.stderr());
    for (const line of progress) {
      assert.deepEqual(
        Object.keys(line).filter((key) => !['status', 'progress', 'message'].includes(key)),
        [],
      );
    }
    const inProgress = progress.find((line) => line.status === 'in progress');
    assert.equal(typeof inProgress?.progress, 'number');
    assert.match(inProgress?.message, /^Step \d of 3$/);
    assert.equal(progress.at(-1)?.status, 'succeeded');
    assert.equal(jobTagged(params.tag)?.status, 'succeeded');
  });

  test('--detach prints the workflow id; status shows it; cancel cancels the remote job once', async () => {
    const tag = uniqueId('tag');
    const file = await paramsFile({ tag, durationMs: 60_000, cancelDelayMs: 100 });
    const detached = cli(['run', ...EMULATOR_JOB, '--params', file, '--detach']);
    assert.equal(await detached.exited, 0, detached.stderr());
    const workflowId = detached.stdout().trim();
    assert.match(workflowId, /^evo-compute\/emulator\/job\/[0-9a-f-]{36}$/);
    assert.equal(detached.stderr(), '');

    await waitFor('the remote job to be polled', () => (jobTagged(tag)?.statusRequests ?? 0) >= 1);
    const status = cli(['status', workflowId]);
    assert.equal(await status.exited, 0, status.stderr());
    const view = JSON.parse(status.stdout());
    assert.equal(view.workflowId, workflowId);
    assert.equal(view.workflowStatus, 'RUNNING');
    assert.equal(view.job.jobId, jobTagged(tag)?.jobId);
    assert.ok(['requested', 'in progress'].includes(view.status.status), status.stdout());

    const cancel = cli(['cancel', workflowId]);
    assert.equal(await cancel.exited, 0, cancel.stderr());
    const cancelled = JSON.parse(cancel.stdout());
    assert.equal(cancelled.workflowStatus, 'CANCELLED');
    assert.equal(cancelled.status.status, 'cancelled');
    assert.equal(jobTagged(tag)?.status, 'cancelled');
    assert.equal(jobTagged(tag)?.cancelRequests, 1);
  });

  test('a failed job exits 1 with one line naming JobFailed and the problem title', async () => {
    const file = await paramsFile({
      tag: uniqueId('tag'),
      durationMs: 100,
      fail: { title: 'Variogram invalid', detail: 'sill < 0' },
    });
    const run = cli(['run', ...EMULATOR_JOB, '--params', file]);
    assert.equal(await run.exited, 1, run.stderr());
    assert.equal(run.stdout(), '');
    const [message, ...more] = messages(run.stderr());
    assert.deepEqual(more, []);
    assert.match(
      message ?? '',
      /^evo-compute: JobFailed: Variogram invalid: sill < 0 \(job [0-9a-f-]{36}\)$/,
    );
  });

  test('Ctrl-C (SIGINT) while waiting, not on a terminal, cancels the job and exits 130', async () => {
    const tag = uniqueId('tag');
    const file = await paramsFile({ tag, durationMs: 60_000, cancelDelayMs: 100 });
    const run = cli(['run', ...EMULATOR_JOB, '--params', file]);
    await waitFor('an in-progress line', () => run.stderr().includes('"in progress"'));
    run.kill('SIGINT');
    assert.equal(await run.exited, 130, run.stderr());
    assert.match(
      messages(run.stderr()).join('\n'),
      /^evo-compute: cancelled: workflow evo-compute\/emulator\/job\/.*; job .* is cancelled$/,
    );
    assert.equal(jobTagged(tag)?.status, 'cancelled');
    assert.equal(jobTagged(tag)?.cancelRequests, 1);
  });

  test('on a terminal, Ctrl-C asks before cancelling, also when the params came from standard input', async () => {
    const tag = uniqueId('tag');
    const params = JSON.stringify({ tag, durationMs: 60_000, cancelDelayMs: 100 });
    const command = [process.execPath, CLI, 'run', ...EMULATOR_JOB, '--params', '-'].map(shellWord).join(' ');
    // `script` gives the pipeline a terminal, as a person's shell would; its input is the keyboard.
    const terminal = spawn('script', ['-qfec', `echo ${shellWord(params)} | ${command}`, '/dev/null'], {
      env: cliEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    terminal.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    const exited = new Promise((resolve) => terminal.on('close', resolve));
    await waitFor('the progress bar', () => screen.includes('[in progress]'));
    terminal.stdin.write('\x03');
    await waitFor('the question', () => screen.includes('Cancel the job? [y/N]'));
    terminal.stdin.write('y\r');
    assert.equal(await exited, 130, screen);
    assert.equal(jobTagged(tag)?.status, 'cancelled');
    assert.equal(jobTagged(tag)?.cancelRequests, 1);
  });

  test('bad usage exits 2 with one line and starts nothing', async () => {
    const notAnObject = await paramsFile([1, 2]);
    const posts = stack.emulator.counts.POST;
    const cases: [string, string[], RegExp][] = [
      ['missing --topic', ['run', '--task', 'job', '--params', notAnObject], /--topic/],
      ['unreadable params file', [...EMULATOR_JOB, '--params', join(dir, 'missing.json')], /no such file/],
      [
        'params not an object',
        [...EMULATOR_JOB, '--params', notAnObject],
        /must be a JSON object, got an array/,
      ],
    ];
    await Promise.all(
      cases.map(async ([name, args, pattern]) => {
        const run = cli(args[0] === 'run' ? args : ['run', ...args]);
        assert.equal(await run.exited, 2, `${name}: ${run.stderr()}`);
        assert.equal(run.stdout(), '', name);
        const [message, ...more] = lines(run.stderr());
        assert.deepEqual(more, [], name);
        assert.match(message ?? '', /^evo-compute: /, name);
        assert.match(message ?? '', pattern, name);
      }),
    );
    assert.equal(stack.emulator.counts.POST, posts);
  });
});

describe('typed tasks on the command line', () => {
  test('evo-compute tasks lists the catalogue: topic/task, preview, required parameters', async () => {
    const run = cli(['tasks']);
    assert.equal(await run.exited, 0, run.stderr());
    const listed = lines(run.stdout());
    assert.equal(listed.length, 13);
    assert.match(
      listed.find((line) => line.startsWith('geostatistics/kriging ')) ?? '',
      /^geostatistics\/kriging +preview +requires source, target, variogram, neighborhood$/,
    );
    assert.match(
      listed.find((line) => line.startsWith('geostatistics/idw ')) ?? '',
      /^geostatistics\/idw +requires /,
    );
    const json = cli(['tasks', '--json']);
    assert.equal(await json.exited, 0, json.stderr());
    const kriging = (JSON.parse(json.stdout()) as { task: string }[]).find((task) => task.task === 'kriging');
    assert.deepEqual(kriging, {
      topic: 'geostatistics',
      task: 'kriging',
      preview: true,
      required: ['source', 'target', 'variogram', 'neighborhood'],
    });
  });

  test('run --task kriging validates locally: exit 2, one line per bad field, nothing started', async () => {
    const good = exampleKrigingParameters(ORG_ID);
    const file = await paramsFile({ ...good, blocks: 8, variogram: 7, neighborhood: { max_samples: 20 } });
    const posts = stack.emulator.counts.POST;
    const run = cli(['run', '--task', 'kriging', '--params', file]);
    assert.equal(await run.exited, 2, run.stderr());
    assert.equal(run.stdout(), '');
    assert.deepEqual(lines(run.stderr()), [
      'evo-compute: invalid parameters for geostatistics/kriging:',
      'evo-compute:   $.blocks is not a known field',
      'evo-compute:   $.neighborhood.ellipsoid is required',
      'evo-compute:   $.variogram must be string',
    ]);
    assert.equal(stack.emulator.counts.POST, posts, 'nothing was submitted');
  });

  test('run --task kriging with valid parameters runs the preview task to its typed results', async () => {
    const attribute = uniqueId('attr');
    const parameters = exampleKrigingParameters(ORG_ID, attribute);
    const run = cli(['run', '--task', 'kriging', '--params', '-', '--poll-interval', '100ms'], {
      stdin: JSON.stringify(parameters),
    });
    assert.equal(await run.exited, 0, run.stderr());
    const results = JSON.parse(run.stdout());
    assert.equal(results.message, 'Kriging complete');
    assert.equal(results.target.attribute.name, attribute);
    const job = stack.emulator
      .jobs()
      .find((j) => JSON.stringify(j.parameters) === JSON.stringify(parameters));
    assert.equal(job?.preview, true, 'sent with API-Preview: opt-in without --preview');
  });
});
describe('evo-compute dev', () => {
  test('without the Temporal CLI it stops with one line saying how to install it', async () => {
    // A PATH with node alone: no `temporal`, and no Python to ask for its scripts folder.
    const bin = join(dir, uniqueId('bin'));
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const { TEMPORAL_CLI_PATH: _cli, ...inherited } = process.env;
    const child = spawn(process.execPath, [CLI, 'dev'], {
      env: { ...inherited, PATH: bin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    const last = lines(stderr).pop() ?? '';
    assert.match(
      last,
      /^evo-compute: .*Temporal CLI.*pip install -r requirements-dev\.txt.*TEMPORAL_CLI_PATH/,
    );
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  test('prints commands that run as printed, and keeps the server log out of the terminal', async () => {
    // A dev stack of its own: its own server, emulator and worker, on the default task queue.
    const dev = cli(['dev'], { env: { EVO_COMPUTE_TASK_QUEUE: uniqueId('dev-queue') } });
    try {
      await waitFor('the instructions', () => / run --task kriging /.test(dev.stdout()), 90_000);
      const printed = lines(dev.stdout());
      const exports = printed.find((line) => line.trim().startsWith('export '))?.trim() ?? '';
      const command = printed.find((line) => / run --task kriging /.test(line))?.trim() ?? '';
      const logFile = /^Server log: +(.+)$/m.exec(dev.stdout())?.[1] ?? '';
      assert.match(exports, /^export TEMPORAL_ADDRESS=\S+ EVO_ORG_ID=\S+/);
      // The Nexus endpoint is there, targeting the worker, and the instructions say how to call it.
      assert.match(
        dev.stdout(),
        /^Nexus endpoint: +evo-compute → default\/dev-queue-\S+, service evo-compute \(created\)$/m,
      );
      assert.match(dev.stdout(), /create_nexus_client\(service="evo-compute", endpoint="evo-compute"\)/);
      const address = /TEMPORAL_ADDRESS=(\S+)/.exec(exports)?.[1] ?? '';
      const connection = await Connection.connect({ address });
      try {
        const { endpoints } = await connection.operatorService.listNexusEndpoints({ name: 'evo-compute' });
        const target = endpoints?.[0]?.spec?.target?.worker;
        assert.equal(target?.namespace, 'default');
        assert.match(target?.taskQueue ?? '', /^dev-queue-/);
      } finally {
        await connection.close();
      }
      // What a user pastes into a shell, exactly as printed.
      const shell = spawn('sh', ['-c', `${exports}\n${command}`], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      shell.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise((resolve) => shell.on('close', resolve));
      assert.equal(code, 0, err);
      assert.equal(JSON.parse(out).message, 'Kriging complete');
      assert.doesNotMatch(
        dev.stdout() + dev.stderr(),
        /level=|Temporal Server:/,
        'no server log in the terminal',
      );
      const { readFile } = await import('node:fs/promises');
      assert.match(
        await readFile(logFile, 'utf8'),
        /Temporal Server:/,
        'the server log is in the named file',
      );
    } finally {
      dev.kill('SIGINT');
      assert.equal(await dev.exited, 0, dev.stderr());
    }
  });
});
