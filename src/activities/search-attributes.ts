/**
 * Whether the namespace has the `EvoCompute*` search attributes registered. Upserting an
 * unregistered attribute would fail every workflow task, so `runComputeJob` asks once (a local
 * activity, recorded in its history) and skips the upserts when they are missing.
 */
import { log } from '@temporalio/activity';
import type { NativeConnection } from '@temporalio/worker';
import { COMPUTE_SEARCH_ATTRIBUTES } from '../common/search-attributes';

export interface SearchAttributeActivities {
  evoComputeSearchAttributesRegistered(): Promise<boolean>;
}

export function createSearchAttributeActivities(
  connection: NativeConnection,
  namespace: string,
): SearchAttributeActivities {
  // One look-up per worker process: registration changes rarely, and a restart picks it up.
  let registered: Promise<boolean> | undefined;
  async function lookUp(): Promise<boolean> {
    try {
      const response = await connection.operatorService.listSearchAttributes({ namespace });
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
  return {
    evoComputeSearchAttributesRegistered: () => {
      registered ??= lookUp();
      return registered;
    },
  };
}
