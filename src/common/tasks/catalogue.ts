/**
 * The official task catalogue: the tasks the Python SDK `evo-compute` ships runners for, with
 * their parameters and result types generated from its models (`npm run schemas`).
 *
 * ```ts
 * import { tasks } from 'evo-compute-temporal';
 * const input = tasks.geostatistics.kriging({ orgId, parameters: { source, target, variogram, neighborhood } });
 * // input: SubmitComputeJobInput<KrigingParameters, KrigingResult>, ready for runComputeJob
 * ```
 *
 * Workflow-safe: plain data and types. The JSON Schemas and their validators are in
 * `evo-compute-temporal/tasks`, so that a workflow bundle does not carry them.
 */
import type { JobResults, RunComputeJobOptions, SubmitComputeJobInput } from '../types';
import { CATALOGUE_ENTRIES, type CatalogueTypes } from './generated/catalogue';

export { CATALOGUE_SDK_VERSION, type CatalogueTypes } from './generated/catalogue';

/** What a catalogue task's factory takes: the org, the typed parameters and any `runComputeJob` option. */
export interface ComputeTaskInput<P> extends RunComputeJobOptions {
  orgId: string;
  parameters: P;
  /** Send `API-Preview: opt-in` even for a task that is not preview-only. */
  preview?: boolean;
}

/** One catalogue task: its identity, and a factory that builds a typed `runComputeJob` input. */
export interface ComputeTask<P = object, R = JobResults> {
  (input: ComputeTaskInput<P>): SubmitComputeJobInput<P, R>;
  readonly topic: string;
  readonly task: string;
  /** Preview-only: every request of its jobs sends `API-Preview: opt-in`, without being asked. */
  readonly preview: boolean;
  /** The top-level parameters the task requires. */
  readonly required: readonly string[];
}

/** The catalogue object's type: `tasks.<topic>.<task>`, each a typed `ComputeTask`. */
export type TaskCatalogue = {
  readonly [T in keyof CatalogueTypes]: {
    readonly [K in keyof CatalogueTypes[T]]: CatalogueTypes[T][K] extends {
      parameters: infer P;
      result: infer R;
    }
      ? ComputeTask<P, R>
      : never;
  };
};

/** The parameters type of a catalogue task: `TaskParameters<typeof tasks.geostatistics.kriging>`. */
export type TaskParameters<T> = T extends ComputeTask<infer P, infer _R> ? P : never;
/** The result type of a catalogue task: `TaskResult<typeof tasks.geostatistics.kriging>`. */
export type TaskResult<T> = T extends ComputeTask<infer _P, infer R> ? R : never;

interface CatalogueEntry {
  readonly topic: string;
  readonly task: string;
  readonly preview: boolean;
  readonly required: readonly string[];
}

function computeTask(entry: CatalogueEntry): ComputeTask {
  const { topic, task, preview, required } = entry;
  const factory = (input: ComputeTaskInput<object>): SubmitComputeJobInput<object, JobResults> => ({
    ...input,
    topic,
    task,
    // Preview tasks are refused without the header; `preview: true` asks for it on a task that is not.
    ...(preview || input.preview ? { preview: true } : {}),
  });
  return Object.assign(factory, { topic, task, preview, required });
}

const byTopic = Object.fromEntries(
  Object.entries(CATALOGUE_ENTRIES).map(([topic, entries]) => [
    topic,
    Object.freeze(
      Object.fromEntries(
        Object.entries(entries).map(([name, entry]) => [name, Object.freeze(computeTask(entry))]),
      ),
    ),
  ]),
);

/** The official task catalogue, by topic and task: `tasks.geostatistics.kriging`. */
export const tasks = Object.freeze(byTopic) as unknown as TaskCatalogue;

/** Every catalogue task, in topic/task order. */
export const CATALOGUE_TASKS: readonly ComputeTask[] = Object.values(byTopic).flatMap((topic) =>
  Object.values(topic),
);

/** The catalogue task with this topic and task name (`geostatistics`, `normal-score`), if there is one. */
export function findCatalogueTask(topic: string, task: string): ComputeTask | undefined {
  return CATALOGUE_TASKS.find((entry) => entry.topic === topic && entry.task === task);
}
