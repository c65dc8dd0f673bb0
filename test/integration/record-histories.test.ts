import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTemporalCli } from '../../stack/temporal-cli.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { startFileStack } from '../support/stack.js';
import { simAdmin } from '../support/sim-admin.js';

/**
 * Runs a completed and a compensated deposit against the real stack and checks their histories are
 * replayable by test/replay. With RECORD_HISTORIES=1 it also rewrites test/replay/histories/*.json —
 * do that, and commit the files, when a workflow change is meant to be incompatible (with a new
 * workflow type or a patch for runs already in flight).
 */
let stack: Awaited<ReturnType<typeof startFileStack>>;
beforeAll(async () => {
  stack = await startFileStack();
});
afterAll(async () => stack?.stop());

const HISTORIES = new URL('../replay/histories/', import.meta.url);

describe('deposit histories for replay', () => {
  it('records a completed and a compensated deposit', async () => {
    const iin = adultIin();
    const okId = uniqueId('dep');
    const refusedId = uniqueId('dep');
    await stack.esuBridge.deposit({ depositId: okId, iin, amountTiyn: 120_000, currency: 'KZT' });
    await simAdmin(stack.simulators.esu.url).fault({ match: { key: refusedId }, kind: 'reject', code: 'LIMIT_EXCEEDED' });
    await stack.esuBridge.deposit({ depositId: refusedId, iin, amountTiyn: 80_000, currency: 'KZT' }).catch(() => undefined);

    for (const [name, id] of [
      ['deposit-completed', okId],
      ['deposit-compensated', refusedId],
    ] as const) {
      // Exported the way ops would (STYLE item 39): `temporal workflow show --output json`.
      const { stdout } = await promisify(execFile)(await resolveTemporalCli(), [
        'workflow', 'show', '--output', 'json', '--address', stack.env.TEMPORAL_ADDRESS!, '--namespace', stack.env.TEMPORAL_NAMESPACE!,
        '--workflow-id', `Deposit:${id}`,
      ], { maxBuffer: 16 * 2 ** 20 });
      expect(JSON.parse(stdout).events.length).toBeGreaterThan(10);
      if (process.env.RECORD_HISTORIES === '1') await writeFile(new URL(`${name}.json`, HISTORIES), stdout);
    }
  });
});
