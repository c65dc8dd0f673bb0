import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import { PREBUILT_BUNDLE_PATH, SAGA_BUNDLE } from '../workers/sagas.js';

/**
 * The last step of `npm run build` (run as dist/scripts/bundle-workflows.js): bundles the compiled workflows
 * into dist/workflow-bundle.js, which the worker loads when present (workers/sagas.ts) instead of running
 * webpack at every start. Built at image build time, so every replica runs the same workflow code. The failure
 * converter goes in with it: workflow failures are encoded inside the sandbox (codec/failure-converter.ts).
 */
const { code } = await bundleWorkflowCode({
  ...SAGA_BUNDLE,
  failureConverterPath: FAILURE_CONVERTER_PATH,
  logger: new DefaultLogger('WARN'),
});
await writeFile(PREBUILT_BUNDLE_PATH, code);
console.log(`workflow bundle: ${PREBUILT_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)`);
