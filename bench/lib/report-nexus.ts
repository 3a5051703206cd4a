/** The report's `nexus` section: a job run as a child workflow and through Nexus, side by side. */
import { CALL_PATHS, type CalledJob, type CallPath, type NexusResult } from '../phases/nexus';
import { totalActions } from './history';
import { seconds as s, table } from './markdown';
import { fmt, mean, percentile } from './stats';

const PATH_HEADS: Record<CallPath, string> = {
  child: 'child workflow (same namespace)',
  nexus: 'Nexus operation (another namespace)',
};

/** An instant of a job (epoch ms), when its history has it. */
type Instant = (job: CalledJob) => number | undefined;

const START_TO_SUBMIT: [string, Instant][] = [
  ['caller started → its first workflow task started', (job) => job.caller.firstTaskStarted],
  ["→ child / operation scheduled (the caller's command recorded)", (job) => job.caller.calleeScheduled],
  ['→ `runComputeJob` started (its first event)', (job) => job.callee.started],
  ['→ its submit activity scheduled', (job) => job.callee.submitScheduled],
  ['→ job submitted (the emulator received the POST)', (job) => job.submittedAt],
];

const FINISH_TO_CLOSED: [string, Instant][] = [
  ['job finished (emulator) → `runComputeJob` closed', (job) => job.calleeClosedAt],
  ["→ the result in the caller's history", (job) => job.caller.calleeClosed],
  ['→ caller closed', (job) => job.caller.closed],
];

/** `p50 / p95 / p99` of values (ms) in seconds. */
function spread(values: number[]): string {
  if (values.length === 0) return 'n/a';
  return [50, 95, 99].map((p) => s(percentile(values, p), 2)).join(' / ');
}

function defined(values: (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined);
}

/** Per job, the time from one instant to another (ms), where its history has both. */
function elapsed(jobs: readonly CalledJob[], from: Instant, to: Instant): number[] {
  return defined(
    jobs.map((job) => {
      const start = from(job);
      const end = to(job);
      return start === undefined || end === undefined ? undefined : end - start;
    }),
  );
}

/** Rows of steps, each from the instant before it (the first from `from`), per path, and the whole. */
function stepRows(byPath: Map<CallPath, CalledJob[]>, from: Instant, steps: [string, Instant][]) {
  const jobsOf = (path: CallPath) => byPath.get(path) ?? [];
  const rows = steps.map(([label, at], index) => {
    const previous = steps[index - 1]?.[1] ?? from;
    return [label, ...CALL_PATHS.map((path) => spread(elapsed(jobsOf(path), previous, at)))];
  });
  const last = steps.at(-1)?.[1] ?? from;
  rows.push(['**whole**', ...CALL_PATHS.map((path) => `**${spread(elapsed(jobsOf(path), from, last))}**`)]);
  return rows;
}

/** Mean of a per-job count, with its range when it varies. */
function perJob(jobs: readonly CalledJob[], count: (job: CalledJob) => number): string {
  const values = jobs.map(count);
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${fmt(mean(values), 1)} (${low}–${high})`;
}

/** The most frequent sequence of event types among the jobs' callers. */
function commonShape(jobs: readonly CalledJob[]): { types: string[]; count: number } | undefined {
  const byKey = new Map<string, { types: string[]; count: number }>();
  for (const job of jobs) {
    const key = job.callerTypes.join(' ');
    const entry = byKey.get(key) ?? { types: job.callerTypes, count: 0 };
    entry.count++;
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count)[0];
}

export function renderNexus(nexus: NexusResult, cores: number): string {
  const byPath = new Map(CALL_PATHS.map((path) => [path, nexus.called.filter((job) => job.path === path)]));
  const column = (value: (jobs: CalledJob[]) => string) =>
    CALL_PATHS.map((path) => value(byPath.get(path) ?? []));
  const timing = (from: Instant, to: Instant, bold = false) =>
    column((jobs) => {
      const text = spread(elapsed(jobs, from, to));
      return bold ? `**${text}**` : text;
    });
  const caller = (job: CalledJob) => totalActions(job.callerActions);
  const callee = (job: CalledJob) => totalActions(job.calleeActions);
  const rows: (string | number)[][] = [
    ['caller history events per job', ...column((jobs) => perJob(jobs, (job) => job.callerEvents))],
    [
      '`runComputeJob` (child / handler workflow) history events per job',
      ...column((jobs) => perJob(jobs, (job) => job.calleeEvents)),
    ],
    [
      '**history events per job, both**',
      ...column((jobs) => `**${perJob(jobs, (job) => job.callerEvents + job.calleeEvents)}**`),
    ],
    ['billable actions per job: caller', ...column((jobs) => perJob(jobs, caller))],
    [
      'of which: start / child start / Nexus operation / other',
      ...column((jobs) =>
        [
          perJob(jobs, (job) => job.callerActions.workflowStarts),
          perJob(jobs, (job) => job.callerActions.childWorkflowStarts),
          perJob(jobs, (job) => job.callerActions.nexusOperations),
          perJob(
            jobs,
            ({ callerActions: a }) =>
              totalActions(a) - a.workflowStarts - a.childWorkflowStarts - a.nexusOperations,
          ),
        ].join(' / '),
      ),
    ],
    ['billable actions per job: `runComputeJob`', ...column((jobs) => perJob(jobs, callee))],
    [
      '**billable actions per job, both**',
      ...column((jobs) => `**${perJob(jobs, (job) => caller(job) + callee(job))}**`),
    ],
    [
      '**caller started → job submitted, p50 / p95 / p99 (s)**',
      ...timing(
        (job) => job.caller.started,
        (job) => job.submittedAt,
        true,
      ),
    ],
    [
      'of which the call: child / operation scheduled → `runComputeJob` started',
      ...timing(
        (job) => job.caller.calleeScheduled,
        (job) => job.callee.started,
      ),
    ],
    [
      '**job finished → caller closed, p50 / p95 / p99 (s)**',
      ...timing(
        (job) => job.finishedAt,
        (job) => job.caller.closed,
        true,
      ),
    ],
    [
      'of which the call: `runComputeJob` closed → caller closed',
      ...timing(
        (job) => job.calleeClosedAt,
        (job) => job.caller.closed,
      ),
    ],
    [
      'callers not completed',
      ...column((jobs) => String(jobs.filter((job) => job.callerStatus !== 'COMPLETED').length)),
    ],
  ];
  const heads = ['', ...CALL_PATHS.map((path) => PATH_HEADS[path])];
  const shapes = CALL_PATHS.map((path) => {
    const shape = commonShape(byPath.get(path) ?? []);
    return shape
      ? `- ${path} (${shape.count} of ${byPath.get(path)?.length ?? 0} callers, ${shape.types.length} events): ${shape.types.map((type) => `\`${type}\``).join(' ')}`
      : `- ${path}: none`;
  });
  const c = nexus.cpu;
  const share = (cpu: number) => fmt(Math.max(0, cpu) / nexus.wallSeconds, 2);
  return `## Child workflow or Nexus: one job, two ways to call it

The same ${nexus.jobs} jobs (durations uniform in ${s(nexus.durations.minMs, 0)}–${s(nexus.durations.maxMs, 0)} s, seed ${nexus.durations.seed}; default poll schedule), each run
twice in one run on one dev server and one compute worker process (\`createComputeWorker\`, which
serves the \`evo-compute\` Nexus service by default): by a caller workflow in \`${nexus.calleeNamespace}\` as a child
\`runComputeJob\` (\`executeComputeJob\`, i.e. \`computeJobChildOptions\`, sent to the compute worker's
queue), and by a caller workflow in \`${nexus.callerNamespace}\` as a Nexus operation
(\`executeComputeJobOperation\`) through the endpoint \`${nexus.endpoint}\`, which targets that queue. The
callers of both paths run on two caller workers in the bench process (one per namespace) and were
started interleaved (child 0, Nexus 0, child 1, …) in batches of ${nexus.startBatch}, so both paths saw the same load.
Counted from every caller's and \`runComputeJob\`'s history (all runs) and the emulator.

${table(heads, rows)}

Caller started → job submitted, step by step (p50 / p95 / p99, s; event times are the server's,
the submit time the emulator's):

${table(
  ['step', ...heads.slice(1)],
  stepRows(byPath, (job) => job.caller.started, START_TO_SUBMIT),
)}

Job finished → caller closed, step by step (p50 / p95 / p99, s; the finish is the emulator's plan:
submit + duration, so the first step includes waiting for the next status poll):

${table(
  ['step', ...heads.slice(1)],
  stepRows(byPath, (job) => job.finishedAt, FINISH_TO_CLOSED),
)}

The caller's history, most common shape:

${shapes.join('\n')}

How it is counted:

- **Billable actions** (Temporal Cloud's rules, docs/polling.md): a child's start is two actions, the
  parent's intent (\`START_CHILD_WORKFLOW_EXECUTION_INITIATED\`) and the child's start (its
  \`WORKFLOW_EXECUTION_STARTED\`, counted in the \`runComputeJob\` row); a Nexus operation is one action
  in the caller's namespace (\`NEXUS_OPERATION_SCHEDULED\`), and what its handler starts (here the
  workflow, and all it does) is counted as usual in the handler's namespace; neither the Nexus task
  nor the completion callback is an action. Default mode \`retry\`: no heartbeats.
- **Latency on a shared machine**: ${cores} cores, shared with other engineers' work while this ran. From
  the first start to the last caller closed (${fmt(nexus.wallSeconds, 1)} s) the compute worker used ${share(c.worker)} cores,
  the dev server ${share(c.server)}, the bench process (emulator, both caller workers, client) ${share(c.bench)}, and
  everything else on the machine ${share(c.other)}. Both paths ran at the same time, so the load is the
  same for both; the absolute delays are this machine's, the difference between the paths is the
  figure to read.
`;
}
