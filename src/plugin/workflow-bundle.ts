/**
 * The prebuilt workflow bundle: `npm run build` (and `npm run compile`) run this file, which
 * bundles `runComputeJob` and `runComputeJobs` with webpack once and writes the code next to the
 * compiled package. Workers then start without webpack: faster, with less memory at start-up, and
 * with no bundler needed where they run.
 *
 * The bundle contains the workflow half of the Temporal SDK it was built with. Because the SDK is a
 * peer dependency, the installed one may differ; then the bundle is not used and the worker bundles
 * at start-up as before. The SDK's worker and workflow packages are released together (the worker
 * pins its workflow package exactly), so the installed worker's version stands for both.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';

/** Beside the package's compiled `index.js` (`dist/` when installed). */
const BUNDLE_DIR = join(__dirname, '..');
export const WORKFLOW_BUNDLE_PATH = join(BUNDLE_DIR, 'workflow-bundle.js');
const MANIFEST_PATH = join(BUNDLE_DIR, 'workflow-bundle.json');

interface Manifest {
  /** The Temporal SDK version bundled in. */
  sdkVersion: string;
}

function installedSdkVersion(): string {
  return (require('@temporalio/worker/package.json') as { version: string }).version;
}

export type PrebuiltBundle = { usable: true; codePath: string } | { usable: false; reason: string };

/** The prebuilt bundle, when there is one built with the installed workflow SDK. */
export function prebuiltWorkflowBundle(): PrebuiltBundle {
  if (!existsSync(WORKFLOW_BUNDLE_PATH) || !existsSync(MANIFEST_PATH)) {
    return { usable: false, reason: 'no prebuilt workflow bundle' };
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;
  } catch {
    return { usable: false, reason: 'the workflow bundle manifest is unreadable' };
  }
  const installed = installedSdkVersion();
  if (manifest.sdkVersion !== installed) {
    return {
      usable: false,
      reason: `the workflow bundle was built with Temporal SDK ${manifest.sdkVersion}, ${installed} is installed`,
    };
  }
  return { usable: true, codePath: WORKFLOW_BUNDLE_PATH };
}

/**
 * The `Worker.create` options that load the package's workflows: the prebuilt bundle when it is
 * usable, else `workflowsPath` (bundled at start-up); and a line saying which, for logs. For a
 * worker that runs only the package's workflows:
 * `Worker.create({ ...evoComputeWorkflows().options, plugins: [evoComputePlugin(…)], … })`.
 *
 * Give it the worker's `dataConverter`: a payload or failure converter of your own runs inside the
 * workflow sandbox, so it must be bundled into the workflow code, which the prebuilt bundle cannot
 * be (the SDK would silently use its default converters in workflow code). Codecs need no bundle.
 */
export function evoComputeWorkflows(options: { dataConverter?: DataConverter } = {}): {
  options: { workflowBundle: { codePath: string } } | { workflowsPath: string };
  source: string;
} {
  const { payloadConverterPath, failureConverterPath } = options.dataConverter ?? {};
  const prebuilt: PrebuiltBundle =
    payloadConverterPath || failureConverterPath
      ? {
          usable: false,
          reason: `the data converter's ${payloadConverterPath ? 'payloadConverterPath' : 'failureConverterPath'} is bundled into the workflow code`,
        }
      : prebuiltWorkflowBundle();
  if (prebuilt.usable)
    return { options: { workflowBundle: { codePath: prebuilt.codePath } }, source: 'prebuilt bundle' };
  return {
    options: { workflowsPath: require.resolve('../workflows') },
    source: `bundled at start-up (${prebuilt.reason})`,
  };
}

/** Bundles the package's workflows and writes the bundle and its manifest. */
export async function writeWorkflowBundle(): Promise<string> {
  const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  const manifest: Manifest = { sdkVersion: installedSdkVersion() };
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest)}\n`);
  return WORKFLOW_BUNDLE_PATH;
}

if (require.main === module) {
  writeWorkflowBundle().then(
    (path) => console.log(`workflow bundle: ${path}`),
    (err) => {
      console.error(`workflow bundle: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
