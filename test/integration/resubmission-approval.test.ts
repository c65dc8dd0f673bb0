import { afterAll, describe, expect, it } from 'vitest';
import type { SubmissionPayload } from '../../domain/submission.js';
import { eventually } from '../support/stack.js';
import { consoleStack, signedIn, useConsoleStack } from '../support/console.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { startFirstSubmission, submissionIn } from '../support/submissions.js';

/**
 * Correct and resubmit under the console's rules (issue 14): the bettor, the operation's id and kind are pinned;
 * what changed is journalled old → new without the IIN; an amount or a date change waits for a second officer.
 */
useConsoleStack({}, 120_000);
const aigerim = signedIn('aigerim');
const erlan = signedIn('erlan');
const saule = signedIn('saule');
const started: string[] = [];

afterAll(async () => {
  await consoleStack?.endWorkflows(started.map((id) => `Submission:${id}`));
});

const status = async (id: string) =>
  (await consoleStack.pool.query('SELECT status, corrected_by FROM submissions WHERE submission_id = $1', [id]))
    .rows[0];

/** A submission refused before it began (as a saga hands ESU's refusal over): REJECTED at once, waiting for a correction. */
async function rejected(counterpart: 'AFM' | 'ESU') {
  const iin = adultIin();
  const occurredAt = new Date(Date.now() - 3600_000).toISOString();
  const { submissionId, payload } = await startFirstSubmission(
    consoleStack,
    iin,
    (operationId): SubmissionPayload =>
      counterpart === 'AFM'
        ? { counterpart, record: { iin, receivedAt: occurredAt, receivedTiyn: 1_250_000 } }
        : {
            counterpart,
            record: { operationId, kind: 'DEPOSIT', iin, amountTiyn: 1_250_000, currency: 'KZT', occurredAt },
          },
    {
      code: 'AMOUNT_MISMATCH',
      reason: 'the amount differs from the bank statement',
      rejectedAt: new Date().toISOString(),
    },
  );
  started.push(submissionId, `${submissionId}-r2`);
  await submissionIn(consoleStack, submissionId, 'REJECTED');
  return { submissionId, iin, payload };
}

const journal = async (recordId: string, event: string) =>
  (
    await consoleStack.pool.query(
      'SELECT actor, result, details FROM journal WHERE record_id = $1 AND event = $2 ORDER BY chain_seq',
      [recordId, event],
    )
  ).rows;

describe('a resubmission keeps what must not change', () => {
  it("refuses another bettor's IIN, naming the field and never echoing the IIN", async () => {
    const { submissionId, payload } = await rejected('AFM');
    const other = adultIin();
    const res = await aigerim.post(`/api/submissions/${submissionId}/resubmit`, {
      payload: { ...payload, record: { ...payload.record, iin: other } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('payload.record.iin');
    expect(res.text).not.toContain(other);
    const refusals = await journal(submissionId, 'console.submission-resubmitted');
    expect(refusals.at(-1)!.result).toBe('REFUSED');
    expect(JSON.stringify(refusals)).not.toContain(other);
    expect((await status(submissionId)).status).toBe('REJECTED');
  });

  it("refuses a change of an ESU record's operation id or kind, and an AFM record's direction", async () => {
    const esu = await rejected('ESU');
    const record = (esu.payload as Extract<SubmissionPayload, { counterpart: 'ESU' }>).record;
    const id = await aigerim.post(`/api/submissions/${esu.submissionId}/resubmit`, {
      payload: { counterpart: 'ESU', record: { ...record, operationId: uniqueId('dep') } },
    });
    expect(id.status).toBe(400);
    expect(id.body.error.message).toContain('payload.record.operationId');
    const kind = await aigerim.post(`/api/submissions/${esu.submissionId}/resubmit`, {
      payload: { counterpart: 'ESU', record: { ...record, kind: 'PAYOUT' } },
    });
    expect(kind.status).toBe(400);
    expect(kind.body.error.message).toContain('payload.record.kind');
    const afm = await rejected('AFM');
    const paid = await aigerim.post(`/api/submissions/${afm.submissionId}/resubmit`, {
      payload: { counterpart: 'AFM', record: { iin: afm.iin, paidAt: new Date().toISOString(), paidTiyn: 5 } },
    });
    expect(paid.status).toBe(400);
    expect(paid.body.error.message).toContain('payload.record.receivedTiyn');
    const bad = await aigerim.post(`/api/submissions/${afm.submissionId}/resubmit`, {
      payload: { counterpart: 'AFM', record: { iin: afm.iin, receivedAt: 'yesterday', receivedTiyn: 5 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('payload.record.receivedAt');
  });
});

describe('an amount or a date change waits for a second officer', () => {
  it('holds the correction, refuses the same officer and an auditor, and sends it once another officer approves', async () => {
    const { submissionId, iin, payload } = await rejected('AFM');
    const corrected = { ...payload, record: { ...payload.record, receivedTiyn: 1_205_000 } };
    const held = await aigerim.post(`/api/submissions/${submissionId}/resubmit`, { payload: corrected });
    expect(held.status, held.text).toBe(200);
    expect(held.body.status).toBe('AWAITING_APPROVAL');
    expect(held.body.approval.changes).toEqual([
      { field: 'payload.record.receivedTiyn', old: 1_250_000, new: 1_205_000 },
    ]);
    expect((await status(submissionId)).status).toBe('REJECTED');

    // The old and new values are journalled; the IIN is not.
    const requested = await journal(submissionId, 'console.submission-resubmitted');
    expect(requested.at(-1)).toMatchObject({
      actor: 'aigerim',
      result: 'OK',
      details: {
        awaitingApproval: true,
        changes: [{ field: 'payload.record.receivedTiyn', old: 1_250_000, new: 1_205_000 }],
      },
    });
    expect(JSON.stringify(requested)).not.toContain(iin);

    // Shown on the submission's page: to the other officer with the approve button, to the author without it.
    const seenByErlan = await erlan.get(`/api/inboxes/submissions/${submissionId}`);
    expect(seenByErlan.body.flags).toContain('AWAITING APPROVAL');
    expect(seenByErlan.body.approval).toMatchObject({
      requestedBy: 'aigerim',
      changes: [{ field: 'payload.record.receivedTiyn' }],
    });
    expect(seenByErlan.body.actions).toEqual(expect.arrayContaining(['approve-resubmission', 'refuse-resubmission']));
    expect(seenByErlan.body.actions).not.toContain('resubmit');
    expect((await aigerim.get(`/api/inboxes/submissions/${submissionId}`)).body.actions).not.toContain(
      'approve-resubmission',
    );

    const again = await aigerim.post(`/api/submissions/${submissionId}/resubmit`, { payload: corrected });
    expect(again.status).toBe(409);
    const own = await aigerim.post(`/api/submissions/${submissionId}/resubmission/approve`, {});
    expect(own.status).toBe(409);
    expect(own.body.error.message).toMatch(/^approver: aigerim .*cannot approve their own/);
    expect((await saule.post(`/api/submissions/${submissionId}/resubmission/approve`, {})).status).toBe(403);
    expect((await status(submissionId)).status).toBe('REJECTED');

    const approved = await erlan.post(`/api/submissions/${submissionId}/resubmission/approve`, {
      note: 'checked against the bank statement',
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.correctedBy.submissionId).toBe(`${submissionId}-r2`);
    const chain = await eventually(async () => {
      const { rows } = await consoleStack.pool.query(
        `SELECT submission_id, status, payload FROM submissions WHERE original_submission_id = $1 ORDER BY attempt`,
        [submissionId],
      );
      return rows.length === 2 && rows[0].status === 'CORRECTED' ? rows : undefined;
    }, 20_000);
    expect(chain[1].payload.record.receivedTiyn).toBe(1_205_000);
    const approvals = await journal(submissionId, 'console.submission-resubmission-approved');
    expect(approvals.at(-1)).toMatchObject({
      actor: 'erlan',
      result: 'OK',
      details: { requestedBy: 'aigerim', note: 'checked against the bank statement' },
    });
    expect(
      (
        await consoleStack.pool.query(
          `SELECT status, decided_by FROM resubmission_approvals WHERE submission_id = $1`,
          [submissionId],
        )
      ).rows,
    ).toEqual([{ status: 'APPROVED', decided_by: 'erlan' }]);
  });

  it('a refused correction is not sent; the submission stays REJECTED and can be corrected again', async () => {
    const { submissionId, payload } = await rejected('ESU');
    const record = (payload as Extract<SubmissionPayload, { counterpart: 'ESU' }>).record;
    const moved = new Date(Date.parse(record.occurredAt) - 60_000).toISOString();
    const held = await aigerim.post(`/api/submissions/${submissionId}/resubmit`, {
      payload: { counterpart: 'ESU', record: { ...record, occurredAt: moved } },
    });
    expect(held.body.approval.changes).toEqual([
      { field: 'payload.record.occurredAt', old: record.occurredAt, new: moved },
    ]);
    const refusedRes = await erlan.post(`/api/submissions/${submissionId}/resubmission/refuse`, {
      note: 'the bank statement has the first time',
    });
    expect(refusedRes.status, refusedRes.text).toBe(200);
    expect((await journal(submissionId, 'console.submission-resubmission-refused')).at(-1)).toMatchObject({
      actor: 'erlan',
      result: 'OK',
      details: { requestedBy: 'aigerim' },
    });
    expect((await status(submissionId)).status).toBe('REJECTED');
    expect((await erlan.post(`/api/submissions/${submissionId}/resubmission/approve`, {})).status).toBe(404);
    const page = await erlan.get(`/api/inboxes/submissions/${submissionId}`);
    expect(page.body.approval).toBeUndefined();
    expect(page.body.actions).toContain('resubmit');
  });

  it('a correction that changes no amount or date goes straight through', async () => {
    const { submissionId, payload } = await rejected('AFM');
    const res = await aigerim.post(`/api/submissions/${submissionId}/resubmit`, { payload });
    expect(res.status, res.text).toBe(200);
    expect(res.body.correctedBy.submissionId).toBe(`${submissionId}-r2`);
    expect((await journal(submissionId, 'console.submission-resubmitted')).at(-1)).toMatchObject({
      result: 'OK',
      details: { awaitingApproval: false, changes: [] },
    });
  });
});
