/**
 * `npm run bench`: how `runComputeJob` performs against the emulator and local Temporal servers.
 *
 *  1. events: history events per status poll in each poll mode (dev server), and the whole history
 *     of a one-hour job at the default schedule (time-skipping server).
 *  2. many:   N concurrent jobs (default 1,000) on one worker in a child process: status requests
 *     per second, finish → workflow-close delay, worker CPU and peak RSS.
 *  3. bare:   the same jobs polled by a bare undici loop (no Temporal), the CPU floor.
 *  4. steady: quiet polls on a fixed schedule in each mode and by the bare loop: the cost of one poll.
 *  5. burst:  N starts with no polling competing: what the machine allows for start → submit.
 *  6. nexus:  the same jobs run by callers as a child workflow and through the Nexus service from
 *     another namespace, side by side: history, billable actions and latency of each path.
 *  7. startup: worker start-up time and RSS with the prebuilt workflow bundle and with bundling.
 *
 * Settings come from flags or BENCH_* variables (`npm run bench -- --help`); a quick check is
 * `BENCH_JOBS=50 npm run bench`. Writes the report to bench/RESULTS.md (or BENCH_OUT). Every server
 * and child process is stopped at the end, on failure, on Ctrl-C and when BENCH_TIMEOUT_S runs out.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startLocalTemporal, startTimeSkippingTemporal } from '../test/helpers/temporal-env';
import { type BenchConfig, type BenchContext, Cleanup, commandLine, readConfig, USAGE } from './lib/context';
import { machineFacts } from './lib/facts';
import { type BenchResults, renderReport, verdicts } from './lib/report';
import { runBareLoop } from './phases/bare';
import { runBurst } from './phases/burst';
import { measureEventsPerPoll } from './phases/events';
import { measureHourJob } from './phases/hour';
import { runManyJobs } from './phases/many';
import { NEXUS_CALLER_NAMESPACE, runNexus } from './phases/nexus';
import { measureStartup } from './phases/startup';
import { runSteady } from './phases/steady';

interface Server {
  env: TestWorkflowEnvironment;
  /** Tears the server down; later calls (the clean-up's) do nothing. */
  stop(): Promise<void>;
}

async function startServer(
  cleanup: Cleanup,
  name: string,
  start: () => Promise<TestWorkflowEnvironment>,
): Promise<Server> {
  const env = await start();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= env.teardown();
    return stopping;
  };
  cleanup.add(`stop the ${name}`, stop);
  return { env, stop };
}

/** A port free on 127.0.0.1 right now, for the dev server's metrics. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function bench(config: BenchConfig, ctx: BenchContext, argv: string[]): Promise<BenchResults> {
  const startedAt = new Date();
  const results: BenchResults = {
    command: commandLine(argv, process.env),
    startedAt,
    wallSeconds: 0,
    config,
    facts: machineFacts(),
    loadAverageAtEnd: [],
  };
  const { phases } = config;
  const needDev = (['events', 'many', 'steady', 'burst', 'nexus', 'startup'] as const).some((phase) =>
    phases.has(phase),
  );
  ctx.log(
    `starting ${[needDev && 'the dev server', phases.has('hour') && 'the time-skipping server'].filter(Boolean).join(' and ')}`,
  );
  const metricsPort = await freePort();
  const [dev, skipping] = await Promise.all([
    needDev
      ? startServer(ctx.cleanup, 'dev server', () =>
          startLocalTemporal({
            extraArgs: [
              '--metrics-port',
              String(metricsPort),
              // The nexus phase's callers live in a namespace of their own.
              ...(phases.has('nexus') ? ['--namespace', NEXUS_CALLER_NAMESPACE] : []),
            ],
          }),
        )
      : undefined,
    phases.has('hour')
      ? startServer(ctx.cleanup, 'time-skipping server', startTimeSkippingTemporal)
      : undefined,
  ]);

  // The history phases do not measure CPU, so they run side by side.
  const [events, hour] = await Promise.all([
    dev && phases.has('events') ? measureEventsPerPoll(ctx, dev.env) : undefined,
    skipping ? measureHourJob(ctx, skipping.env) : undefined,
  ]);
  results.events = events;
  results.hour = hour;
  await skipping?.stop(); // done with it: free its CPU and memory before measuring
  if (dev && phases.has('startup')) results.startup = await measureStartup(ctx, dev.env);
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  if (dev && phases.has('many')) {
    results.many = [];
    for (const mode of config.modes) {
      results.many.push(await runManyJobs(ctx, dev.env, mode, metricsUrl));
    }
  }
  if (phases.has('bare')) results.bare = await runBareLoop(ctx);
  if (dev && phases.has('steady')) results.steady = await runSteady(ctx, dev.env, metricsUrl);
  if (dev && phases.has('burst')) results.burst = await runBurst(ctx, dev.env);
  if (dev && phases.has('nexus')) results.nexus = await runNexus(ctx, dev.env);
  results.wallSeconds = (Date.now() - startedAt.getTime()) / 1000;
  results.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  return results;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const config = readConfig(argv, process.env);
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const cleanup = new Cleanup();
  const logDir = mkdtempSync(join(tmpdir(), 'evo-compute-bench-'));
  const t0 = Date.now();
  const ctx: BenchContext = {
    config,
    cleanup,
    logDir,
    log: (message) =>
      console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${message}`),
  };
  const stop = (why: string, code: number) => {
    console.error(`bench: ${why}; stopping everything`);
    void cleanup.runAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stop('interrupted', 130));
  process.once('SIGTERM', () => stop('terminated', 143));
  setTimeout(
    () => stop(`gave up after ${config.timeoutMs / 1000} s (BENCH_TIMEOUT_S)`, 1),
    config.timeoutMs,
  ).unref();

  let failed = false;
  try {
    const results = await bench(config, ctx, argv);
    const report = renderReport(results);
    const out = resolve(process.cwd(), config.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, report);
    console.log(`\n${report}`);
    ctx.log(`report written to ${config.out}`);
    for (const v of verdicts(results)) ctx.log(`${v.verdict.replaceAll('**', '')}: ${v.what}: ${v.many}`);
  } catch (err) {
    failed = true;
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    console.error(`child logs are kept in ${logDir}`);
  } finally {
    await cleanup.runAll();
  }
  if (!failed && !config.profile) rmSync(logDir, { recursive: true, force: true });
  else if (config.profile) ctx.log(`worker CPU profiles in ${logDir}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
