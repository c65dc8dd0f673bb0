import { afterAll, describe, expect, it } from 'vitest';
import { listSubmissions } from '../../console/inboxes/submissions.js';
import { type SubmissionPayload } from '../../domain/submission.js';
import { adultIin } from '../support/ids.js';
import { rejectAtAfm, startAfmSubmission } from '../support/submissions.js';
import { eventually, stack, useFileStack } from '../support/stack.js';
import { simAdmin } from '../support/sim-admin.js';

// The file stack's verdict reader reads AFM's messages every second: the real interval is a minute.
useFileStack();
const open: string[] = [];

afterAll(async () => {
  // The corrected attempt keeps polling for a working day: end it with the test.
  await stack?.endWorkflows(open.map((id) => `Submission:${id}`));
});

const afmHolds = () => simAdmin(stack.simulators.afm.url).heldSubmissions();

describe('AFM submission against the real stack', () => {
  it('is sent, rejected by AFM within its window, corrected through the client and sent again once', async () => {
    const iin = adultIin();
    const { submissionId, payload } = await startAfmSubmission(stack, iin);
    const resubmissionId = `${submissionId}-r2`;
    open.push(submissionId, resubmissionId);

    // AFM's written notice, inside its 1-working-day window.
    const { acknowledged, rejected: inbox } = await rejectAtAfm(stack, submissionId, {
      code: 'AMOUNT_MISMATCH',
      reason: 'the amount differs from the bank statement',
    });
    expect(acknowledged.message_id).toMatch(/^AFM-/);
    expect(acknowledged.window_ends_at.getTime()).toBeGreaterThan(Date.now());
    expect(acknowledged.bettor_ref).toBe(stack.esuBridge.bettorRef(iin));
    expect(inbox).toMatchObject({
      rejection_code: 'AMOUNT_MISMATCH',
      rejection_reason: 'the amount differs from the bank statement',
      rejection_source: 'VERDICT',
    });
    // Learnt from AFM's messages feed: not one status request for this submission while its window was open.
    const { requests } = await simAdmin(stack.simulators.afm.url).stats();
    expect(requests['GET /v1/submissions/:messageId'] ?? 0).toBe(0);
    expect(requests['GET /v1/messages']).toBeGreaterThan(0);
    expect(inbox.due_at.getTime()).toBeGreaterThan(inbox.rejected_at.getTime());
    const items = (await listSubmissions(
      stack.pool,
      { status: 'REJECTED', bettorRef: stack.esuBridge.bettorRef(iin) },
      300,
    ))!;
    expect(items.map((i) => i.id)).toEqual([submissionId]);
    expect(Date.parse(items[0]!.dueAt!)).toBe(inbox.due_at.getTime());

    const corrected: SubmissionPayload = { counterpart: 'AFM', record: { ...payload.record, receivedTiyn: 245_000 } };
    const answer = await stack.esuBridge.resubmitSubmission(submissionId, corrected, 'officer.aigerim');
    expect(answer.correctedBy?.submissionId).toBe(resubmissionId);
    const again = await stack.esuBridge.resubmitSubmission(submissionId, corrected, 'officer.aigerim');
    expect(again.correctedBy).toEqual(answer.correctedBy);

    const chain = await eventually(async () => {
      const { rows } = await stack.pool.query(
        'SELECT * FROM submissions WHERE original_submission_id = $1 ORDER BY attempt',
        [submissionId],
      );
      return rows.length === 2 && rows[1].status === 'ACKNOWLEDGED' && rows;
    });
    expect(chain.map((r) => [r.submission_id, r.attempt, r.status, r.corrects_submission_id, r.corrected_by])).toEqual([
      [submissionId, 1, 'CORRECTED', null, resubmissionId],
      [resubmissionId, 2, 'ACKNOWLEDGED', submissionId, null],
    ]);
    expect(chain[1].payload.record.receivedTiyn).toBe(245_000);

    // Exactly one record per attempt at AFM, under each attempt's own id.
    const held = (await afmHolds()).filter((h) => h.submissionId.startsWith(submissionId));
    expect(held.map((h) => h.submissionId).sort()).toEqual([submissionId, resubmissionId]);
    expect(held.find((h) => h.submissionId === resubmissionId)!.message.record.receivedTiyn).toBe(245_000);

    const { rows: journal } = await stack.pool.query(
      'SELECT event, actor FROM journal WHERE record_id = ANY($1::text[]) ORDER BY chain_seq',
      [[submissionId, resubmissionId]],
    );
    expect(journal.map((j) => j.event)).toEqual(
      expect.arrayContaining([
        'submission.queued',
        'submission.acknowledged',
        'submission.rejected',
        'submission.corrected',
      ]),
    );
    expect(journal.find((j) => j.event === 'submission.corrected')!.actor).toBe('officer.aigerim');

    // Retained at least 5 years: no deletion path.
    await expect(stack.pool.query('DELETE FROM submissions WHERE submission_id = $1', [submissionId])).rejects.toThrow(
      /retained until/,
    );
  });
});
