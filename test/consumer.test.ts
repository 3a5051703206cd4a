/**
 * The package as a user gets it: packed with `npm pack`, installed into fresh apps that have their
 * own package.json, lockfile and `@temporalio/*` versions (1.23.0 and 1.24.0), compiled with their
 * own TypeScript under every module resolution, and run on their own worker (their workflows file
 * re-exporting the package's, their own activity, the plugin) against the emulator and one real dev
 * server. The apps' sources are `test/consumer/`, and docs/your-own-worker.md (worker, workflows, activities),
 * docs/bundle-and-replay.md (bundle, replay scripts) show them verbatim.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { findTemporalCli, type LocalTemporal, startLocalTemporal } from '../src/dev/local-temporal';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { ORG_ID } from './helpers/ids';
import { uniqueId } from './helpers/temporal';

const ROOT = join(__dirname, '..', '..');
const CONSUMER = join(ROOT, 'test', 'consumer');
const TOKEN = 'consumer-test-token';
/** The apps' own compiler: the TypeScript most projects use, which still has `node10` resolution. */
const APP_TYPESCRIPT = '5.9.3';
const SDK_VERSIONS = ['1.23.0', '1.24.0'];
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
const RESOLUTIONS = [
  { name: 'node16', config: 'tsconfig.json' },
  { name: 'bundler', config: 'tsconfig.bundler.json' },
  { name: 'node10', config: 'tsconfig.node10.json' },
];

interface Run {
  code: number | null;
  output: string;
}

/** Runs a program to its end; never rejects on a non-zero exit (the caller asserts on it). */
function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function succeed(
  command: string,
  args: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await run(command, args, cwd, env);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} failed:\n${result.output.slice(-4_000)}`);
  return result.output;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

let work: string;
let tarball: string;
let typesNode: string;
let server: LocalTemporal;
let emulator: ComputeEmulator;
let connection: Connection;
let client: Client;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'evo-compute-consumer-'));
  const ours = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  typesNode = ours.devDependencies['@types/node'];
  // `npm pack` runs `prepack`, which builds dist/ from the sources.
  await succeed('npm', ['pack', '--pack-destination', work], ROOT);
  const packed = (await readdir(work)).filter((file) => file.endsWith('.tgz'));
  assert.equal(packed.length, 1, `npm pack made ${packed.join(', ')}`);
  tarball = join(work, packed[0] ?? '');
  [server, emulator] = await Promise.all([
    startLocalTemporal(),
    startComputeEmulator({ accessToken: TOKEN }),
  ]);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
});

after(async () => {
  await connection?.close();
  await emulator?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A fresh app: the sources of `test/consumer/<name>`, its own package.json, installed with npm. */
async function createApp(name: string, dependencies: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  await cp(join(CONSUMER, name.replace(/-\d.*$/, '')), dir, { recursive: true });
  const manifest = {
    name: `consumer-${name}`,
    version: '0.0.0',
    private: true,
    dependencies: { 'evo-compute-temporal': `file:${tarball}`, ...dependencies },
    devDependencies: { '@types/node': typesNode, typescript: APP_TYPESCRIPT },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await succeed('npm', NPM_INSTALL, dir);
  assert.ok(await exists(join(dir, 'package-lock.json')), 'the app has its own lockfile');
  return dir;
}

/**
 * Where an error of the SDK's own declarations is reported. With `skipLibCheck: false` any app on
 * `@temporalio/*` 1.23/1.24 gets a few of them (`ms`'s types under node16/bundler; `source-map` in
 * `@temporalio/workflow`'s types when no worker is installed): they are counted, not ours to fix.
 */
const SDK_DECLARATIONS = /^node_modules\/@temporalio\//;

/** `tsc` of the app under each module resolution, with `skipLibCheck: false`: no error of ours. */
async function compileEverywhere(dir: string): Promise<void> {
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  const ours: string[] = [];
  for (const { name, config } of RESOLUTIONS) {
    const result = await run(process.execPath, [tsc, '-p', config], dir);
    const errors = result.output.split('\n').filter((line) => line.includes('error TS'));
    const sdk = errors.filter((line) => SDK_DECLARATIONS.test(line));
    console.log(
      `# tsc ${name} (${dir.slice(work.length + 1)}): ${errors.length - sdk.length} errors in the app and this package, ${sdk.length} in the SDK's own declarations`,
    );
    if (result.code !== 0 && errors.length === 0)
      ours.push(`${name}: tsc exited ${result.code}\n${result.output}`);
    ours.push(...errors.filter((line) => !SDK_DECLARATIONS.test(line)).map((line) => `${name}: ${line}`));
  }
  assert.deepEqual(ours, []);
}

/** Every installed copy of a package, by its path in node_modules (npm ls, deduplicated). */
async function installedCopies(dir: string, name: string): Promise<string[]> {
  const result = await run('npm', ['ls', name, '--all', '--parseable'], dir);
  const paths = result.output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith(join('node_modules', name)));
  return [...new Set(paths)];
}

test('the own-worker, bundle-and-replay and Nexus pages show the consumer app’s sources verbatim', async () => {
  const pages: Record<string, string[]> = {
    'docs/your-own-worker.md': ['activities.ts', 'workflows.ts', 'worker.ts'],
    'docs/bundle-and-replay.md': ['bundle.ts', 'replay.ts'],
    'docs/nexus.md': ['nexus-caller.ts'],
  };
  for (const [page, files] of Object.entries(pages)) {
    const text = await readFile(join(ROOT, page), 'utf8');
    for (const file of files) {
      const source = (await readFile(join(CONSUMER, 'app', 'src', file), 'utf8')).trim();
      assert.ok(text.includes(source), `${page} does not show test/consumer/app/src/${file} as it is`);
    }
  }
});

for (const version of SDK_VERSIONS) {
  describe(`an app on @temporalio/* ${version}`, () => {
    let app: string;

    before(async () => {
      const sdk = ['activity', 'client', 'common', 'plugin', 'worker', 'workflow'];
      app = await createApp(`app-${version}`, {
        ...Object.fromEntries(sdk.map((name) => [`@temporalio/${name}`, version])),
        // What the README asks for: without it npm puts gRPC's protobufjs 7 on top and gives each
        // @temporalio package its own 8, and a history read from JSON fails (`type must be a Type`).
        protobufjs: '^8.7.1',
      });
    });

    test('has one copy of @temporalio/workflow, the app’s', async () => {
      const copies = await installedCopies(app, '@temporalio/workflow');
      assert.deepEqual(copies, [join(app, 'node_modules', '@temporalio', 'workflow')]);
      const installed = JSON.parse(await readFile(join(copies[0] ?? '', 'package.json'), 'utf8'));
      assert.equal(installed.version, version);
    });

    test('compiles under node16, bundler and node10 resolution without skipLibCheck', async () => {
      await compileEverywhere(app);
    });

    test('its worker runs myPipeline: two compute jobs as children on its queue, and its own activity', async () => {
      const worker = spawn(process.execPath, [join('build', 'worker.js')], {
        cwd: app,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: server.address,
          EVO_BASE_URL: emulator.url,
          EVO_ACCESS_TOKEN: TOKEN,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let workerOutput = '';
      for (const stream of [worker.stdout, worker.stderr]) {
        stream.setEncoding('utf8').on('data', (chunk: string) => {
          workerOutput = (workerOutput + chunk).slice(-8_000);
        });
      }
      const workerExited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
      try {
        const workflowId = uniqueId(`pipeline-${version}`);
        const batch = uniqueId('batch');
        const handle = await client.workflow.start('myPipeline', {
          taskQueue: 'my-app',
          workflowId,
          args: [ORG_ID, batch],
        });
        const result = await Promise.race([
          handle.result(),
          workerExited.then((code) =>
            assert.fail(`the app's worker exited (${code}) before the pipeline ended:\n${workerOutput}`),
          ),
        ]);
        const remote = emulator
          .jobs()
          .filter((job) => job.parameters.batch === batch)
          .sort((a, b) => Number(a.parameters.step) - Number(b.parameters.step));
        assert.deepEqual(
          remote.map((job) => [job.parameters.step, job.status]),
          [
            [1, 'succeeded'],
            [2, 'succeeded'],
          ],
        );
        // The app's own activity ran, with what the children returned.
        assert.equal(
          result,
          `notified: batch ${batch}: jobs ${remote.map((job) => job.jobId).join(', ')} done`,
        );

        // The children ran on the parent's queue, with the IDs computeJobChildOptions gives them.
        const children = [
          `evo-compute/emulator/job/${workflowId}/1`,
          `evo-compute/emulator/job/${workflowId}/2`,
        ];
        for (const childId of children) {
          const described = await client.workflow.getHandle(childId).describe();
          assert.equal(described.status.name, 'COMPLETED');
          assert.equal(described.taskQueue, 'my-app');
        }

        // The finished histories, saved the way a user saves them for the replay check.
        const histories = join(app, 'histories');
        await mkdir(histories, { recursive: true });
        const cli = findTemporalCli();
        assert.ok(cli, 'the temporal CLI is needed to save histories');
        for (const [file, id] of [
          ['pipeline.json', workflowId] as const,
          ...children.map((id, i) => [`child-${i}.json`, id] as const),
        ]) {
          const json = await succeed(
            cli,
            ['workflow', 'show', '--workflow-id', id, '--address', server.address, '--output', 'json'],
            app,
          );
          await writeFile(join(histories, file), json);
        }
      } finally {
        worker.kill('SIGINT');
        const code = await workerExited;
        assert.equal(code, 0, `the worker shuts down cleanly on SIGINT:\n${workerOutput}`);
      }
    });

    test('bundleWorkflowCode builds its workflows with no warnings, and its histories replay on the bundle', async () => {
      const output = await succeed(process.execPath, [join('build', 'bundle.js')], app);
      const warnings = output.match(/WARNING in /g)?.length ?? 0;
      console.log(`# webpack warnings (${version}): ${warnings}`);
      assert.equal(warnings, 0, output);
      assert.doesNotMatch(output, /compiled with \d+ warning/);
      assert.ok(await exists(join(app, 'workflow-bundle.js')));

      const replayed = await succeed(process.execPath, [join('build', 'replay.js')], app);
      assert.match(replayed, /replayed 3 histories, 0 failed/);
    });
  });
}

describe('an app that uses only the main entry and /client', () => {
  let app: string;

  before(async () => {
    app = await createApp('client-app', { '@temporalio/client': '1.24.0' });
  });

  test('installs no worker, core bridge, plugin or test server', async () => {
    for (const name of [
      '@temporalio/worker',
      '@temporalio/core-bridge',
      '@temporalio/testing',
      '@temporalio/plugin',
    ]) {
      assert.deepEqual(await installedCopies(app, name), [], `${name} is installed`);
      assert.equal(await exists(join(app, 'node_modules', name)), false, `${name} is in node_modules`);
    }
    const modules = await readdir(join(app, 'node_modules', '@temporalio'));
    console.log(`# client-only app: @temporalio/${modules.join(', @temporalio/')}`);
    console.log(`# client-only app: ${(await succeed('du', ['-sh', 'node_modules'], app)).trim()}`);
  });

  test('compiles under every resolution, and its entries load without the worker', async () => {
    await compileEverywhere(app);
    await succeed(
      process.execPath,
      ['-e', "require('evo-compute-temporal'); require('evo-compute-temporal/client')"],
      app,
    );
  });
});
