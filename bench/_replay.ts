import { readFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger, Worker, Runtime } from '@temporalio/worker';
import { SAGA_BUNDLE } from '../workers/sagas.js';
Runtime.install({ logger: new DefaultLogger('ERROR') });
const bundle = await bundleWorkflowCode({ ...SAGA_BUNDLE, logger: new DefaultLogger('WARN') });
import proto from '@temporalio/proto';
const history = proto.temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(process.argv[2]!, 'utf8')));
try {
  await Worker.runReplayHistory({ workflowBundle: bundle }, history, 'mig');
  console.log('REPLAY OK');
} catch (e) {
  console.log('REPLAY FAILED', String(e).slice(0, 600));
}
