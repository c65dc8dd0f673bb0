import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../scripts/demo.js';
import { bettorBalance } from '../../store/ledger.js';
import { withCheckDigit } from '../../domain/iin.js';
import { formatKzt } from '../../domain/money.js';
import { API_KEYS, startApiStack } from '../support/api.js';

let stack: Awaited<ReturnType<typeof startApiStack>>;

beforeAll(async () => {
  stack = await startApiStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('npm start’s demo', () => {
  it('runs the bettor’s day through the bookmaker API over plain HTTP', async () => {
    // The demo's bettor is a fixed person: another file may have moved their money before this one runs.
    const ref = stack.esuBridge.bettorRef(withCheckDigit('90051730012'));
    const before = await bettorBalance(stack.pool, ref);
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await runDemo(stack.esuBridge, stack.env, stack.pool, 'http://ui.invalid', 'default', {
        url: stack.api.url,
        key: API_KEYS.full,
      });
    } finally {
      log.mockRestore();
    }
    const out = lines.join('\n');
    expect(out).toMatch(/✓ identification demo-bettor: IDENTIFIED \(TWO_FACTOR/);
    expect(out).toMatch(/✓ deposit demo-\w+-dep: COMPLETED, 2 500\.00 KZT, ESU receipt/);
    expect(out).toMatch(/↺ deposit demo-\w+-dep sent again: Idempotent-Replayed: true, still COMPLETED/);
    expect(out).toMatch(/✗ deposit demo-\w+-refused: EsuRejected → COMPENSATED; compensations: /);
    expect(out).toMatch(/✓ bet demo-\w+-bet: ACCEPTED, stake 1 000\.00 KZT at 2\.35/);
    expect(out).toMatch(/✓ settlement of demo-\w+-bet: SETTLED, winnings 2 350\.00 KZT/);
    expect(out).toMatch(/✓ payout demo-\w+-pay: COMPLETED, 2 000\.00 KZT/);
    expect(out).toContain(`betting account balance: ${formatKzt(before + 185_000)}`);
    expect(out).not.toMatch(/^\s+\? /m);
    const { rows } = await stack.pool.query(
      "SELECT count(*)::int AS n FROM journal WHERE event = 'api.request' AND actor = 'it-full' AND record_id LIKE 'demo-%'",
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(7);
  });
});
