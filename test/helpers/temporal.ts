import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflows bundled once per test process (bundling takes seconds; every worker reuses it). */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: new DefaultLogger('ERROR'),
  });
  return bundle;
}

/** Keep the SDK's logs to warnings and errors so the test output stays readable. */
export function quietRuntime(): void {
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
