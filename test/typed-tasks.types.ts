/**
 * Compile-time checks of the typed task API: `npm run compile` fails when a line below stops
 * type-checking, or when a `@ts-expect-error` line stops being an error. Nothing here runs.
 */
import type { Client } from '@temporalio/client';
import { executeChild } from '@temporalio/workflow';
import {
  type ComputeJobResult,
  computeJobChildOptions,
  type IDWParameters,
  type JobResults,
  type KrigingResult as KrigingResultType,
  type TaskParameters,
  type TaskResult,
  tasks,
} from '../src';
import { startComputeJob } from '../src/client';
import { exampleKrigingParameters } from '../src/emulator';
import {
  executeComputeJob,
  executeComputeJobOperation,
  executeComputeJobs,
  runComputeJob,
  runComputeJobs,
  type SettledComputeJob,
  startComputeJobOperation,
} from '../src/workflows';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T>(_value: T): void {}
function assertEqual<A, B>(_proof: Equal<A, B>): void {}

type KrigingParameters = TaskParameters<typeof tasks.geostatistics.kriging>;
type KrigingResult = TaskResult<typeof tasks.geostatistics.kriging>;
assertEqual<KrigingResult, KrigingResultType>(true);
assertEqual<TaskParameters<typeof tasks.geostatistics.idw>, IDWParameters>(true);
const orgId = '00000000-0000-4000-8000-000000000000';
const parameters: KrigingParameters = exampleKrigingParameters(orgId);

export async function parametersAreChecked(): Promise<void> {
  tasks.geostatistics.kriging({ orgId, parameters });
  // @ts-expect-error a field the task does not have
  tasks.geostatistics.kriging({ orgId, parameters: { ...parameters, blocks: 8 } });
  // @ts-expect-error a required field missing
  tasks.geostatistics.kriging({ orgId, parameters: { ...parameters, variogram: undefined } });
  // @ts-expect-error a field of the wrong type
  tasks.geostatistics.kriging({ orgId, parameters: { ...parameters, variogram: 42 } });
  tasks.geostatistics.kriging({
    orgId,
    // @ts-expect-error a nested field of the wrong type
    parameters: { ...parameters, neighborhood: { ...parameters.neighborhood, max_samples: '20' } },
  });
  tasks.geostatistics.kriging({
    orgId,
    // @ts-expect-error a variant that does not exist
    parameters: { ...parameters, kriging_method: { type: 'universal' } },
  });
  // @ts-expect-error another task's parameters
  tasks.geostatistics.idw({ orgId, parameters });
}

export async function resultsAreTyped(): Promise<void> {
  const input = tasks.geostatistics.kriging({ orgId, parameters });
  // Inside a workflow: the typed shorthand, no cast.
  const { results } = await executeComputeJob(input, { key: 'grades' });
  expectType<string>(results.target.attribute.name);
  expectType<string>(results.message);
  // @ts-expect-error not a field of the kriging result
  results.estimates;
  assertEqual<typeof results, KrigingResult>(true);

  // Through the Nexus service: the same result model.
  const viaNexus = await executeComputeJobOperation({ endpoint: 'evo-compute' }, input);
  assertEqual<typeof viaNexus, ComputeJobResult<KrigingResult>>(true);
  const operation = await startComputeJobOperation({ endpoint: 'evo-compute' }, input);
  assertEqual<Awaited<ReturnType<typeof operation.result>>, ComputeJobResult<KrigingResult>>(true);
  // @ts-expect-error not a field of the kriging result
  viaNexus.results.estimates;

  // executeChild's result type comes from the workflow function: untyped, as before.
  const untyped = await executeChild(runComputeJob, computeJobChildOptions(input, { key: 'k' }));
  expectType<Record<string, unknown>>(untyped.results);

  // Calling the workflow function directly (tests, or a workflow that inlines it).
  const direct = await runComputeJob(input);
  assertEqual<typeof direct, ComputeJobResult<KrigingResult>>(true);

  // A task outside the catalogue: untyped parameters and results.
  const other = await executeComputeJob({ orgId, topic: 'my', task: 'task', parameters: { anything: [1] } });
  assertEqual<typeof other.results, JobResults>(true);
}

export async function fanOutFollowsFailFast(): Promise<void> {
  const a = tasks.geostatistics.kriging({ orgId, parameters });
  const b = tasks.geostatistics.kriging({ orgId, parameters: { ...parameters, variogram: 'v2' } });
  const all = await runComputeJobs({ jobs: [a, b] });
  assertEqual<typeof all, ComputeJobResult<KrigingResult>[]>(true);
  const failFast = await runComputeJobs({ jobs: [a, b], failFast: true });
  assertEqual<typeof failFast, ComputeJobResult<KrigingResult>[]>(true);
  const settled = await runComputeJobs({ jobs: [a, b], failFast: false });
  assertEqual<typeof settled, SettledComputeJob<KrigingResult>[]>(true);
  const first = settled[0];
  if (first?.status === 'fulfilled') expectType<string>(first.value.results.target.reference);
  const either = await runComputeJobs({ jobs: [a], failFast: Math.random() > 0.5 });
  assertEqual<typeof either, ComputeJobResult<KrigingResult>[] | SettledComputeJob<KrigingResult>[]>(true);
  const child = await executeComputeJobs({ jobs: [a, b], failFast: false }, { workflowId: 'batch' });
  assertEqual<typeof child, SettledComputeJob<KrigingResult>[]>(true);
}

export async function clientHandlesAreTyped(client: Client): Promise<void> {
  const handle = await startComputeJob(client, tasks.geostatistics.kriging({ orgId, parameters }));
  const { results } = await handle.result();
  assertEqual<typeof results, KrigingResult>(true);
  const untyped = await startComputeJob(client, { orgId, topic: 'my', task: 'task', parameters: {} });
  assertEqual<Awaited<ReturnType<typeof untyped.result>>['results'], JobResults>(true);
}
