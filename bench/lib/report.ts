/** The Markdown report (bench/RESULTS.md): tables of what each phase measured, and the goals. */

import type { PollMode } from '../../src/common/poll-schedule';
import type { BareResult } from '../phases/bare';
import type { BurstResult } from '../phases/burst';
import type { ModeEvents } from '../phases/events';
import { type HourEvents, heartbeatsPerJob, sparseHeartbeatsPerJob } from '../phases/hour';
import type { ManyResult } from '../phases/many';
import type { NexusResult } from '../phases/nexus';
import type { StartupResult } from '../phases/startup';
import type { SteadyResult } from '../phases/steady';
import type { BenchConfig } from './context';
import { SCHEDULE } from './context';
import type { MachineFacts } from './facts';
import { totalActions } from './history';
import { seconds as s, table } from './markdown';
import { renderBurst, renderSubmitSteps } from './report-burst';
import { renderNexus } from './report-nexus';
import { renderSteady, type SteadyFigures, steadyFigures } from './report-steady';
import { fmt, mean, peakConcurrent, percentile } from './stats';

export interface BenchResults {
  command: string;
  startedAt: Date;
  wallSeconds: number;
  config: BenchConfig;
  facts: MachineFacts;
  loadAverageAtEnd: number[];
  events?: ModeEvents[];
  hour?: HourEvents;
  many?: ManyResult[];
  bare?: BareResult;
  steady?: SteadyResult[];
  burst?: BurstResult;
  nexus?: NexusResult;
  startup?: StartupResult;
}

/** What one mode's run measured, in the units of the targets. */
export interface ModeFigures {
  mode: string;
  jobs: number;
  polls: number;
  jobHours: number;
  events: number;
  /** Polls that handed a reading to the workflow (activity completions; every timer-mode poll). */
  handBacks: number;
  actions: number;
  heartbeats?: number;
  workerMsPerPoll: number;
  serverMsPerPoll: number;
  bareRatio?: number;
  peakRssMiB: number;
  peakHeldSlots: number;
  staleAfterPollP50: number;
  staleAfterPollP99: number;
  staleFromChangeP50: number;
  staleFromChangeP99: number;
  excessP99: number;
  afterLastPollP99: number;
  submitP99: number;
  failures: number;
}

export function modeFigures(many: ManyResult, bare: BareResult | undefined): ModeFigures {
  const t = many.timings;
  const readings = t.flatMap((timing) => timing.readings);
  const staleAfterPoll = readings.map((r) => r.visibleAt - r.polledAt);
  const staleFromChange = readings.map((r) => r.visibleAt - r.changedAt);
  const historyActions = t.reduce((sum, timing) => sum + totalActions(timing.actions), 0);
  const heartbeats = many.server?.heartbeats;
  const handBacks =
    many.mode === 'timer'
      ? many.statusPolls
      : // Less the submit: every polling mode fetches the results in the poll that saw the end.
        t.reduce((sum, timing) => sum + timing.activitySpans.length, 0) - t.length;
  const workerMsPerPoll = (1000 * many.workerCpu) / many.statusPolls;
  return {
    mode: many.mode,
    jobs: many.jobs,
    polls: many.statusPolls,
    jobHours: t.reduce((sum, timing) => sum + timing.durationMs, 0) / 3_600_000,
    events: t.reduce((sum, timing) => sum + timing.events, 0),
    handBacks,
    actions: historyActions + (heartbeats ?? 0),
    heartbeats,
    workerMsPerPoll,
    serverMsPerPoll: (1000 * many.serverCpu) / many.statusPolls,
    bareRatio: bare ? workerMsPerPoll / ((1000 * bare.cpuSeconds) / bare.statusPolls) : undefined,
    peakRssMiB: many.peakRssMiB,
    peakHeldSlots: peakConcurrent(t.flatMap((timing) => timing.activitySpans)),
    staleAfterPollP50: percentile(staleAfterPoll, 50),
    staleAfterPollP99: percentile(staleAfterPoll, 99),
    staleFromChangeP50: percentile(staleFromChange, 50),
    staleFromChangeP99: percentile(staleFromChange, 99),
    excessP99: percentile(
      t.map((x) => x.closedAt - x.finishedAt - x.intervalMs),
      99,
    ),
    afterLastPollP99: percentile(
      t.flatMap((x) => (x.afterLastPollMs === undefined ? [] : [x.afterLastPollMs])),
      99,
    ),
    submitP99: percentile(
      t.map((x) => x.submittedAt - x.startedAt),
      99,
    ),
    failures: many.failures,
  };
}

export interface Verdict {
  what: string;
  target: string;
  /** Per steady run (quiet polls on a fixed interval), when it applies. */
  steady: (string | undefined)[];
  /** Over the `many` run (jobs of 30–120 s, hand-backs included). */
  many: string;
  verdict: string;
}

/**
 * The targets of issue 17, for one mode: per quiet poll in steady state (the `steady` runs, every
 * 2 s and every 30 s), and over the `many` run (short jobs, most of whose polls could hand a reading
 * back). The kill bound is judged by the tests (test/sparse-kill.test.ts for `sparse`), not here.
 */
export function verdicts(results: BenchResults, mode: PollMode = SCHEDULE.mode): Verdict[] {
  const many = results.many?.find((m) => m.mode === mode);
  if (!many) return [];
  const f = modeFigures(many, results.bare);
  const timer = results.many?.find((m) => m.mode === 'timer');
  const timerServer = timer ? modeFigures(timer, results.bare).serverMsPerPoll : undefined;
  const steady = (results.steady ?? []).map((run) =>
    steadyFigures(run).find((figures) => figures.poller === mode),
  );
  const both = (steadyMet: boolean[], manyMet: boolean) => {
    const inSteady = steadyMet.length > 0 && steadyMet.every(Boolean);
    if (inSteady && manyMet) return '**met**';
    if (inSteady) return '**met in steady state**; not over short jobs';
    if (manyMet) return '**met over short jobs**; not in steady state';
    return '**not met**';
  };
  const steadyOnly = (steadyMet: boolean[]) =>
    steadyMet.length > 0 && steadyMet.every(Boolean) ? '**met**' : '**not met**';
  const quiet = f.polls - f.handBacks;
  const perSteady = <T>(pick: (x: SteadyFigures) => T | undefined) =>
    steady.map((x) => (x ? pick(x) : undefined));
  const defined = <T>(values: (T | undefined)[]) => values.filter((v): v is T => v !== undefined);
  const events = perSteady((x) => x.eventsPerGet);
  const actions = perSteady((x) => x.actionsPerGet);
  const ratios = perSteady((x) => x.bareRatio);
  const servers = perSteady((x) => x.serverVsTimer);
  // Readings recorded: the status changes and 10 % steps the workflow upserted (what freshness needs).
  const recorded = many.timings.reduce((sum, timing) => sum + timing.readings.length, 0);
  const out: Verdict[] = [
    {
      what: 'billable actions per quiet poll',
      target: '≤ 0.5',
      steady: actions.map((a) => (a === undefined ? undefined : `${fmt(a, 2)}`)),
      many: `${fmt(f.actions / f.polls, 2)} (every action of the run / polls; ${quiet.toLocaleString('en-US')} of ${f.polls.toLocaleString('en-US')} polls were quiet; ${f.heartbeats ?? 'n/a'} heartbeats)`,
      verdict: steadyOnly(defined(actions).map((a) => a <= 0.505)),
    },
  ];
  if (f.bareRatio !== undefined) {
    out.push({
      what: 'worker CPU per poll',
      target: 'steady ≤ 2 ×, `many` ≤ 5 × the bare loop',
      steady: steady.map((x) =>
        x?.bareRatio === undefined ? undefined : `${fmt(x.workerMsPerGet, 3)} ms = ${fmt(x.bareRatio, 2)} ×`,
      ),
      many: `${fmt(f.workerMsPerPoll, 3)} ms = ${fmt(f.bareRatio, 2)} ×`,
      verdict: both(
        defined(ratios).map((r) => r <= 2),
        f.bareRatio <= 5,
      ),
    });
  }
  out.push(
    {
      what: 'dev-server CPU per quiet poll',
      target: '≤ 0.3 × timer mode',
      steady: steady.map((x) =>
        x?.serverVsTimer === undefined || x.serverMsPerGet === undefined
          ? undefined
          : `${fmt(x.serverMsPerGet, 2)} ms = ${fmt(x.serverVsTimer, 2)} × timer`,
      ),
      many: `${fmt(f.serverMsPerPoll, 2)} ms = ${timerServer === undefined ? 'n/a' : fmt(f.serverMsPerPoll / timerServer, 2)} × timer (${timerServer === undefined ? 'n/a' : fmt(timerServer, 2)} ms)`,
      verdict: steadyOnly(defined(servers).map((r) => r <= 0.3)),
    },
    {
      what: 'history events per quiet poll',
      target: '0',
      steady: events.map((e) => (e === undefined ? undefined : `${fmt(e, 2)} per GET`)),
      many: `${f.events.toLocaleString('en-US')} events for ${f.polls.toLocaleString('en-US')} polls`,
      verdict: steadyOnly(defined(events).map((e) => e === 0)),
    },
    {
      what: 'hand-backs over `many`',
      target: '≤ status changes + what freshness needs',
      steady: steady.map(() => undefined),
      many: `${f.handBacks.toLocaleString('en-US')} hand-backs for ${recorded.toLocaleString('en-US')} readings recorded (status changes and 10 % steps, which the query, UI and search attributes show within a second) and ${f.jobs.toLocaleString('en-US')} jobs`,
      // Allowed: every recorded reading, and one more per job (sparse: its heartbeat timeout growing).
      verdict: f.handBacks <= recorded + f.jobs ? '**met**' : '**not met**',
    },
    {
      what: 'feedback staleness after the poll, p99',
      target: '≤ 1 s',
      steady: steady.map(() => undefined),
      many: `${s(f.staleAfterPollP99, 2)} s (p50 ${s(f.staleAfterPollP50, 2)} s)`,
      verdict: f.staleAfterPollP99 <= 1000 ? '**met**' : '**not met**',
    },
    {
      what: 'finish → workflow closed, p99 of (delay − interval in force)',
      target: '≤ 0.5 s',
      steady: steady.map(() => undefined),
      many: `${s(f.excessP99, 2)} s`,
      verdict: f.excessP99 <= 500 ? '**met**' : '**not met**',
    },
    {
      what: 'workflows failed (lost) over `many`',
      target: '0',
      steady: steady.map(() => undefined),
      many: `${f.failures}`,
      verdict: f.failures === 0 ? '**met**' : '**not met**',
    },
  );
  return out;
}

function renderModes(results: BenchResults): string {
  const figures = (results.many ?? []).map((m) => modeFigures(m, results.bare));
  const rows: [string, (f: ModeFigures) => string][] = [
    ['status polls (GETs)', (f) => f.polls.toLocaleString('en-US')],
    ['job-hours polled', (f) => fmt(f.jobHours, 1)],
    ['history events per poll (all events / polls)', (f) => fmt(f.events / f.polls, 2)],
    ['history events per job-hour', (f) => fmt(f.events / f.jobHours, 0)],
    [
      'polls that handed a reading back (wrote history)',
      (f) => `${f.handBacks} (${fmt((100 * f.handBacks) / f.polls, 0)} %)`,
    ],
    [
      'heartbeats that reached the server',
      (f) => (f.heartbeats === undefined ? 'n/a' : f.heartbeats.toLocaleString('en-US')),
    ],
    ['billable actions per poll (all / polls)', (f) => fmt(f.actions / f.polls, 2)],
    ['billable actions per job-hour', (f) => fmt(f.actions / f.jobHours, 0)],
    ['worker CPU per poll (ms)', (f) => fmt(f.workerMsPerPoll, 3)],
    ['× the bare loop', (f) => (f.bareRatio === undefined ? 'n/a' : fmt(f.bareRatio, 2))],
    ['dev-server CPU per poll (ms)', (f) => fmt(f.serverMsPerPoll, 2)],
    ['worker peak RSS (MiB)', (f) => fmt(f.peakRssMiB, 0)],
    ['activity slots held, peak', (f) => String(f.peakHeldSlots)],
    [
      'staleness after the poll p50 / p99 (s)',
      (f) => `${s(f.staleAfterPollP50, 2)} / ${s(f.staleAfterPollP99, 2)}`,
    ],
    [
      'staleness from the change p50 / p99 (s)',
      (f) => `${s(f.staleFromChangeP50, 2)} / ${s(f.staleFromChangeP99, 2)}`,
    ],
    ['finish → closed − interval in force, p99 (s)', (f) => s(f.excessP99, 2)],
    ['last poll → closed, p99 (s)', (f) => s(f.afterLastPollP99, 2)],
    ['start → submit p99 (s)', (f) => s(f.submitP99, 2)],
    ['workflows failed', (f) => String(f.failures)],
  ];
  const header = ['', ...figures.map((f) => (f.mode === SCHEDULE.mode ? `**${f.mode}** (default)` : f.mode))];
  return `## Poll modes side by side

Each mode ran the same ${figures[0]?.jobs ?? 0} jobs (default schedule, 1 s × 1.5 up to 30 s, jittered), one mode after
the other on the same dev server, each on a fresh worker process. Counted from every workflow's
history (all runs), the emulator's request counts, /proc and the dev server's metrics.

${table(
  header,
  rows.map(([label, value]) => [label, ...figures.map(value)]),
)}

How each figure is counted:

- **Billable actions** follow Temporal Cloud's published rules (docs/polling.md): workflow started
  1; timer started 1; every activity attempt 1 (the \`attempt\` of its started event, so retries
  count); all local activities of one workflow task 1; search-attribute upsert 1; signal 1; and
  heartbeats only when they reach the server, counted by the dev server
  (\`service_requests{operation="RecordActivityTaskHeartbeat"}\`). Queries are not counted (the bench
  reads no progress).
- **Staleness after the poll**: from the end of the poll that saw a new status or 10 % step (its
  activity's completion; in timer mode the start of the workflow task that ran the local-activity
  check) to the workflow task that recorded it (its search-attribute upsert), after which the
  \`progress\` query answers with it. **From the change**: from when the emulator's job reached that
  status or step (its plan) to the same point; this includes waiting for the next poll.
- **Activity slots held**: the peak number of activity attempts running at once, from the started
  and closed events in history; in retry mode an earlier attempt is one HTTP request, not in
  history, so the figure is its last attempts'.
- **Interval in force**: the last timer's duration (timer mode) or, in the other modes, the
  schedule's interval after the job's next-to-last status poll (the emulator's count): the wait
  before the poll that saw the end, since those modes grow the interval once per poll; jitter only
  shortens it.
`;
}

export function renderReport(results: BenchResults): string {
  const { facts, config } = results;
  const parts: string[] = [];
  // The targets first, on one screen; how and where they were measured below them.
  parts.push(
    `# Benchmark results\n\nRun on ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${fmt(results.wallSeconds / 60, 1)} minutes in all; the command and the machine are below the targets.\n`,
  );
  // The default mode first, then every other mode measured, each judged against the same targets.
  const judged = [
    SCHEDULE.mode,
    ...(results.many ?? []).map((m) => m.mode).filter((m) => m !== SCHEDULE.mode),
  ];
  for (const mode of judged) {
    const v = verdicts(results, mode);
    if (v.length === 0) continue;
    const steadyHeads = (results.steady ?? []).map((run) => `steady state, every ${s(run.intervalMs, 0)} s`);
    const rows = v.map((x) => [
      x.what,
      x.target,
      ...steadyHeads.map((_, i) => x.steady[i] ?? '—'),
      x.many,
      x.verdict,
    ]);
    const manyJobs = results.many?.[0]?.timings.length ?? 0;
    const manyHead = `${manyJobs.toLocaleString('en-US')} jobs of ${s(config.minDurationMs, 0)}–${s(config.maxDurationMs, 0)} s (\`many\`)`;
    const title =
      mode === SCHEDULE.mode ? `Targets, default mode (\`${mode}\`)` : `Targets, \`${mode}\` mode`;
    const note =
      mode === SCHEDULE.mode
        ? 'A killed worker noticed within max(30 s, 2 × interval) with no job lost or duplicated is judged by the kill tests (test/sparse-kill.test.ts for `sparse`, test/rolling-restart.test.ts), not by this bench.\n\n'
        : '';
    parts.push(
      `## ${title}\n\n${note}${table(['target', 'goal', ...steadyHeads, manyHead, 'verdict'], rows)}\n`,
    );
  }
  parts.push(`## How it was run

Produced by:

\`\`\`sh
${results.command}
\`\`\`

| machine | |
|---|---|
| CPU | ${facts.cores} cores, ${facts.cpuModel} |
| memory | ${facts.memoryGiB} GiB |
| Node.js | ${facts.node} |
| Temporal CLI (dev server) | ${facts.temporalCli} |
| time-skipping server | ${facts.timeSkippingServer} |
| Temporal TypeScript SDK | ${facts.sdk} |
| Linux kernel | ${facts.kernel} |
| load average (1, 5, 15 min) at start / end | ${facts.loadAverageAtStart.join(', ')} / ${results.loadAverageAtEnd.join(', ')} |
`);

  if (results.many?.length) parts.push(renderModes(results));
  if (results.events) parts.push(renderEvents(results.events, results.hour));
  else if (results.hour) parts.push(renderHour(results.hour));
  for (const many of results.many ?? []) parts.push(renderMany(many, config));
  const measured = results.many?.find((m) => m.mode === SCHEDULE.mode) ?? results.many?.[0];
  if (measured && results.bare) parts.push(renderBare(measured, results.bare));
  for (const steady of results.steady ?? []) parts.push(renderSteady(steady));
  if (results.burst) {
    const retry = results.many?.find((m) => m.mode === 'retry');
    const manyP99 = retry
      ? percentile(
          retry.timings.map((x) => x.submittedAt - x.startedAt),
          99,
        )
      : undefined;
    parts.push(renderBurst(results.burst, facts.cores, manyP99));
  }
  if (results.nexus) parts.push(renderNexus(results.nexus, facts.cores));
  if (results.startup) parts.push(renderStartup(results.startup));
  return `${parts.join('\n')}\n`;
}

const UPSERT = 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES';

/** Events of a timer poll cycle that changes nothing visible (no search-attribute upsert), and of one that does. */
function cycleLengths(shapes: { shape: string[]; count: number }[]): { plain?: number; upsert?: number } {
  return {
    plain: shapes.find((s) => !s.shape.includes(UPSERT))?.shape.length,
    upsert: shapes.find((s) => s.shape.includes(UPSERT))?.shape.length,
  };
}

function perTimerPoll(shapes: { shape: string[]; count: number }[]): string {
  const { plain, upsert } = cycleLengths(shapes);
  if (plain === undefined && upsert === undefined) return 'n/a';
  if (plain === undefined) return `${upsert} (all with an upsert)`;
  return upsert === undefined ? `${plain}` : `${plain} (${upsert} with a search-attribute upsert)`;
}

function renderEvents(events: ModeEvents[], hour: HourEvents | undefined): string {
  const rows = events.map((m) => {
    const steady = perTimerPoll(m.shapes);
    let perPoll: string;
    if (m.mode === 'timer') perPoll = `${steady} per poll`;
    else
      perPoll = `${m.activityEvents} for all ${m.activityPolls} polls (${m.waitForJobCalls} hand-backs × 6) = ${fmt(m.activityEvents / Math.max(1, m.activityPolls), 2)} per poll`;
    return [m.mode, perPoll, m.polls, m.timerPolls, m.totalEvents, m.upserts];
  });
  const shapeRows = events.flatMap((m) =>
    m.shapes.map((shape) => [m.mode, shape.count, shape.shape.length, shape.shape.join(' ')]),
  );
  const jobSeconds = fmt((events[0]?.jobMs ?? 0) / 1000, 0);
  let text = `## History events per poll, one job per mode

One ${jobSeconds} s job per mode at the default schedule (1 s × 1.5 up to 30 s), side by side on
the dev server, search attributes registered. A timer poll cycle is counted as
test/helpers/history.ts \`pollCycles\` does: from one \`TIMER_STARTED\` to the next. A polling
activity (\`checkJobStatus\`, \`waitForJob\`) costs 6 events per call (activity scheduled, started,
completed and the workflow task that follows), however many polls it makes: it is called once per
reading worth recording. Retries and heartbeats write no history.

${table(['mode', 'history events per status poll', `polls (${jobSeconds} s job)`, 'of which on timers', 'total events', 'search-attribute upserts'], rows)}

Timer poll cycles seen (a cycle with \`UPSERT_WORKFLOW_SEARCH_ATTRIBUTES\` is a poll whose status
or 10 % progress step changed):

${table(['mode', 'cycles', 'events', 'shape'], shapeRows)}
`;
  if (hour) text += `\n${renderHour(hour)}`;
  return text;
}

function renderHour(hour: HourEvents): string {
  const t = hour.timer;
  const r = hour.retry;
  const rows: (string | number)[][] = [
    [
      'timer',
      `measured: ${t.polls} polls, ${t.runs} run${t.runs === 1 ? '' : 's'}`,
      t.totalEvents,
      totalActions(t.actions),
      `${t.actions.timers} timers + ${t.actions.localActivityBatches} local-activity batches + ${t.actions.activityAttempts} activity attempts + ${t.actions.upserts} upserts + ${t.actions.workflowStarts} starts`,
    ],
  ];
  if (r) {
    rows.push([
      'retry',
      `measured: ${r.polls} polls, ${r.runs} run${r.runs === 1 ? '' : 's'}`,
      r.totalEvents,
      totalActions(r.actions),
      `${r.actions.activityAttempts} activity attempts + ${r.actions.upserts} upserts + ${r.actions.workflowStarts} starts`,
    ]);
    const beats = heartbeatsPerJob(hour.jobMs);
    rows.push([
      'heartbeat',
      'derived: the hand-backs of retry mode, one attempt each, plus a heartbeat per 4 s',
      r.totalEvents,
      `about ${totalActions(r.actions) - r.polls + beats}`,
      `retry's actions less one per poll, plus ${beats} heartbeats`,
    ]);
    // Retry's attempts are the submit, one per poll and the waiting first attempt of every call but
    // the first: its calls are attempts − polls. Sparse makes one call more (the interval reaching
    // 30 s, 6 events), one attempt each, and fetches the results in its last call, as retry does.
    const calls = r.actions.activityAttempts - r.polls;
    const sparseBeats = sparseHeartbeatsPerJob(hour.jobMs);
    const sparseAttempts = 1 + calls + 1;
    rows.push([
      'sparse',
      "derived: retry mode's hand-backs and one more (the timeout growing with the interval), one attempt each, a heartbeat per 54 s",
      r.totalEvents + 6,
      `about ${totalActions(r.actions) - r.actions.activityAttempts + sparseAttempts + sparseBeats}`,
      `${sparseAttempts} activity attempts + ${sparseBeats} heartbeats + ${r.actions.upserts} upserts + ${r.actions.workflowStarts} starts`,
    ]);
  }
  return `### A one-hour job at the default schedule

On the time-skipping server, which skips durable timers (workflow timers and activity retry timers)
but not waits inside an activity. The test server has no \`EvoCompute*\` search attributes (the
workflows skip the upserts there); on a server with them registered add one event and one action
per status change and 10 % step (about 12 per job) to every mode.

${table(['mode', 'how', 'history events', 'billable actions', 'of which'], rows)}
`;
}

function bucketRows(many: ManyResult, bucketSeconds: number): string[][] {
  const rows: string[][] = [];
  const samples = many.samples;
  let from = samples[0];
  if (!from) return rows;
  for (const sample of samples) {
    if (sample.at - from.at < bucketSeconds * 1000 && sample !== samples.at(-1)) continue;
    const seconds = (sample.at - from.at) / 1000;
    if (seconds <= 0) continue;
    rows.push([
      `${fmt((from.at - many.startedAt) / 1000, 0)}–${fmt((sample.at - many.startedAt) / 1000, 0)}`,
      fmt((sample.gets - from.gets) / seconds, 1),
      fmt((sample.cpu - from.cpu) / seconds, 2),
      fmt((sample.serverCpu - from.serverCpu) / seconds, 2),
      fmt((sample.machineBusy - from.machineBusy) / seconds, 2),
      fmt(sample.rssMiB, 0),
    ]);
    from = sample;
  }
  return rows;
}

const THREAD_ROLES: Record<string, string> = {
  main: 'main JS thread: activities, HTTP client, SDK plumbing to the core',
  node: 'other Node threads: the workflow worker thread (workflow code), V8 GC and compiler helpers, libuv pool',
  'tokio-runtime-w': 'Temporal core (Rust): gRPC to the server, task polling, heartbeat batching',
};

function renderMany(many: ManyResult, config: BenchConfig): string {
  const delays = many.timings.map((t) => t.closedAt - t.finishedAt);
  const tails = many.timings.flatMap((t) => (t.afterLastPollMs === undefined ? [] : [t.afterLastPollMs]));
  const submitLags = many.timings.map((t) => t.submittedAt - t.startedAt);
  const lastSubmit = Math.max(...many.timings.map((t) => t.submittedAt)) - many.startedAt;
  const excess = many.timings.map((t) => t.closedAt - t.finishedAt - t.intervalMs);
  const gaps = many.timings.flatMap((t) =>
    t.actualGapMs === undefined ? [] : [t.actualGapMs - t.intervalMs],
  );
  const byInterval = new Map<number, typeof many.timings>();
  for (const timing of many.timings) {
    const key = Math.round(timing.intervalMs);
    byInterval.set(key, [...(byInterval.get(key) ?? []), timing]);
  }
  const intervalRows = [...byInterval.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([interval, timings]) => {
      const d = timings.map((t) => t.closedAt - t.finishedAt);
      const e = timings.map((t) => t.closedAt - t.finishedAt - t.intervalMs);
      return [
        s(interval, 2),
        timings.length,
        s(percentile(d, 50), 2),
        s(percentile(d, 99), 2),
        s(Math.max(...d), 2),
        s(percentile(e, 99), 2),
        `${fmt((100 * e.filter((x) => x < 1000).length) / e.length, 1)} %`,
      ];
    });
  const cpuPerPollMs = (1000 * many.workerCpu) / many.statusPolls;
  return `## ${many.jobs.toLocaleString('en-US')} concurrent jobs on one worker, \`${many.mode}\` mode

${many.jobs} \`runComputeJob\` workflows (default schedule, \`${many.mode}\` mode) on one worker in its own
process (\`createComputeWorker\`, default options), against the emulator over HTTP on 127.0.0.1 and
the dev server. Job durations uniform in ${s(config.minDurationMs, 0)}–${s(config.maxDurationMs, 0)} s (seed ${config.seed}),
started in parallel batches of ${config.startBatch}. The measurement runs from the first start to the
last workflow close. CPU is user + system time of every thread of the process, from /proc.

${table(
  ['metric', 'value'],
  [
    ['workflows started in', `${fmt(many.startSeconds, 1)} s`],
    ['first start → last close', `${fmt(many.wallSeconds, 1)} s`],
    ['workflows failed', many.failures],
    ['status requests seen by the emulator', many.statusPolls.toLocaleString('en-US')],
    [
      'status requests per second: mean / peak 10 s / peak 1 s',
      `${fmt(many.statusPolls / many.wallSeconds, 1)} / ${fmt(many.peakGetRate10s, 1)} / ${fmt(many.peakGetRate1s, 1)}`,
    ],
    [
      'finish → workflow closed: p50 / p90 / p99 / max',
      `${s(percentile(delays, 50), 2)} / ${s(percentile(delays, 90), 2)} / ${s(percentile(delays, 99), 2)} / ${s(Math.max(...delays), 2)} s`,
    ],
    [
      'delay − interval in force: p50 / p99 / max',
      `${s(percentile(excess, 50), 2)} / ${s(percentile(excess, 99), 2)} / ${s(Math.max(...excess), 2)} s`,
    ],
    [
      'actual gap between the last two polls − interval: p50 / p99 / max',
      gaps.length
        ? `${s(percentile(gaps, 50), 2)} / ${s(percentile(gaps, 99), 2)} / ${s(Math.max(...gaps), 2)} s`
        : 'n/a',
    ],
    [
      'last status poll → workflow closed: p50 / p99 / max',
      tails.length
        ? `${s(percentile(tails, 50), 2)} / ${s(percentile(tails, 99), 2)} / ${s(Math.max(...tails), 2)} s`
        : 'n/a',
    ],
    [
      'workflow started → job submitted: p50 / p99 / max',
      `${s(percentile(submitLags, 50), 2)} / ${s(percentile(submitLags, 99), 2)} / ${s(Math.max(...submitLags), 2)} s (last submit ${s(lastSubmit, 1)} s after the first start)`,
    ],
    [
      'worker CPU',
      `${fmt(many.workerCpu, 1)} s (${fmt(many.workerCpu / many.wallSeconds, 2)} cores on average)`,
    ],
    ['worker CPU per status poll', `${fmt(cpuPerPollMs, 3)} ms`],
    [
      `worker peak RSS (${many.peakRssSource}, after start-up)`,
      `${fmt(many.peakRssMiB, 0)} MiB${many.startupPeakRssMiB === undefined ? '' : ` (start-up incl. bundling the workflows: ${fmt(many.startupPeakRssMiB, 0)} MiB)`}`,
    ],
    ['Temporal dev server CPU', `${fmt(many.serverCpu, 1)} s`],
    ['bench process CPU (emulator, client, sampling)', `${fmt(many.benchCpu, 1)} s`],
    [
      'other load on the machine in the window',
      `${fmt(Math.max(0, many.otherCpu), 1)} CPU s (${fmt(Math.max(0, many.otherCpu) / many.wallSeconds, 2)} cores)`,
    ],
  ],
)}

By the interval in force when the job finished (the duration of the workflow's last timer in timer
mode; the schedule after the next-to-last poll otherwise):

${table(['interval (s)', 'jobs', 'delay p50 (s)', 'delay p99 (s)', 'delay max (s)', 'p99 of delay − interval (s)', 'within interval + 1 s'], intervalRows)}

Over time (seconds from the first start):

${table(['t (s)', 'GET/s', 'worker CPU (cores)', 'dev server CPU (cores)', 'machine busy (cores)', 'worker RSS (MiB)'], bucketRows(many, 10))}

Worker CPU by thread (/proc/<pid>/task, threads alive at the end of the window):

${table(
  ['thread', 'what runs there', 'CPU (s)', 'share'],
  many.threads
    .filter((t) => t.cpu > 0)
    .map((t) => [
      t.name,
      THREAD_ROLES[t.name] ?? '',
      fmt(t.cpu, 1),
      `${fmt(
        (100 * t.cpu) /
          Math.max(
            1e-9,
            many.threads.reduce((sum, x) => sum + Math.max(0, x.cpu), 0),
          ),
        0,
      )} %`,
    ]),
)}

Worker CPU by phase:

${table(
  ['window', 'seconds', 'GETs', 'worker CPU (s)', 'CPU per GET (ms)'],
  many.windows.map((w) => [
    w.label,
    fmt(w.seconds, 1),
    w.gets,
    fmt(w.cpu, 2),
    fmt((1000 * w.cpu) / Math.max(1, w.gets), 3),
  ]),
)}

Workflow started → job submitted, step by step (each job's first-run history; event times are the
server's, the submit time the emulator's):

${renderSubmitSteps(many.timings)}
`;
}

function renderBare(many: ManyResult, bare: BareResult): string {
  const workerPerPoll = (1000 * many.workerCpu) / many.statusPolls;
  const barePerPoll = (1000 * bare.cpuSeconds) / bare.statusPolls;
  const windowRows = many.windows.map((w, i) => {
    const b = bare.windows[i];
    const workerMs = (1000 * w.cpu) / Math.max(1, w.gets);
    const bareMs = b ? (1000 * b.cpu) / Math.max(1, b.gets) : Number.NaN;
    return [
      `${w.label} / ${b?.label ?? ''}`,
      fmt(workerMs, 3),
      fmt(bareMs, 3),
      `${fmt(workerMs / bareMs, 2)} ×`,
    ];
  });
  return `## Bare-loop floor

The same ${bare.jobs} jobs (fresh emulator, same durations) submitted and waited for by a bare loop
of undici requests (the same pool settings as \`ComputeApiClient\`, JSON-parsed bodies) on the same
schedule in one child process, no Temporal; measured in the same run. Its CPU is
\`process.cpuUsage()\` from receiving the job list to the last results.

${table(
  ['', 'worker (Temporal)', 'bare loop', 'ratio'],
  [
    ['status polls', many.statusPolls, bare.statusPolls, ''],
    [
      'CPU seconds',
      fmt(many.workerCpu, 2),
      fmt(bare.cpuSeconds, 2),
      `${fmt(many.workerCpu / bare.cpuSeconds, 1)} ×`,
    ],
    [
      'CPU per status poll (ms)',
      fmt(workerPerPoll, 3),
      fmt(barePerPoll, 3),
      `**${fmt(workerPerPoll / barePerPoll, 2)} ×**`,
    ],
    [
      'finish → results in hand: p50 / p99 (s)',
      `${s(
        percentile(
          many.timings.map((t) => t.closedAt - t.finishedAt),
          50,
        ),
        2,
      )} / ${s(
        percentile(
          many.timings.map((t) => t.closedAt - t.finishedAt),
          99,
        ),
        2,
      )} (workflow closed)`,
      `${s(percentile(bare.detectDelaysMs, 50), 2)} / ${s(percentile(bare.detectDelaysMs, 99), 2)}`,
      '',
    ],
    ['errors', many.failures, bare.errors, ''],
  ],
)}

CPU per GET by phase (GETs include the one results request per job; /proc samples):

${table(['window (worker / bare loop)', 'worker ms per GET', 'bare ms per GET', 'ratio'], windowRows)}

Other load during the bare loop: ${fmt(Math.max(0, bare.otherCpu), 1)} CPU s over ${fmt(bare.wallSeconds, 0)} s (${fmt(Math.max(0, bare.otherCpu) / bare.wallSeconds, 2)} cores); mean bare-loop detect delay ${s(mean(bare.detectDelaysMs), 2)} s.
`;
}

function renderStartup(startup: StartupResult): string {
  const kinds = [
    ['prebuilt', 'prebuilt bundle (`npm run build`)'],
    ['bundle', 'bundled at start-up (webpack)'],
  ] as const;
  const rows = kinds.map(([kind, label]) => {
    const runs = startup.runs.filter((run) => run.kind === kind);
    const ready = runs.map((run) => run.readyMs);
    return [
      label,
      String(runs.length),
      `${s(percentile(ready, 50), 2)} s`,
      `${s(Math.max(...ready), 2)} s`,
      `${fmt(mean(runs.map((run) => run.rssMiB)), 0)} MiB`,
      `${fmt(mean(runs.map((run) => run.peakRssMiB)), 0)} MiB`,
    ];
  });
  return `## 4. Worker start-up: prebuilt workflow bundle vs bundling at start-up

\`bench/worker-child.ts\` (\`createComputeWorker\` configured from the environment) started again and again
against the dev server, the two kinds alternating; time from process start until the worker is
created (workflow code loaded, ready to poll), its RSS then, and its peak RSS up to then.

${table(['workflow code', 'starts', 'ready, median', 'ready, slowest', 'RSS when ready', 'peak RSS'], rows)}
`;
}
