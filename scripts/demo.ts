import type { EsuBridgeClient } from '../client/index.js';
import { bettingTotals, bettorBalance, readBettorIdentification } from '../client/index.js';
import type { Pool } from '../db/pool.js';
import { withCheckDigit } from '../domain/iin.js';
import { formatKzt } from '../domain/money.js';
import { firstSubmissionId } from '../domain/submission.js';
import { counterpartOperationId } from '../domain/ids.js';

type Env = Record<string, string | undefined>;

const isSimulator = (url: string | undefined) =>
  Boolean(url?.startsWith('http://127.0.0.1') || url?.startsWith('http://localhost'));

async function post(baseUrl: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} → ${res.status} ${await res.text()}`);
}

export interface DemoApi {
  url: string;
  key: string;
}

/**
 * The bookmaker API as any backend calls it: plain HTTP and JSON, an API key, an Idempotency-Key on every POST
 * (the operation id itself for a start) and `Prefer: wait` for the final state. The same calls as curl are in the README.
 */
function apiCaller({ url, key }: DemoApi) {
  return async function call<T = any>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
    { wait = true } = {},
  ): Promise<{ status: number; replayed: boolean; body: T }> {
    const res = await fetch(new URL(path, url), {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': idempotencyKey! }),
        ...(wait ? { prefer: 'wait=30' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json()) as T;
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(answer)}`);
    return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: answer };
  };
}

const stepKey = (run: string, step: string) => `demo-${run}-${step}`;

/**
 * `npm start`'s demo, one bettor's day end to end, through the bookmaker API over plain HTTP: identification
 * through Nomapay (two-factor, the SMS code read from the simulator), a deposit, the same deposit sent again (a
 * replay: nothing moves twice), a deposit ESU refuses (compensated), a bet at 2.35 settled as won, a payout to
 * the e-wallet, and the two AFM submissions the money flows caused. Against real endpoints it skips what needs the
 * simulators (reading an SMS code, provoking a refusal).
 */
export async function runDemo(
  bridge: EsuBridgeClient,
  env: Env,
  pool: Pool,
  uiUrl: string,
  namespace: string,
  api: DemoApi,
): Promise<void> {
  const call = apiCaller(api);
  const run = Date.now().toString(36);
  const iin = withCheckDigit('90051730012');
  const ref = bridge.bettorRef(iin);
  console.log(`\nDemo over HTTP at ${api.url}: bettor ${iin.slice(0, 4)}******** (BettorRef ${ref.slice(0, 12)}…)`);

  const before = await readBettorIdentification(pool, { bettorId: 'demo-bettor' });
  if (before?.status === 'IDENTIFIED') {
    console.log(`  ✓ identification demo-bettor: IDENTIFIED earlier (${before.method}; e-wallet ${before.walletId})`);
  } else if (isSimulator(env.NOMAPAY_BASE_URL)) {
    const path = '/v1/identifications/demo-bettor';
    const step = { wait: false };
    await call('POST', '/v1/identifications', { bettorId: 'demo-bettor' }, 'demo-bettor', step);
    await call(
      'POST',
      `${path}/consent`,
      { accepted: true, agreementVersion: '2024-11' },
      stepKey(run, 'consent'),
      step,
    );
    const opened = await call(
      'POST',
      `${path}/two-factor`,
      { iin, phone: '+7 701 555 01 02' },
      stepKey(run, 'two-factor'),
      step,
    );
    await call('POST', `${path}/liveness`, { livenessToken: 'demo-capture' }, stepKey(run, 'liveness'), step);
    await call('POST', `${path}/sms`, {}, stepKey(run, 'sms'), step);
    const sessionId = encodeURIComponent(opened.body.state.session.sessionId);
    const sms = (await (
      await fetch(new URL(`/__admin/identification/sessions/${sessionId}/sms`, env.NOMAPAY_BASE_URL))
    ).json()) as { code: string };
    await call('POST', `${path}/sms-code`, { code: sms.code }, stepKey(run, 'sms-code'), step);
    const state = (await call('POST', '/v1/identifications', { bettorId: 'demo-bettor' }, 'demo-bettor')).body;
    console.log(
      `  ✓ identification demo-bettor: ${state.step} (${state.method}; registered with ESU, identified e-wallet ${state.walletId})`,
    );
  }

  const depositId = `demo-${run}-dep`;
  const depositBody = { depositId, iin, amountTiyn: 250_000, currency: 'KZT' };
  const deposit = (await call('POST', '/v1/deposits', depositBody, depositId)).body;
  console.log(
    `  ✓ deposit ${deposit.depositId}: ${deposit.status}, ${formatKzt(deposit.amountTiyn)}, ESU receipt ${deposit.esuReceipt?.receiptId}`,
  );
  const replay = await call('POST', '/v1/deposits', depositBody, depositId);
  console.log(
    `  ↺ deposit ${depositId} sent again: Idempotent-Replayed: ${replay.replayed}, still ${replay.body.status}, nothing moved twice`,
  );

  // Tell the ESU simulator to refuse the next deposit's recording, as ESU would refuse an invalid operation.
  const refusedId = `demo-${run}-refused`;
  if (isSimulator(env.ESU_BASE_URL)) {
    await post(env.ESU_BASE_URL!, '/__admin/faults', {
      match: { key: `dep-${refusedId}` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
      message: 'daily limit exceeded',
    });
  }
  const refused = (
    await call('POST', '/v1/deposits', { depositId: refusedId, iin, amountTiyn: 100_000, currency: 'KZT' }, refusedId)
  ).body;
  if (refused.failure)
    console.log(
      `  ✗ deposit ${refusedId}: ${refused.failure.type} → ${refused.status}; compensations: ${refused.compensations.join(' → ')}`,
    );
  else console.log(`  ? deposit ${refusedId}: ${refused.status} (the ESU in use did not refuse it)`);

  const betId = `demo-${run}-bet`;
  const bet = (
    await call(
      'POST',
      '/v1/bets',
      {
        betId,
        iin,
        stakeTiyn: 100_000,
        currency: 'KZT',
        eventId: 'kpl-2026-astana-kairat',
        outcome: 'HOME',
        odds: '2.35',
      },
      betId,
    )
  ).body;
  console.log(
    `  ✓ bet ${betId}: ${bet.status}, stake ${formatKzt(bet.stakeTiyn)} at ${bet.odds}, ESU receipt ${bet.esuReceipt?.receiptId}`,
  );
  const settlement = (await call('POST', `/v1/bets/${betId}/settlement`, { result: 'WON' }, `${betId}.settle`)).body;
  console.log(`  ✓ settlement of ${betId}: ${settlement.status}, winnings ${formatKzt(settlement.winningsTiyn ?? 0)}`);

  const payoutId = `demo-${run}-pay`;
  const payout = (await call('POST', '/v1/payouts', { payoutId, iin, amountTiyn: 200_000, currency: 'KZT' }, payoutId))
    .body;
  console.log(
    `  ✓ payout ${payoutId}: ${payout.status}, ${formatKzt(payout.amountTiyn)} to the e-wallet, ESU receipt ${payout.esuReceipt?.receiptId}`,
  );

  for (const counterpartId of [
    counterpartOperationId('DEPOSIT', depositId),
    counterpartOperationId('PAYOUT', payoutId),
  ]) {
    const submissionId = firstSubmissionId('AFM', counterpartId);
    const submission = await waitForAcknowledgement(bridge, submissionId);
    console.log(
      `  ✓ AFM submission ${submissionId}: ${submission.status}${submission.windowEndsAt ? `, AFM may reject it until ${submission.windowEndsAt}` : ''}`,
    );
  }

  const totals = await bettingTotals(pool, ref);
  console.log(`  betting account balance: ${formatKzt(await bettorBalance(pool, ref))}`);
  console.log(
    `  running totals: received ${formatKzt(totals.receivedTiyn)}, paid ${formatKzt(totals.paidTiyn)}, staked ${formatKzt(totals.stakedTiyn)}, won ${formatKzt(totals.winningsTiyn)}`,
  );
  console.log(
    `  find them: ${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`BettorRef="${ref}"`)}`,
  );
}

/** The submission is a workflow of its own: give it a moment to be sent and acknowledged. */
async function waitForAcknowledgement(bridge: EsuBridgeClient, submissionId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await bridge.getSubmission(submissionId).catch(() => undefined);
    if (state && state.status !== 'QUEUED' && state.status !== 'SENDING' && state.status !== 'RETRYING') return state;
    if (Date.now() > deadline) return state ?? { status: 'NOT STARTED', windowEndsAt: undefined };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
