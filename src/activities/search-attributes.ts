/**
 * Whether the namespace has the `EvoCompute*` search attributes registered. Upserting an
 * unregistered attribute would fail every workflow task, so `runComputeJob` asks once (a local
 * activity, recorded in its history) and skips the upserts when they are missing.
 *
 * It reaches Temporal through the activity's own context (the worker's client), so registering
 * `createComputeActivities(…)` on any worker is enough: nothing needs a connection passed in.
 */
import { Context, log } from '@temporalio/activity';
import { COMPUTE_SEARCH_ATTRIBUTES } from '../common/search-attributes';

/** Asks the namespace the activity runs in; any failure to ask counts as "not registered". */
export function createSearchAttributeCheck(): () => Promise<boolean> {
  // One look-up per namespace per activities object: registration changes rarely, and a worker
  // restart picks it up.
  const registered = new Map<string, Promise<boolean>>();
  return () => {
    const context = Context.current();
    const namespace = context.info.namespace;
    let answer = registered.get(namespace);
    if (!answer) {
      answer = lookUp(context, namespace);
      registered.set(namespace, answer);
    }
    return answer;
  };
}

async function lookUp(context: Context, namespace: string): Promise<boolean> {
  try {
    const response = await context.client.connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(response.customAttributes ?? {}));
    const missing = COMPUTE_SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => !known.has(name));
    if (missing.length > 0) {
      log.warn(
        `Search attributes ${missing.join(', ')} are not registered in namespace ${namespace}; ` +
          'jobs run, but without them they cannot be searched by status in the Temporal UI',
      );
      return false;
    }
    return true;
  } catch (err) {
    log.warn(`Could not list the search attributes of ${namespace} (${err}); jobs run without them`);
    return false;
  }
}
