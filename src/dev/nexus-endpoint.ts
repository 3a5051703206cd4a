/**
 * The Nexus endpoint through which callers in other namespaces reach a compute worker's
 * `evo-compute` service. Made idempotently: the server refuses a second endpoint of the same name,
 * so an endpoint that exists is kept when it already targets the same namespace and task queue,
 * and is reported (never replaced) when it targets something else.
 */
import type { Connection } from '@temporalio/client';

export interface NexusEndpointTarget {
  /** The endpoint's name, as callers give it (`endpoint: 'evo-compute'`). */
  name: string;
  /** The namespace of the worker that serves the `evo-compute` service. */
  namespace: string;
  /** That worker's task queue. */
  taskQueue: string;
}

/** Creates the endpoint, or keeps the one of that name that already targets the same worker. */
export async function ensureNexusEndpoint(
  connection: Connection,
  target: NexusEndpointTarget,
): Promise<'created' | 'exists'> {
  const { operatorService } = connection;
  const existing = (
    await operatorService.listNexusEndpoints({ name: target.name, pageSize: 1 })
  ).endpoints?.find((endpoint) => endpoint.spec?.name === target.name);
  if (existing) {
    const worker = existing.spec?.target?.worker;
    if (worker?.namespace === target.namespace && worker.taskQueue === target.taskQueue) return 'exists';
    throw new Error(
      `the Nexus endpoint ${target.name} exists and targets ${worker ? `${worker.namespace}/${worker.taskQueue}` : 'an external URL'}, not ${target.namespace}/${target.taskQueue}; choose another name`,
    );
  }
  await operatorService.createNexusEndpoint({
    spec: {
      name: target.name,
      description: {
        data: Buffer.from(JSON.stringify('Evo compute jobs (evo-compute-temporal)')),
        metadata: { encoding: Buffer.from('json/plain') },
      },
      target: { worker: { namespace: target.namespace, taskQueue: target.taskQueue } },
    },
  });
  return 'created';
}
