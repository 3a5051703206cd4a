import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';

let bundle: Promise<WorkflowBundle> | undefined;

/** `test/workflows/parents.ts` bundled once per test process. */
export function parentsBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('./parents'),
    logger: new DefaultLogger('ERROR'),
  });
  return bundle;
}
