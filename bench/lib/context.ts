/**
 * What every phase of the bench shares: the settings (flags and BENCH_* variables), the clean-up
 * stack that stops servers and child processes even on failure, and starting the measured worker.
 */
import { join } from 'node:path';
import {
  DEFAULT_POLL_SCHEDULE,
  POLL_MODES,
  type PollMode,
  type ResolvedPollSchedule,
} from '../../src/common/poll-schedule';
import { type Child, startChild, waitForMessage } from './children';

export const TOKEN = 'bench-token';
export const ORG_ID = '0b5c2a3e-6f1d-4c5e-9a7b-1d2e3f4a5b6c';
export const SCHEDULE: Readonly<ResolvedPollSchedule> = DEFAULT_POLL_SCHEDULE;

export type Phase = 'events' | 'hour' | 'many' | 'bare' | 'steady' | 'burst' | 'nexus' | 'startup';
export const ALL_PHASES: readonly Phase[] = [
  'events',
  'hour',
  'many',
  'bare',
  'steady',
  'burst',
  'nexus',
  'startup',
];

export interface BenchConfig {
  /** Concurrent jobs of the `many` and `bare` phases. */
  jobs: number;
  minDurationMs: number;
  maxDurationMs: number;
  seed: number;
  /** Workflows (or bare-loop submits) started together in one batch. */
  startBatch: number;
  /** How long each job of the `events` phase runs (one per poll mode). */
  eventsJobMs: number;
  phases: Set<Phase>;
  /** Where the Markdown report goes, relative to the package root. */
  out: string;
  /** The whole bench gives up (and cleans up) after this long. */
  timeoutMs: number;
  /** Run the measured worker with `--cpu-prof`. */
  profile: boolean;
  /** Poll modes the `many` and `steady` phases measure, one after the other (default all three). */
  modes: PollMode[];
  /**
   * The `steady` phase's runs, each in every mode and by the bare loop: how many jobs, polled on
   * which fixed interval (initial = maximum, no growth; jittered as usual). The default measures a
   * short interval and the default schedule's maximum (30 s), where a long job spends its life.
   */
  steadyRuns: SteadySettings[];
  /** How long each `steady` job runs: long enough that few polls cross a 10 % step in the window. */
  steadyJobMs: number;
  /** From the last start of a `steady` run to its measured window: at least two intervals. */
  steadySettleMs: number;
  /** A `steady` run's measured window: at least three intervals. */
  steadyWindowMs: number;
  /** The `burst` phase's first interval: its jobs are not polled again while the starts run. */
  burstIntervalMs: number;
  /** Jobs of the `nexus` phase, each run once as a child and once through Nexus. */
  nexusJobs: number;
}

const SETTINGS = {
  jobs: { env: 'BENCH_JOBS', flag: 'jobs', default: '1000' },
  minDurationMs: { env: 'BENCH_MIN_MS', flag: 'min-ms', default: '30000' },
  maxDurationMs: { env: 'BENCH_MAX_MS', flag: 'max-ms', default: '120000' },
  seed: { env: 'BENCH_SEED', flag: 'seed', default: '20240601' },
  startBatch: { env: 'BENCH_START_BATCH', flag: 'start-batch', default: '100' },
  eventsJobMs: { env: 'BENCH_EVENTS_JOB_MS', flag: 'events-job-ms', default: '60000' },
  phases: { env: 'BENCH_PHASES', flag: 'phases', default: ALL_PHASES.join(',') },
  out: { env: 'BENCH_OUT', flag: 'out', default: 'bench/RESULTS.md' },
  timeoutMs: { env: 'BENCH_TIMEOUT_S', flag: 'timeout-s', default: '3600' },
  profile: { env: 'BENCH_PROFILE', flag: 'profile', default: '' },
  modes: { env: 'BENCH_MODES', flag: 'modes', default: POLL_MODES.join(',') },
  steadyRuns: { env: 'BENCH_STEADY_RUNS', flag: 'steady-runs', default: '200x2000,1000x30000' },
  steadyJobMs: { env: 'BENCH_STEADY_JOB_MS', flag: 'steady-job-ms', default: '3600000' },
  steadySettleMs: { env: 'BENCH_STEADY_SETTLE_MS', flag: 'steady-settle-ms', default: '20000' },
  steadyWindowMs: { env: 'BENCH_STEADY_WINDOW_MS', flag: 'steady-window-ms', default: '60000' },
  burstIntervalMs: { env: 'BENCH_BURST_INTERVAL_MS', flag: 'burst-interval-ms', default: '600000' },
  nexusJobs: { env: 'BENCH_NEXUS_JOBS', flag: 'nexus-jobs', default: '100' },
} as const;

export const USAGE = `npm run bench [-- --flag=value ...]   (or the BENCH_* variable of each flag)
${Object.values(SETTINGS)
  .map((s) => `  --${s.flag.padEnd(18)} ${s.env.padEnd(24)} default ${s.default || '(off)'}`)
  .join('\n')}
  phases: ${ALL_PHASES.join(', ')}`;

export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    flags.set(match[1], match[2] ?? 'true');
  }
  const known = new Set<string>(Object.values(SETTINGS).map((s) => s.flag));
  for (const flag of flags.keys()) {
    if (flag !== 'help' && !known.has(flag)) throw new Error(`unknown flag --${flag}\n${USAGE}`);
  }
  const raw = (key: keyof typeof SETTINGS): string => {
    const setting = SETTINGS[key];
    return flags.get(setting.flag) ?? env[setting.env]?.trim() ?? setting.default;
  };
  const number = (key: keyof typeof SETTINGS, min: number): number => {
    const value = Number(raw(key));
    if (!Number.isFinite(value) || value < min) {
      throw new Error(`${SETTINGS[key].env} / --${SETTINGS[key].flag} must be a number >= ${min}`);
    }
    return value;
  };
  const phases = new Set<Phase>();
  for (const name of raw('phases')
    .split(',')
    .map((p) => p.trim())) {
    if (!name) continue;
    if (!(ALL_PHASES as readonly string[]).includes(name)) {
      throw new Error(`unknown phase ${name}; phases are ${ALL_PHASES.join(', ')}`);
    }
    phases.add(name as Phase);
  }
  const config: BenchConfig = {
    jobs: Math.floor(number('jobs', 1)),
    minDurationMs: number('minDurationMs', 0),
    maxDurationMs: number('maxDurationMs', 0),
    seed: Math.floor(number('seed', 0)),
    startBatch: Math.floor(number('startBatch', 1)),
    eventsJobMs: number('eventsJobMs', 1000),
    phases,
    out: raw('out'),
    timeoutMs: number('timeoutMs', 10) * 1000,
    profile: ['1', 'true', 'yes'].includes(raw('profile').toLowerCase()),
    modes: raw('modes')
      .split(',')
      .map((mode) => mode.trim())
      .filter(Boolean) as PollMode[],
    steadyRuns: steadyRuns(raw('steadyRuns')),
    steadyJobMs: number('steadyJobMs', 1000),
    steadySettleMs: number('steadySettleMs', 0),
    steadyWindowMs: number('steadyWindowMs', 1000),
    burstIntervalMs: number('burstIntervalMs', 1000),
    nexusJobs: Math.floor(number('nexusJobs', 1)),
  };
  for (const mode of config.modes) {
    if (!POLL_MODES.includes(mode))
      throw new Error(`BENCH_MODES: unknown mode ${mode}; modes are ${POLL_MODES.join(', ')}`);
  }
  if (config.steadyRuns.length === 0)
    throw new Error('BENCH_STEADY_RUNS: give at least one JOBSxINTERVAL_MS');
  if (config.maxDurationMs < config.minDurationMs) throw new Error('BENCH_MAX_MS must be >= BENCH_MIN_MS');
  return config;
}

/** The command line that reproduces this run (BENCH_* variables, then npm run bench and its flags). */
export function commandLine(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const vars = Object.entries(env)
    .filter(([key]) => key.startsWith('BENCH_'))
    .map(([key, value]) => `${key}=${value}`)
    .sort();
  const runner = env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node build/bench/run.js';
  const args = argv.length === 0 ? [] : runner.startsWith('npm') ? ['--', ...argv] : [...argv];
  return [...vars, runner, ...args].join(' ');
}

/**
 * Clean-up steps, run last-in first-out; each is bounded so one stuck step cannot hang the rest.
 * A phase takes a `scope()` of its own, so phases running side by side clean up independently.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => unknown }[] = [];
  private running?: Promise<void>;

  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }

  /** A nested clean-up, run by its owner (`runAll`) or, at the latest, with this one. */
  scope(name: string): Cleanup {
    const nested = new Cleanup();
    this.add(name, () => nested.runAll());
    return nested;
  }

  /** Runs every step once; later calls wait for the same run. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) await runStep(step);
    })();
    return this.running;
  }
}

async function runStep(step: { name: string; run: () => unknown }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(step.run),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('took longer than 30 s')), 30_000);
      }),
    ]);
  } catch (err) {
    console.error(`bench: clean-up "${step.name}" failed: ${err instanceof Error ? err.message : err}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface BenchContext {
  config: BenchConfig;
  cleanup: Cleanup;
  /** A temporary folder for child logs (and profiles). */
  logDir: string;
  log(message: string): void;
}

/**
 * Starts a worker (`createComputeWorker`, see worker-child.ts) in a child process and waits until
 * it is polling. Its stop is added to `cleanup`.
 */
export async function startWorkerProcess(
  ctx: BenchContext,
  cleanup: Cleanup,
  name: string,
  settings: { address: string; namespace: string; taskQueue: string; baseUrl: string },
  extraEnv: Record<string, string> = {},
): Promise<Child> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: settings.address,
    TEMPORAL_NAMESPACE: settings.namespace,
    EVO_COMPUTE_TASK_QUEUE: settings.taskQueue,
    TEMPORAL_TLS: 'false',
    EVO_BASE_URL: settings.baseUrl,
    EVO_ACCESS_TOKEN: TOKEN,
    ...extraEnv,
  };
  delete env.TEMPORAL_API_KEY;
  delete env.EVO_ACCESS_TOKEN_FILE;
  const execArgv = ctx.config.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.logDir, `${name}-profile`)}`]
    : [];
  const child = startChild(name, join(__dirname, '..', 'worker-child.js'), {
    env,
    execArgv,
    logDir: ctx.logDir,
  });
  cleanup.add(`stop ${name}`, () => child.stop());
  await waitForMessage(child, 'ready', 180_000);
  return child;
}

/** Runs `work` over `items` with at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Rejects after `ms` unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One run of the `steady` phase. */
export interface SteadySettings {
  jobs: number;
  intervalMs: number;
}

/** `200x2000,1000x30000`: jobs × fixed interval (ms) per run. */
function steadyRuns(text: string): SteadySettings[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d+)x(\d+)$/.exec(part);
      const jobs = Number(match?.[1]);
      const intervalMs = Number(match?.[2]);
      if (!match || !(jobs >= 1) || !(intervalMs >= 100)) {
        throw new Error(`BENCH_STEADY_RUNS: ${part} is not JOBSxINTERVAL_MS (e.g. 200x2000)`);
      }
      return { jobs, intervalMs };
    });
}
