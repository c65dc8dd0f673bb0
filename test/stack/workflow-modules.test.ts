import { beforeAll, describe, expect, it } from 'vitest';
import { bundle, loadLikeTheWorker } from '../../bench/workflow-modules.js';
import { SAGA_BUNDLE } from '../../workers/sagas.js';

// What a workflow evaluates before its first line, the bundle loaded the way the worker's reusable V8 context
// loads it (bench/workflow-modules.ts). The workflows' own behaviour with zod shared is what test/workflows and
// test/replay run: every saga test bundles SAGA_BUNDLE.
const isZod = (id: string) => id.includes('/node_modules/zod/');
const isOurs = (id: string) => /^\.\/(workflows|domain)\//.test(id);

describe('the workflow bundle, loaded like the worker', () => {
  let saga: string;
  let nothingShared: string;
  beforeAll(async () => {
    [saga, nothingShared] = await Promise.all([
      bundle(SAGA_BUNDLE),
      bundle({ workflowsPath: SAGA_BUNDLE.workflowsPath }),
    ]);
  }, 60_000);

  it('evaluates zod once for the worker, never again for a workflow', async () => {
    const loaded = loadLikeTheWorker(saga);
    expect(loaded.shared.filter(isZod).length).toBeGreaterThan(10);
    expect((await loaded.startWorkflow('deposit')).filter(isZod)).toEqual([]);
    expect((await loaded.startWorkflow('incident')).filter(isZod)).toEqual([]);
  });

  it('without the shared modules, every workflow evaluates zod afresh', async () => {
    const loaded = loadLikeTheWorker(nothingShared);
    expect(loaded.shared.filter(isZod)).toEqual([]);
    expect((await loaded.startWorkflow('deposit')).filter(isZod).length).toBeGreaterThan(10);
  });

  it('evaluates only the modules of the workflow that starts', async () => {
    const loaded = loadLikeTheWorker(saga);
    const deposit = (await loaded.startWorkflow('deposit')).filter(isOurs);
    expect(deposit).toEqual(expect.arrayContaining(['./workflows/deposit.ts', './domain/deposit.ts']));
    for (const other of ['./workflows/incident.ts', './domain/incident.ts', './workflows/migration.ts'])
      expect(deposit).not.toContain(other);
    const incident = (await loaded.startWorkflow('incident')).filter(isOurs);
    expect(incident).toContain('./domain/incident.ts');
    expect(incident).not.toContain('./workflows/deposit.ts');
  });

  it('starts every workflow type the entry point exports', async () => {
    const loaded = loadLikeTheWorker(saga);
    for (const type of ['deposit', 'placeBet', 'settleBet', 'payout', 'identification', 'migration', 'incident'])
      expect((await loaded.startWorkflow(type)).length).toBeGreaterThan(1);
    await expect(loaded.startWorkflow('noSuchWorkflow')).rejects.toThrow('the bundle has no workflow noSuchWorkflow');
  });
});
