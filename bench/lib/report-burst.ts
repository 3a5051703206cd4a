/** The report's `burst` section, and the start → submit breakdown it shares with `many`. */
import type { BurstResult } from '../phases/burst';
import type { SubmitSteps } from './history';
import { seconds as s, table } from './markdown';
import { fmt, percentile } from './stats';

interface SubmittedJob {
  submittedAt: number;
  submitSteps: SubmitSteps;
}

const STEPS: [string, (job: SubmittedJob) => number | undefined][] = [
  ['workflow started → first workflow task started', (job) => job.submitSteps.firstTaskStarted],
  ['→ submit activity scheduled (first task completed)', (job) => job.submitSteps.submitScheduled],
  ['→ submit activity started (picked up by the worker)', (job) => job.submitSteps.submitStarted],
  ['→ job submitted (the emulator received the POST)', (job) => job.submittedAt],
  ['→ submit activity completed (its result in history)', (job) => job.submitSteps.submitCompleted],
];

/** Where the time from workflow start to job submitted goes, from each job's history. */
export function renderSubmitSteps(jobs: readonly SubmittedJob[]): string {
  const p = (values: number[], q: number) => (values.length ? s(percentile(values, q), 2) : 'n/a');
  const rows = STEPS.map(([label, at], index) => {
    const previous = STEPS[index - 1]?.[1];
    const step: number[] = [];
    const total: number[] = [];
    for (const job of jobs) {
      const now = at(job);
      if (now === undefined) continue;
      total.push(now - job.submitSteps.started);
      const before = previous ? previous(job) : job.submitSteps.started;
      if (before !== undefined) step.push(now - before);
    }
    return [
      label,
      p(step, 50),
      p(step, 99),
      step.length ? s(Math.max(...step), 2) : 'n/a',
      p(total, 50),
      p(total, 99),
    ];
  });
  return table(
    ['step', 'step p50 (s)', 'step p99 (s)', 'step max (s)', 'since start p50 (s)', 'since start p99 (s)'],
    rows,
  );
}

/** Workflow started → job submitted, per job of the burst. */
function submitLags(burst: BurstResult): number[] {
  return burst.jobsList.map((job) => job.submittedAt - job.submitSteps.started);
}

export function burstSubmitP99(burst: BurstResult): number {
  return percentile(submitLags(burst), 99);
}

export function renderBurst(burst: BurstResult, cpuCount: number, manyRetrySubmitP99?: number): string {
  const lags = submitLags(burst);
  const w = burst.window;
  const lastSubmit = burst.lastSubmitAt - burst.firstStartAt;
  const cores = (cpu: number) => fmt(cpu / w.seconds, 2);
  return `## Burst: ${burst.jobs.toLocaleString('en-US')} starts with nothing else polling

${burst.jobs} \`runComputeJob\` workflows (\`retry\` mode) started in parallel batches of ${burst.startBatch}, as in the
\`many\` phase, on one worker process; the jobs run for an hour and their schedule waits
${s(burst.intervalMs, 0)} s after the first status poll (which the workflow makes right after the submit), so no later
poll competes with the starts. CPU from /proc between the first start and the last submit. Then
every workflow is cancelled and must cancel its job (checked in the emulator).

${table(
  ['metric', 'value'],
  [
    ['workflows started in', `${fmt(burst.startSeconds, 1)} s`],
    [
      '**workflow started → job submitted: p50 / p99 / max**',
      `**${s(percentile(lags, 50), 2)} / ${s(percentile(lags, 99), 2)} / ${s(Math.max(...lags), 2)} s**${manyRetrySubmitP99 === undefined ? '' : ` (p99 in \`many\`, retry mode: ${s(manyRetrySubmitP99, 2)} s)`}`,
    ],
    ['last submit after the first start', `${s(lastSubmit, 1)} s`],
    ['submits per second (jobs / that time)', fmt(burst.jobs / Math.max(0.001, lastSubmit / 1000), 1)],
    ["status requests in that time (each job's first poll)", w.gets.toLocaleString('en-US')],
    ['worker CPU', `${fmt(w.workerCpu, 1)} s (${cores(w.workerCpu)} cores)`],
    ['dev-server CPU', `${fmt(w.serverCpu, 1)} s (${cores(w.serverCpu)} cores)`],
    ['dev-server CPU per job (start to submit)', `${fmt((1000 * w.serverCpu) / burst.jobs, 1)} ms`],
    ['worker CPU per job (start to submit)', `${fmt((1000 * w.workerCpu) / burst.jobs, 1)} ms`],
    ['machine busy (every process)', `${cores(w.machineBusy)} of ${cpuCount} cores`],
    [
      'other load on the machine',
      `${fmt(Math.max(0, w.otherCpu), 1)} CPU s (${cores(Math.max(0, w.otherCpu))} cores)`,
    ],
  ],
)}

Where the time goes (each job's first-run history; event times are the server's). The first
workflow task also runs the search-attribute check (a local activity, answered from the worker's
cache after its first call) before it schedules the submit:

${renderSubmitSteps(burst.jobsList)}
`;
}
