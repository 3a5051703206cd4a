import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';

const bundles = new Map<string, Promise<WorkflowBundle>>();

/** The test workflows of `file` (in this folder) bundled once per test process. */
function bundleOnce(file: string): Promise<WorkflowBundle> {
  let bundle = bundles.get(file);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: require.resolve(file), logger: new DefaultLogger('ERROR') });
    bundles.set(file, bundle);
  }
  return bundle;
}

/** `test/workflows/parents.ts`: the package's workflows and parents that run them as children. */
export function parentsBundle(): Promise<WorkflowBundle> {
  return bundleOnce('./parents');
}

/** `test/workflows/nexus-callers.ts`: callers of the `evo-compute` Nexus service, in another namespace. */
export function nexusCallersBundle(): Promise<WorkflowBundle> {
  return bundleOnce('./nexus-callers');
}
