import { describe, expect, it } from 'vitest';
import { recordHistory } from '../support/histories.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { TEST_PHOTO } from '../support/identification.js';
import { eventually, stack, useFileStack } from '../support/stack.js';
import { simAdmin } from '../support/sim-admin.js';
import { startAfmSubmission } from '../support/submissions.js';
import { recordWrittenNotice } from '../../client/written-notices.js';

/**
 * Runs deposits (completed, compensated), a bet, its settlement, a payout and the payout's AFM submission, a
 * voided bet, a refused settlement and a compensated payout against the real stack and checks their histories are replayable by test/replay. With RECORD_HISTORIES=1 it also rewrites test/replay/histories/*.json —
 * do that, and commit the files, when a workflow change is meant to be incompatible (with a new
 * workflow type or a patch for runs already in flight).
 */
useFileStack();

const record = (name: string, workflowId: string, minEvents?: number) =>
  recordHistory(name, { env: stack.env, workflowId }, minEvents);

describe('histories for replay', () => {
  it('records a completed and a compensated deposit', async () => {
    const iin = adultIin();
    const okId = uniqueId('dep');
    const refusedId = uniqueId('dep');
    await stack.esuBridge.deposit({ depositId: okId, iin, amountTiyn: 120_000, currency: 'KZT' });
    await simAdmin(stack.simulators.esu.url).fault({
      match: { key: `dep-${refusedId}` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });
    await stack.esuBridge
      .deposit({ depositId: refusedId, iin, amountTiyn: 80_000, currency: 'KZT' })
      .catch(() => undefined);
    // The histories on file predate the identification gate and the AFM report (deposit-completed.json), then the
    // operation registry (…-gated.json), then the lean steps (…-registered.json), then the AFM report's first round in
    // the saga (…-lean.json), each behind patched(): today's runs are kept as their own files, the old ones stay.
    await record('deposit-completed-afm-first-round', `Deposit:${okId}`);
    await record('deposit-compensated-lean', `Deposit:${refusedId}`);
  });

  it('records a bet, its settlement, a payout and the payout’s AFM submission', async () => {
    const iin = adultIin();
    const betId = uniqueId('bet');
    const payoutId = uniqueId('pay');
    await stack.esuBridge.deposit({ depositId: uniqueId('dep'), iin, amountTiyn: 200_000, currency: 'KZT' });
    await stack.esuBridge.placeBet({
      betId,
      iin,
      stakeTiyn: 50_000,
      currency: 'KZT',
      eventId: 'kpl-1',
      outcome: 'HOME',
      odds: '2.35',
    });
    await stack.esuBridge.settleBet({ betId, result: 'WON' });
    await stack.esuBridge.payout({ payoutId, iin, amountTiyn: 100_000, currency: 'KZT' });
    // bet-accepted.json, settlement-won.json and payout-completed.json predate the operation registry, the
    // …-registered.json files the lean steps (patched 'lean-bet', 'lean-settlement', 'lean-payout'),
    // payout-completed-lean.json the AFM report's first round in the saga (patched 'afm-first-round-in-saga').
    await record('bet-accepted-lean', `Bet:${betId}`);
    await record('settlement-won-lean', `Settlement:${betId}`);
    await record('payout-completed-afm-first-round', `Payout:${payoutId}`);
    // Running: sent by the payout, started acknowledged, waiting out AFM's window (submission-acknowledged.json: sent
    // by the submission itself). A partial history replays as well as a closed one.
    const submissionId = `afm-pay-${payoutId}`;
    await eventually(async () => (await stack.esuBridge.getSubmission(submissionId)).status === 'ACKNOWLEDGED');
    await record('submission-acknowledged-by-saga', `Submission:${submissionId}`, 5);
    await stack.client.workflow.getHandle(`Submission:${submissionId}`).terminate('recorded');
  });

  it('records a voided bet, a refused settlement and a compensated payout', async () => {
    const iin = adultIin();
    const betId = uniqueId('bet');
    const payoutId = uniqueId('pay');
    await stack.esuBridge.deposit({ depositId: uniqueId('dep'), iin, amountTiyn: 200_000, currency: 'KZT' });
    await simAdmin(stack.simulators.esu.url).fault({
      match: { method: 'POST', pathPrefix: '/v1/operations', key: `bet-${betId}` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });
    const bet = { betId, iin, stakeTiyn: 50_000, currency: 'KZT', eventId: 'kpl-2', outcome: 'AWAY', odds: '3.1' };
    const failed = (p: Promise<unknown>) =>
      p.then(
        () => 'completed',
        (e: { type?: string }) => e.type,
      );
    expect(await failed(stack.esuBridge.placeBet(bet))).toBe('EsuRejected');
    // No bet under this id was ever accepted: the settlement is refused before anything moves.
    const unknownBet = uniqueId('bet');
    expect(await failed(stack.esuBridge.settleBet({ betId: unknownBet, result: 'WON' }))).toBe('UnknownBet');
    await simAdmin(stack.simulators.nomapay.url).fault({
      match: { method: 'POST', pathPrefix: '/v1/transfers', key: `pay-${payoutId}` },
      kind: 'reject',
      code: 'WALLET_BLOCKED',
    });
    expect(await failed(stack.esuBridge.payout({ payoutId, iin, amountTiyn: 100_000, currency: 'KZT' }))).toBe(
      'WalletRejected',
    );
    await record('bet-voided-lean', `Bet:${betId}`);
    await record('settlement-refused-lean', `Settlement:${unknownBet}`, 5);
    await record('payout-compensated-lean', `Payout:${payoutId}`);
  });

  it('records a submission rejected by AFM’s written notice and corrected', async () => {
    const { submissionId, payload } = await startAfmSubmission(stack, adultIin());
    const flow = payload.record;
    await eventually(async () => (await stack.esuBridge.getSubmission(submissionId)).status === 'ACKNOWLEDGED');
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');
    const noticeDate = new Date(Date.now() + 5 * 3_600_000).toISOString().slice(0, 10);
    await recordWrittenNotice(
      { pool: stack.pool, submissions: stack.esuBridge },
      submissionId,
      {
        afmReference: uniqueId('04-2/'),
        noticeDate,
        reason: 'IIN not in the register',
        scan: { mediaType: 'application/pdf', contentBase64: pdf },
      },
      'officer.aigerim',
    );
    await stack.esuBridge.resubmitSubmission(
      submissionId,
      { counterpart: 'AFM', record: { ...flow, receivedTiyn: 260_000 } },
      'officer.aigerim',
    );
    await stack.client.workflow.getHandle(`Submission:${submissionId}`).result();
    // Written notice (patched 'afm-written-notice'), rejection, correction: the workflow ends CORRECTED.
    await record('submission-written-notice', `Submission:${submissionId}`, 10);
    await stack.client.workflow.getHandle(`Submission:${submissionId}-r2`).terminate('recorded');
  });

  it('records a submission AFM rejected through its messages feed, and the verdict reader that read it', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    await stack.esuBridge.deposit({ depositId, iin, amountTiyn: 90_000, currency: 'KZT' });
    const submissionId = `afm-dep-${depositId}`;
    const acknowledged = await eventually(async () => {
      const state = await stack.esuBridge.getSubmission(submissionId);
      return state.status === 'ACKNOWLEDGED' && state;
    });
    const res = await fetch(
      new URL(`/__admin/submissions/${acknowledged.receipt!.messageId}/reject`, stack.simulators.afm.url),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'IIN_UNKNOWN', reason: 'the IIN is not in the state register' }),
      },
    );
    expect(res.status).toBe(200);
    await eventually(async () => (await stack.esuBridge.getSubmission(submissionId)).status === 'REJECTED');
    // The afm-verdict-by-signal path: sent by the deposit, waiting on the signal, then REJECTED from the feed
    // (submission-rejected-by-feed.json: sent by the submission itself).
    await record('submission-rejected-by-feed-sent-by-saga', `Submission:${submissionId}`, 5);
    await record('verdict-reader', stack.verdictReader!, 10);
    await stack.client.workflow.getHandle(`Submission:${submissionId}`).terminate('recorded');
  });

  it('records identifications by each method: two-factor, photo match, offline review, and a revoked consent', async () => {
    const nomapay = stack.simulators.nomapay.url;
    const consent = { accepted: true, agreementVersion: '2024-11' };
    const photo = TEST_PHOTO;

    // Two-factor: a session, liveness, an SMS, a wrong code, then the right one.
    const twoFactorIin = adultIin();
    const twoFactor = await stack.esuBridge.startIdentification({ bettorId: uniqueId('bettor') });
    await twoFactor.giveConsent(consent);
    const opened = await twoFactor.startTwoFactor({ iin: twoFactorIin, phone: '+7 701 123 45 67' });
    await twoFactor.submitLiveness({ livenessToken: 'capture-1' });
    await twoFactor.sendSmsCode();
    await twoFactor.submitSmsCode({ code: '00000' });
    await twoFactor.submitSmsCode({ code: await simAdmin(nomapay).smsCode(opened.state.session!.sessionId) });
    expect((await twoFactor.result()).step).toBe('IDENTIFIED');
    await record('identification-two-factor', twoFactor.workflowId);

    // Photo match, then the bookmaker's decision; then three photos below 85 %: the offline check (§16), approved.
    const photoIdentification = async (photoScore: number) => {
      const iin = adultIin();
      await simAdmin(nomapay).setPerson({ iin, photoScore });
      const id = await stack.esuBridge.startIdentification({ bettorId: uniqueId('bettor') });
      await id.giveConsent(consent);
      return { id, submit: () => id.submitPhoto({ iin, photo }) };
    };
    const matched = await photoIdentification(85);
    await matched.submit();
    await matched.id.recordDecision({ positive: true, decidedBy: 'kyc.officer' });
    expect((await matched.id.result()).step).toBe('IDENTIFIED');
    await record('identification-photo', matched.id.workflowId);
    const reviewed = await photoIdentification(40);
    for (let i = 0; i < 3; i++) await reviewed.submit();
    await reviewed.id.decideReview({ approved: true, reviewer: 'kyc.reviewer', note: 'documents seen' });
    expect((await reviewed.id.result()).step).toBe('IDENTIFIED');
    await record('identification-review', reviewed.id.workflowId);

    // Consent given, then revoked in the app before any method: refused.
    const revoked = await stack.esuBridge.startIdentification({ bettorId: uniqueId('bettor') });
    await revoked.giveConsent(consent);
    await revoked.revokeConsent({ source: 'APP' });
    expect((await revoked.result()).step).toBe('REFUSED');
    await record('identification-consent-revoked', revoked.workflowId, 5);
  });
});
