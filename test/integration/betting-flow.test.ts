import { describe, expect, it } from 'vitest';
import { bettingTotals, bettorBalance, OperationFailedError } from '../../client/index.js';
import { settlementAmounts } from '../../domain/bet.js';
import type { HeldSubmission } from '../../simulators/afm.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { simAdmin } from '../support/sim-admin.js';
import { eventually, stack, useFileStack } from '../support/stack.js';

/**
 * Many bettors at once, each: deposit → two bets → settle one won and one lost → pay out, against the real dev
 * server, PostgreSQL and simulators, with faults injected at ESU, Nomapay and AFM (outages, lost answers).
 * Then the books must balance: the ledger, every bettor's running totals, and exactly one record per
 * operation at ESU and at AFM.
 */
useFileStack();

const BETTORS = 24;
const DEPOSIT = 50_000;
const STAKES = [7_000, 3_333] as const;
const ODDS = ['2.35', '1.80'] as const;

interface Plan {
  iin: string;
  depositId: string;
  bets: { betId: string; stakeTiyn: number; odds: string; result: 'WON' | 'LOST' }[];
  payoutId: string;
  payoutTiyn: number;
}

function plan(i: number): Plan {
  const run = uniqueId(`flow${i}`);
  const bets = STAKES.map((stakeTiyn, k) => ({
    betId: `${run}-bet${k}`,
    stakeTiyn,
    odds: ODDS[k]!,
    result: k === 0 ? ('WON' as const) : ('LOST' as const),
  }));
  const balance = DEPOSIT - STAKES[0] - STAKES[1] + settlementAmounts(STAKES[0], ODDS[0], 'WON').creditedTiyn;
  return { iin: adultIin(), depositId: `${run}-dep`, bets, payoutId: `${run}-pay`, payoutTiyn: balance - 1_000 - i };
}

async function flow(p: Plan): Promise<void> {
  const bridge = stack.esuBridge;
  await bridge.deposit({ depositId: p.depositId, iin: p.iin, amountTiyn: DEPOSIT, currency: 'KZT' });
  for (const bet of p.bets) {
    await bridge.placeBet({
      betId: bet.betId,
      iin: p.iin,
      stakeTiyn: bet.stakeTiyn,
      currency: 'KZT',
      eventId: 'kz-premier-17',
      outcome: 'HOME',
      odds: bet.odds,
    });
  }
  await Promise.all(p.bets.map((bet) => bridge.settleBet({ betId: bet.betId, result: bet.result })));
  await bridge.payout({ payoutId: p.payoutId, iin: p.iin, amountTiyn: p.payoutTiyn, currency: 'KZT' });
}

describe('bet → settle → payout for many bettors, through faults', () => {
  it('balances the ledger, the running totals and the regulators’ records, one per operation', async () => {
    const plans = Array.from({ length: BETTORS }, (_, i) => plan(i));
    const esu = simAdmin(stack.simulators.esu.url);
    const nomapay = simAdmin(stack.simulators.nomapay.url);
    const afm = simAdmin(stack.simulators.afm.url);
    // Outages and lost answers: each is retried, and a lost answer is found by a status query, never resent blind.
    await esu.fault({
      match: { method: 'POST', pathPrefix: '/v1/operations', key: `bet-${plans[0]!.bets[0]!.betId}` },
      kind: 'apply-then-error',
    });
    await esu.fault({
      match: { method: 'POST', pathPrefix: '/v1/operations', key: `stl-${plans[1]!.bets[1]!.betId}.settle` },
      kind: 'apply-then-error',
    });
    await esu.fault({ match: { method: 'POST', pathPrefix: '/v1/operations' }, kind: 'error', status: 503, times: 5 });
    await nomapay.fault({
      match: { method: 'POST', pathPrefix: '/v1/transfers', key: `pay-${plans[2]!.payoutId}` },
      kind: 'apply-then-error',
    });
    await nomapay.fault({
      match: { method: 'POST', pathPrefix: '/v1/transfers' },
      kind: 'error',
      status: 502,
      times: 4,
    });
    await afm.fault({ match: { method: 'POST', pathPrefix: '/v1/submissions' }, kind: 'error', status: 503, times: 3 });
    await afm.fault({
      match: { method: 'POST', pathPrefix: '/v1/submissions', key: `afm-dep-${plans[3]!.depositId}` },
      kind: 'apply-then-error',
    });

    await Promise.all(plans.map(flow));

    // A restricted bettor in the same run: refused before anything moves, so nothing reaches ESU for the bet.
    const restricted = adultIin();
    await esu.restrict(restricted, 'SELF_EXCLUDED');
    const refusedBetId = uniqueId('flow-refused');
    const refusal = await stack.esuBridge
      .placeBet({
        betId: refusedBetId,
        iin: restricted,
        stakeTiyn: 1_000,
        currency: 'KZT',
        eventId: 'kz-premier-17',
        outcome: 'HOME',
        odds: '2.00',
      })
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(OperationFailedError);
    expect((refusal as OperationFailedError).type).toBe('BettorRestricted');

    // Per bettor: balance and running totals equal the sum of their operations (AFM order No. 9, item 4(6)).
    for (const p of plans) {
      const ref = stack.esuBridge.bettorRef(p.iin);
      const won = settlementAmounts(p.bets[0]!.stakeTiyn, p.bets[0]!.odds, 'WON').creditedTiyn;
      const staked = p.bets.reduce((sum, b) => sum + b.stakeTiyn, 0);
      expect(await bettorBalance(stack.pool, ref)).toBe(DEPOSIT - staked + won - p.payoutTiyn);
      expect(await bettingTotals(stack.pool, ref)).toMatchObject({
        receivedTiyn: DEPOSIT,
        paidTiyn: p.payoutTiyn,
        stakedTiyn: staked,
        winningsTiyn: won,
      });
      // The e-wallet saw the deposit leave and the payout arrive, each once.
      expect(await nomapay.appliedCount(`dep-${p.depositId}`)).toBe(1);
      expect(await nomapay.appliedCount(`pay-${p.payoutId}`)).toBe(1);
    }

    // The ledger as a whole: every posting has both sides, nothing is left pending, no bettor account is negative.
    const ids = plans.flatMap((p) => [
      p.depositId,
      p.payoutId,
      ...p.bets.map((b) => b.betId),
      ...p.bets.map((b) => `${b.betId}.settle`),
    ]);
    const books = await stack.pool.query(
      `SELECT count(*)::int AS transfers, count(DISTINCT id)::int AS distinct_transfers FROM ledger_transfers WHERE operation_id = ANY($1::text[])`,
      [ids],
    );
    expect(books.rows[0].transfers).toBe(books.rows[0].distinct_transfers);
    const accounts = await stack.pool.query(
      `SELECT sum(debits_posted)::bigint AS debits, sum(credits_posted)::bigint AS credits, sum(debits_pending)::bigint AS dp, sum(credits_pending)::bigint AS cp,
              count(*) FILTER (WHERE kind = 'BETTOR' AND credits_posted - debits_posted - debits_pending < 0)::int AS negative
       FROM ledger_accounts`,
    );
    expect(accounts.rows[0]).toMatchObject({ debits: accounts.rows[0].credits, negative: 0 });
    const pending = await stack.pool.query(
      `SELECT count(*)::int AS n FROM ledger_accounts a WHERE a.kind = 'BETTOR' AND a.bettor_ref = ANY($1::text[]) AND (a.debits_pending <> 0 OR a.credits_pending <> 0)`,
      [plans.map((p) => stack.esuBridge.bettorRef(p.iin))],
    );
    expect(pending.rows[0].n).toBe(0);

    // ESU: exactly one record per operation — deposit, both bets, both settlements, payout — and none for the refusal.
    const recorded = (await esu.esuOperations()).map((r) => r.request.operationId);
    const counts = new Map<string, number>();
    for (const id of recorded) counts.set(id, (counts.get(id) ?? 0) + 1);
    // At ESU each operation goes by its kind and id (dep-, bet-, stl-, pay-).
    const esuIds = plans.flatMap((p) => [
      `dep-${p.depositId}`,
      `pay-${p.payoutId}`,
      ...p.bets.map((b) => `bet-${b.betId}`),
      ...p.bets.map((b) => `stl-${b.betId}.settle`),
    ]);
    for (const id of esuIds) expect(counts.get(id), `ESU records of ${id}`).toBe(1);
    expect(counts.has(`bet-${refusedBetId}`)).toBe(false);

    // AFM: each deposit (received) and payout (paid) exactly once, with the five fields of AFM order No. 9, annex 2.
    const held = await eventually(async () => {
      const all = await fetch(new URL('/__admin/submissions', stack.simulators.afm.url)).then(
        (r) => r.json() as Promise<HeldSubmission[]>,
      );
      const ours = all.filter((s) =>
        plans.some((p) => s.submissionId === `afm-dep-${p.depositId}` || s.submissionId === `afm-pay-${p.payoutId}`),
      );
      return ours.length >= plans.length * 2 ? ours : undefined;
    }, 60_000);
    expect(held).toHaveLength(plans.length * 2);
    expect(new Set(held.map((s) => s.submissionId)).size).toBe(plans.length * 2);
    for (const p of plans) {
      const deposit = held.find((s) => s.submissionId === `afm-dep-${p.depositId}`)!;
      expect(deposit.message.record).toMatchObject({ iin: p.iin, receivedTiyn: DEPOSIT });
      expect(deposit.message.record.paidTiyn).toBeUndefined();
      const payout = held.find((s) => s.submissionId === `afm-pay-${p.payoutId}`)!;
      expect(payout.message.record).toMatchObject({ iin: p.iin, paidTiyn: p.payoutTiyn });
    }

    // The submissions are acknowledged and waiting out AFM's working-day window, visible in PostgreSQL.
    const rows = await eventually(async () => {
      const { rows } = await stack.pool.query(
        `SELECT status, window_ends_at FROM submissions WHERE operation_id = ANY($1::text[])`,
        [plans.flatMap((p) => [p.depositId, p.payoutId])],
      );
      return rows.length === plans.length * 2 && rows.every((r) => r.status === 'ACKNOWLEDGED') ? rows : undefined;
    }, 30_000);
    expect(rows.every((r) => new Date(r.window_ends_at).getTime() > Date.now())).toBe(true);
  });
});
