import type { EsuBridgeClient } from '../client/index.js';
import { bettingTotals, bettorBalance, OperationFailedError, readBettorIdentification } from '../client/index.js';
import type { Pool } from '../db/pool.js';
import { withCheckDigit } from '../domain/iin.js';
import { formatKzt } from '../domain/money.js';
import { firstSubmissionId } from '../domain/submission.js';
import { counterpartOperationId } from '../domain/ids.js';

type Env = Record<string, string | undefined>;

const isSimulator = (url: string | undefined) => Boolean(url?.startsWith('http://127.0.0.1') || url?.startsWith('http://localhost'));

async function post(baseUrl: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(new URL(path, baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} → ${res.status} ${await res.text()}`);
}

/**
 * `npm start`'s demo, one bettor's day end to end: identification through Nomapay (two-factor, the SMS code
 * read from the simulator), a deposit, a deposit ESU refuses (compensated), a bet at 2.35 settled as won, a
 * payout to the e-wallet, and the two AFM submissions the money flows caused. Against real endpoints it skips
 * what needs the simulators (reading an SMS code, provoking a refusal).
 */
export async function runDemo(bridge: EsuBridgeClient, env: Env, pool: Pool, uiUrl: string, namespace: string): Promise<void> {
  const run = Date.now().toString(36);
  const iin = withCheckDigit('90051730012');
  const ref = bridge.bettorRef(iin);
  console.log(`\nDemo: bettor ${iin.slice(0, 4)}******** (BettorRef ${ref.slice(0, 12)}…)`);

  const before = await readBettorIdentification(pool, { bettorId: 'demo-bettor' });
  if (before?.status === 'IDENTIFIED') {
    console.log(`  ✓ identification demo-bettor: IDENTIFIED earlier (${before.method}; e-wallet ${before.walletId})`);
  } else if (isSimulator(env.NOMAPAY_BASE_URL)) {
    const id = await bridge.startIdentification({ bettorId: 'demo-bettor' });
    await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
    const opened = await id.startTwoFactor({ iin, phone: '+7 701 555 01 02' });
    await id.submitLiveness({ livenessToken: 'demo-capture' });
    await id.sendSmsCode();
    const sessionId = encodeURIComponent(opened.state.session!.sessionId);
    const sms = (await (await fetch(new URL(`/__admin/identification/sessions/${sessionId}/sms`, env.NOMAPAY_BASE_URL))).json()) as { code: string };
    await id.submitSmsCode({ code: sms.code });
    const state = await id.result();
    console.log(`  ✓ identification demo-bettor: ${state.step} (${state.method}; registered with ESU, identified e-wallet ${state.walletId})`);
  }

  const deposit = await bridge.deposit({ depositId: `demo-${run}-dep`, iin, amountTiyn: 250_000, currency: 'KZT' });
  console.log(`  ✓ deposit ${deposit.depositId}: ${deposit.status}, ${formatKzt(deposit.amountTiyn)}, ESU receipt ${deposit.esuReceipt?.receiptId}`);

  // Tell the ESU simulator to refuse the next deposit's recording, as ESU would refuse an invalid operation.
  const refusedId = `demo-${run}-refused`;
  if (isSimulator(env.ESU_BASE_URL)) {
    await post(env.ESU_BASE_URL!, '/__admin/faults', { match: { key: `dep-${refusedId}` }, kind: 'reject', code: 'LIMIT_EXCEEDED', message: 'daily limit exceeded' });
  }
  try {
    await bridge.deposit({ depositId: refusedId, iin, amountTiyn: 100_000, currency: 'KZT' });
    console.log(`  ? deposit ${refusedId} completed (the ESU in use did not refuse it)`);
  } catch (err) {
    if (!(err instanceof OperationFailedError)) throw err;
    const state = err.state as { status?: string; compensations?: string[] } | undefined;
    console.log(`  ✗ deposit ${refusedId}: ${err.type} → ${state?.status}; compensations: ${state?.compensations?.join(' → ')}`);
  }

  const betId = `demo-${run}-bet`;
  const bet = await bridge.placeBet({ betId, iin, stakeTiyn: 100_000, currency: 'KZT', eventId: 'kpl-2026-astana-kairat', outcome: 'HOME', odds: '2.35' });
  console.log(`  ✓ bet ${betId}: ${bet.status}, stake ${formatKzt(bet.stakeTiyn)} at ${bet.odds}, ESU receipt ${bet.esuReceipt?.receiptId}`);
  const settlement = await bridge.settleBet({ betId, result: 'WON' });
  console.log(`  ✓ settlement of ${betId}: ${settlement.status}, winnings ${formatKzt(settlement.winningsTiyn ?? 0)}`);

  const payoutId = `demo-${run}-pay`;
  const payout = await bridge.payout({ payoutId, iin, amountTiyn: 200_000, currency: 'KZT' });
  console.log(`  ✓ payout ${payoutId}: ${payout.status}, ${formatKzt(payout.amountTiyn)} to the e-wallet, ESU receipt ${payout.esuReceipt?.receiptId}`);

  for (const counterpartId of [counterpartOperationId('DEPOSIT', deposit.depositId), counterpartOperationId('PAYOUT', payoutId)]) {
    const submissionId = firstSubmissionId('AFM', counterpartId);
    const submission = await waitForAcknowledgement(bridge, submissionId);
    console.log(`  ✓ AFM submission ${submissionId}: ${submission.status}${submission.windowEndsAt ? `, AFM may reject it until ${submission.windowEndsAt}` : ''}`);
  }

  const totals = await bettingTotals(pool, ref);
  console.log(`  betting account balance: ${formatKzt(await bettorBalance(pool, ref))}`);
  console.log(`  running totals: received ${formatKzt(totals.receivedTiyn)}, paid ${formatKzt(totals.paidTiyn)}, staked ${formatKzt(totals.stakedTiyn)}, won ${formatKzt(totals.winningsTiyn)}`);
  console.log(`  find them: ${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`BettorRef="${ref}"`)}`);
}

/** The submission is a workflow of its own: give it a moment to be sent and acknowledged. */
async function waitForAcknowledgement(bridge: EsuBridgeClient, submissionId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await bridge.getSubmission(submissionId).catch(() => undefined);
    if (state && (state.status !== 'QUEUED' && state.status !== 'SENDING' && state.status !== 'RETRYING')) return state;
    if (Date.now() > deadline) return state ?? { status: 'NOT STARTED', windowEndsAt: undefined };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
