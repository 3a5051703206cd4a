/** The report's `steady` section: what a quiet poll costs in each mode, side by side with the bare loop. */

import type { SteadyResult, SteadyRun } from '../phases/steady';
import { SCHEDULE } from './context';
import { seconds as s, table } from './markdown';
import { fmt } from './stats';

export interface SteadyFigures {
  poller: string;
  gets: number;
  getsPerSecond: number;
  readings?: number;
  eventsPerGet?: number;
  actions?: number;
  actionsPerGet?: number;
  workerMsPerGet: number;
  bareRatio?: number;
  serverMsPerGet?: number;
  /** Dev-server CPU per GET / timer mode's. */
  serverVsTimer?: number;
}

function actionsOf(run: SteadyRun): number | undefined {
  const a = run.history?.actions;
  if (!a) return undefined;
  return a.pollAttempts + (a.heartbeats ?? 0) + a.timers + a.localActivityBatches + a.upserts + a.other;
}

export function steadyFigures(steady: SteadyResult): SteadyFigures[] {
  const perGet = (seconds: number | undefined, gets: number) =>
    seconds === undefined ? undefined : (1000 * seconds) / Math.max(1, gets);
  const bare = steady.runs.find((run) => run.poller === 'bare');
  const bareMs = bare ? perGet(bare.cpu, bare.gets) : undefined;
  const timer = steady.runs.find((run) => run.poller === 'timer');
  const timerServerMs = timer ? perGet(timer.serverCpu, timer.gets) : undefined;
  return steady.runs.map((run) => {
    const workerMsPerGet = (1000 * run.cpu) / Math.max(1, run.gets);
    const serverMsPerGet = run.poller === 'bare' ? undefined : perGet(run.serverCpu, run.gets);
    const actions = actionsOf(run);
    return {
      poller: run.poller,
      gets: run.gets,
      getsPerSecond: run.gets / run.windowSeconds,
      readings: run.history?.readings,
      eventsPerGet: run.history ? run.history.events / Math.max(1, run.gets) : undefined,
      actions,
      actionsPerGet: actions === undefined ? undefined : actions / Math.max(1, run.gets),
      workerMsPerGet,
      bareRatio: bareMs && run.poller !== 'bare' ? workerMsPerGet / bareMs : undefined,
      serverMsPerGet,
      serverVsTimer:
        serverMsPerGet !== undefined && timerServerMs ? serverMsPerGet / timerServerMs : undefined,
    };
  });
}

const na = (value: number | undefined, digits: number) => (value === undefined ? '—' : fmt(value, digits));

export function renderSteady(steady: SteadyResult): string {
  const figures = steadyFigures(steady);
  const byPoller = new Map(steady.runs.map((run) => [run.poller, run]));
  const window = steady.runs[0]?.windowSeconds ?? 0;
  const header = [
    '',
    ...figures.map((f) =>
      f.poller === 'bare' ? 'bare loop' : f.poller === SCHEDULE.mode ? `**${f.poller}** (default)` : f.poller,
    ),
  ];
  const run = (f: SteadyFigures) => byPoller.get(f.poller as SteadyRun['poller']);
  const rows: [string, (f: SteadyFigures) => string][] = [
    ['status requests (GETs) in the window', (f) => f.gets.toLocaleString('en-US')],
    ['GETs per second', (f) => fmt(f.getsPerSecond, 1)],
    ['readings handed back to the workflow in the window', (f) => na(f.readings, 0)],
    [
      'history events in the window (per GET)',
      (f) => {
        const events = run(f)?.history?.events;
        return events === undefined ? '—' : `${events.toLocaleString('en-US')} (${fmt(f.eventsPerGet, 2)})`;
      },
    ],
    [
      '**billable actions per GET**',
      (f) => (f.actionsPerGet === undefined ? '—' : `**${fmt(f.actionsPerGet, 2)}**`),
    ],
    [
      'of which: poll attempts / heartbeats / timers / local-activity batches / upserts / other',
      (f) => {
        const a = run(f)?.history?.actions;
        if (!a) return '—';
        return [
          a.pollAttempts,
          a.heartbeats ?? 'n/a',
          a.timers,
          a.localActivityBatches,
          a.upserts,
          a.other,
        ].join(' / ');
      },
    ],
    ['**worker CPU per GET (ms)**', (f) => `**${fmt(f.workerMsPerGet, 3)}**`],
    ['× the bare loop', (f) => na(f.bareRatio, 2)],
    [
      '**dev-server CPU per GET (ms)**',
      (f) => (f.serverMsPerGet === undefined ? '—' : `**${fmt(f.serverMsPerGet, 2)}**`),
    ],
    ['dev-server CPU per GET / timer mode', (f) => na(f.serverVsTimer, 2)],
    [
      'poller CPU (cores) / dev-server CPU (cores)',
      (f) => {
        const r = run(f);
        if (!r) return '—';
        return `${fmt(r.cpu / r.windowSeconds, 2)} / ${r.serverCpu === undefined ? '—' : fmt(r.serverCpu / r.windowSeconds, 2)}`;
      },
    ],
    ['poller RSS at the window end (MiB)', (f) => fmt(run(f)?.rssMiB, 0)],
    [
      'activity slots held just after the window',
      (f) => {
        const h = run(f)?.history;
        return h ? String(h.heldSlots) : '—';
      },
    ],
    ['other load on the machine (cores)', (f) => fmt(Math.max(0, run(f)?.otherCpu ?? 0) / window, 2)],
  ];
  const bareErrors = byPoller.get('bare')?.errors;
  return `## Steady state: what a quiet poll costs, every ${s(steady.intervalMs, 1)} s

${steady.jobs} jobs of ${s(steady.jobMs, 0)} s each (progress crosses a 10 % step every ${s(steady.jobMs / 10, 0)} s, so
almost no poll in the window has anything to hand back), polled on a fixed schedule: every
${s(steady.intervalMs, 1)} s (initial = maximum interval, coefficient 1), each wait shortened by the usual jitter of up to 20 %.
Each mode on a fresh worker process and emulator, one after the other on the same dev server,
then the bare undici loop (the same jobs, interval and jitter; no Temporal). After the last start
the jobs settle for ${s(steady.settleMs, 0)} s (status \`in progress\` and the first reading handed back), then
a window of ${fmt(window, 1)} s is measured; then every workflow is cancelled, and the bench checks that
each closed as cancelled and that the emulator has no job left running before the next mode.

${table(
  header,
  rows.map(([label, value]) => [label, ...figures.map(value)]),
)}

How each figure is counted:

- **GETs**: status requests the emulator answered between the window's two samples (nothing else
  is requested: the jobs do not finish). Every per-GET figure divides by it.
- **Readings handed back**: search-attribute upserts of a new status or 10 % step whose event time
  falls in the window (a poll that hands a reading back writes one); expected 0.
- **History events**: events of every workflow's history (all runs, fetched after the cancel) whose
  event time falls in the window.
- **Billable actions** (Temporal Cloud's rules, docs/polling.md), in the window: *poll attempts* are
  the polling activities' attempts. In \`retry\` mode the failed attempts never reach history, so they
  are counted as the GETs in the window (one status request per attempt) plus the polling calls
  scheduled in the window (after a hand-back the next call's first attempt only waits); in
  \`heartbeat\` mode one attempt per polling call scheduled in the window (it then polls inside that
  attempt). *Heartbeats*: the dev server's \`RecordActivityTaskHeartbeat\` requests over the window
  (its metrics, read just before and just after). *Timers*, *local-activity batches* (all the local
  activities of one workflow task are one action) and *upserts* (less those of \`TemporalChangeVersion\`
  only): from history, event time in the window. *Other*: other activities' attempts, signals, starts.
- **CPU**: user + system time of every thread of the worker (or bare-loop) process and of the dev
  server, from /proc, between the window's two samples. The worker's includes everything it does in
  the window, not only the polls.
- **Activity slots held**: activity attempts running just after the window's end sample, counted
  by describing every workflow (its pending activities in state \`STARTED\`). In \`retry\` mode an
  activity waiting for its next attempt holds no slot; an attempt holds one for one status request.
- **Poller RSS**: resident memory of the worker (or bare-loop) process at the window's end sample.
${bareErrors ? `\nThe bare loop had ${bareErrors} failed requests.\n` : ''}`;
}
