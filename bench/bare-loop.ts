/**
 * The floor the worker is compared with: the same jobs submitted and waited for by a bare loop of
 * undici status requests on the same poll schedule, in one process, with no Temporal. Started by
 * the bench with an IPC channel; receives a `BareLoopConfig`, answers a `BareLoopResult` and exits
 * (when every job has ended, or after a `stop` message).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { jitteredInterval, nextInterval, type ResolvedPollSchedule } from '../src/common/poll-schedule';

export interface BareLoopConfig {
  baseUrl: string;
  token: string;
  orgId: string;
  /** One job per entry, submitted with `{ durationMs, benchIndex }`. */
  durations: number[];
  startBatch: number;
  schedule: ResolvedPollSchedule;
  /** Shorten each wait as the workflow's polls do (`jitteredInterval`). Default false. */
  jitter?: boolean;
}

export interface BareLoopResult {
  /** CPU seconds of this process from receiving the config to the last job's results. */
  cpuSeconds: number;
  wallSeconds: number;
  submits: number;
  statusPolls: number;
  /** Per job (by benchIndex): when the loop had its results, epoch ms. */
  doneAt: number[];
  errors: number;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'canceled']);

/**
 * Set by a `stop` message: every job stops polling after its current wait, results not fetched
 * (its `doneAt` stays 0), and the loop answers. For jobs that outlast the measurement.
 */
let stopped = false;

async function run(config: BareLoopConfig): Promise<BareLoopResult> {
  const cpuStart = process.cpuUsage();
  const wallStart = Date.now();
  // The same pool settings as ComputeApiClient's.
  const dispatcher = new Agent({
    connect: { timeout: 10_000 },
    headersTimeout: 30_000,
    bodyTimeout: 60_000,
    connections: 64,
    keepAliveTimeout: 10_000,
  });
  const headers = {
    authorization: `Bearer ${config.token}`,
    accept: 'application/json',
    'evo-sdk-source': 'evo-compute-temporal-bench',
  };
  let submits = 0;
  let statusPolls = 0;
  let errors = 0;
  const doneAt: number[] = new Array(config.durations.length).fill(0);

  async function waitFor(index: number, statusUrl: string): Promise<void> {
    let interval = config.schedule.initialIntervalMs;
    for (;;) {
      const res = await request(statusUrl, { headers, dispatcher });
      const body = (await res.body.json()) as { status?: string };
      statusPolls++;
      if (TERMINAL.has(body.status ?? '')) break;
      await sleep(config.jitter ? jitteredInterval(interval, Math.random) : interval);
      if (stopped) return;
      interval = nextInterval(config.schedule, interval);
    }
    const results = await request(statusUrl.replace(/\/status$/, ''), { headers, dispatcher });
    await results.body.json();
    doneAt[index] = Date.now();
  }

  const waits: Promise<void>[] = [];
  const submitUrl = `${config.baseUrl}/compute/orgs/${config.orgId}/emulator/job`;
  for (let first = 0; first < config.durations.length; first += config.startBatch) {
    const batch = config.durations.slice(first, first + config.startBatch);
    await Promise.all(
      batch.map(async (durationMs, offset) => {
        const index = first + offset;
        const res = await request(submitUrl, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ parameters: { durationMs, benchIndex: index } }),
          dispatcher,
        });
        await res.body.dump();
        submits++;
        const location = res.headers.location;
        if (typeof location !== 'string')
          throw new Error(`submit answered ${res.statusCode} without Location`);
        waits.push(
          waitFor(index, location).catch((err) => {
            errors++;
            console.error(`job ${index}: ${err}`);
          }),
        );
      }),
    );
  }
  await Promise.all(waits);
  await dispatcher.close();
  const cpu = process.cpuUsage(cpuStart);
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (Date.now() - wallStart) / 1000,
    submits,
    statusPolls,
    doneAt,
    errors,
  };
}

let started = false;
process.on('message', (message: unknown) => {
  if (message === 'stop') {
    stopped = true;
    return;
  }
  if (started || typeof message !== 'object' || message === null) return;
  started = true;
  run(message as BareLoopConfig).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (err) => {
      console.error(`bare loop: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(2));
process.send?.('ready');
