import { describe, expect, it } from 'vitest';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import { keyUsage } from '../../codec/key-usage.js';
import { eventually, stack, useFileStack } from '../support/stack.js';
import { adultIin, uniqueId } from '../support/ids.js';

/**
 * Key rotation (issue 14): Temporal's histories cannot be re-encrypted, so a key leaves PAYLOAD_KEYS only when no
 * history Temporal still holds carries a payload under it. `codec retire-check` asks keyUsage.
 */
useFileStack({}, 120_000);

describe('which histories a payload key is still needed by', () => {
  it('finds a deposit written under the current key, and nothing under a key no history used', async () => {
    const current = encryptionCodecFromEnv(stack.env).keyring()[0]!.keyId;
    const depositId = uniqueId('dep');
    await stack.esuBridge.deposit({ depositId, iin: adultIin(), amountTiyn: 10_000, currency: 'KZT' });
    const query = `WorkflowId = 'Deposit:${depositId}'`;
    const used = await eventually(async () => {
      const u = await keyUsage(stack.client, current, { query });
      return u.workflows.length ? u : undefined;
    });
    expect(used.workflows).toEqual([
      expect.objectContaining({ workflowId: `Deposit:${depositId}`, status: 'COMPLETED' }),
    ]);
    expect(used.workflows[0]!.payloads).toBeGreaterThan(1);
    const unused = await keyUsage(stack.client, 'retired-2025', { query });
    expect(unused).toMatchObject({ keyId: 'retired-2025', workflows: [], scanned: 1, truncated: false });
  });
});
