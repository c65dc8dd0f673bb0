import { describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import { bettorBalance, bettorTotals } from '../../store/ledger.js';
import { InvalidRequestError, IdempotencyConflictError, OperationFailedError } from '../../client/index.js';
import { ErrorType } from '../../domain/errors.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { eventually, stack, useFileStack } from '../support/stack.js';
import { simAdmin } from '../support/sim-admin.js';

const { temporal } = proto; // CommonJS package

useFileStack();

const KZT_5000 = 500_000;

describe('deposit against the real stack', () => {
  it('moves the money once, records it in ESU with a receipt and shows in visibility by BettorRef only', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const wallet = simAdmin(stack.simulators.nomapay.url);
    const before = await wallet.walletBalance(iin);

    const state = await stack.esuBridge.deposit({ depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' });

    expect(state.status).toBe('COMPLETED');
    expect(state.esuReceipt?.operationId).toBe(`dep-${depositId}`);
    const ref = stack.esuBridge.bettorRef(iin);
    expect(await bettorBalance(stack.pool, ref)).toBe(KZT_5000);
    expect(await bettorTotals(stack.pool, ref)).toEqual({ receivedTiyn: KZT_5000, paidTiyn: 0 });
    expect(await wallet.walletBalance(iin)).toBe(before - KZT_5000);
    expect(await simAdmin(stack.simulators.esu.url).appliedCount(`dep-${depositId}`)).toBe(1);
    expect(await wallet.appliedCount(`dep-${depositId}`)).toBe(1);

    const { rows: ops } = await stack.pool.query(
      'SELECT status, esu_receipt_id FROM operations WHERE operation_id = $1',
      [depositId],
    );
    expect(ops).toEqual([{ status: 'COMPLETED', esu_receipt_id: state.esuReceipt?.receiptId }]);
    const { rows: journal } = await stack.pool.query(
      'SELECT event, actor, result FROM journal WHERE record_id = $1 ORDER BY id',
      [depositId],
    );
    expect(journal.map((r) => r.event)).toEqual([
      'deposit.received',
      'deposit.bettor-eligible',
      'deposit.wallet-debited',
      'deposit.account-credited',
      'deposit.completed',
    ]);

    const description = await stack.client.workflow.getHandle(`Deposit:${depositId}`).describe();
    const attributes = description.typedSearchAttributes;
    expect(attributes.get({ name: 'OperationKind', type: 'KEYWORD' })).toBe('DEPOSIT');
    expect(attributes.get({ name: 'OperationStatus', type: 'KEYWORD' })).toBe('COMPLETED');
    expect(attributes.get({ name: 'BettorRef', type: 'KEYWORD' })).toBe(ref);
    // Every search attribute decoded to its value (raw payload bytes would never show the IIN as text).
    const indexed = description.raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
    const values = Object.values(indexed).map((payload) =>
      JSON.stringify(defaultPayloadConverter.fromPayload(payload)),
    );
    expect(values).toContain(JSON.stringify(ref));
    expect(values.join(' ')).not.toContain(iin);
    expect(JSON.stringify(description.memo)).not.toContain(iin);

    // The history as Temporal stores it, read without the codec: the IIN's bytes are in no event. Decoded with
    // the codec, its input does carry the IIN: the search is real.
    const stored = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.env.TEMPORAL_NAMESPACE!,
      execution: { workflowId: `Deposit:${depositId}` },
    });
    const raw = Buffer.from(temporal.api.history.v1.History.encode(stored.history!).finish());
    expect(raw.includes(Buffer.from(iin))).toBe(false);
    const input = stored.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const [plain] = await encryptionCodecFromEnv(stack.env).decode([input]);
    expect(defaultPayloadConverter.fromPayload<{ iin: string }>(plain!).iin).toBe(iin);

    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({
        query: `BettorRef = "${ref}" AND OperationKind = "DEPOSIT"`,
      }))
        ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    });
    expect(listed).toEqual([`Deposit:${depositId}`]);
  });

  it('reverses the credit and refunds the wallet when ESU refuses the operation', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const wallet = simAdmin(stack.simulators.nomapay.url);
    const before = await wallet.walletBalance(iin);
    await simAdmin(stack.simulators.esu.url).fault({
      match: { key: `dep-${depositId}` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });

    const error = await stack.esuBridge
      .deposit({ depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' })
      .catch((e) => e);

    expect(error).toBeInstanceOf(OperationFailedError);
    expect((error as OperationFailedError).type).toBe(ErrorType.EsuRejected);
    expect((error as OperationFailedError<{ status: string }>).state?.status).toBe('COMPENSATED');
    const ref = stack.esuBridge.bettorRef(iin);
    expect(await bettorBalance(stack.pool, ref)).toBe(0);
    expect(await bettorTotals(stack.pool, ref)).toEqual({ receivedTiyn: 0, paidTiyn: 0 });
    expect(await wallet.walletBalance(iin)).toBe(before);
    expect(await simAdmin(stack.simulators.esu.url).appliedCount(`dep-${depositId}`)).toBe(0);
    const { rows } = await stack.pool.query('SELECT status, failure_type FROM operations WHERE operation_id = $1', [
      depositId,
    ]);
    expect(rows).toEqual([{ status: 'COMPENSATED', failure_type: ErrorType.EsuRejected }]);
  });

  it('retries through transient faults and a lost answer without moving money twice', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const esu = simAdmin(stack.simulators.esu.url);
    const wallet = simAdmin(stack.simulators.nomapay.url);
    const before = await wallet.walletBalance(iin);
    // Nomapay applies the debit but the answer is lost; ESU fails twice before answering.
    await wallet.fault({ match: { key: `dep-${depositId}`, method: 'POST' }, kind: 'apply-then-error', times: 1 });
    await esu.fault({ match: { key: `dep-${depositId}`, method: 'POST' }, kind: 'error', status: 503, times: 2 });

    const state = await stack.esuBridge.deposit({ depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' });

    expect(state.status).toBe('COMPLETED');
    expect(await wallet.appliedCount(`dep-${depositId}`)).toBe(1);
    expect(await wallet.walletBalance(iin)).toBe(before - KZT_5000);
    expect(await esu.appliedCount(`dep-${depositId}`)).toBe(1);
  });

  it('joins the same deposit when it is submitted again, and refuses the id with another body', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const request = { depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' };

    const [first, second] = await Promise.all([
      stack.esuBridge.startDeposit(request),
      stack.esuBridge.startDeposit(request),
    ]);
    expect([first.joined, second.joined].sort()).toEqual([false, true]);
    await first.result();
    const third = await stack.esuBridge.startDeposit(request);
    expect(third.joined).toBe(true);
    expect((await third.result()).status).toBe('COMPLETED');

    expect(await simAdmin(stack.simulators.nomapay.url).appliedCount(`dep-${depositId}`)).toBe(1);
    expect(await simAdmin(stack.simulators.esu.url).appliedCount(`dep-${depositId}`)).toBe(1);
    expect(await bettorBalance(stack.pool, stack.esuBridge.bettorRef(iin))).toBe(KZT_5000);

    await expect(stack.esuBridge.startDeposit({ ...request, amountTiyn: KZT_5000 + 1 })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });

  it('refuses bad input naming the fields, and starts nothing', async () => {
    const depositId = uniqueId('dep');
    const error = await stack.esuBridge
      .startDeposit({ depositId, iin: '900517300129', amountTiyn: 10.5, currency: 'USD' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).issues.map((i) => i.field).sort()).toEqual(['amountTiyn', 'currency', 'iin']);
    expect((error as Error).message).toContain('IIN check digit does not match');
    await expect(stack.client.workflow.getHandle(`Deposit:${depositId}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    const { rowCount } = await stack.pool.query('SELECT 1 FROM operations WHERE operation_id = $1', [depositId]);
    expect(rowCount).toBe(0);
  });

  it('refuses a self-excluded bettor before any money moves', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    await simAdmin(stack.simulators.esu.url).restrict(iin, 'SELF_EXCLUDED');

    const error = await stack.esuBridge
      .deposit({ depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' })
      .catch((e) => e);

    expect((error as OperationFailedError).type).toBe(ErrorType.BettorRestricted);
    expect(await simAdmin(stack.simulators.nomapay.url).appliedCount(`dep-${depositId}`)).toBe(0);
    expect(await bettorBalance(stack.pool, stack.esuBridge.bettorRef(iin))).toBe(0);

    // The client reads the reason; Temporal stores it only encrypted (the failure's message is about a person).
    expect((error as OperationFailedError).message).toContain('SELF_EXCLUDED');
    const stored = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.env.TEMPORAL_NAMESPACE!,
      execution: { workflowId: `Deposit:${depositId}` },
    });
    const raw = Buffer.from(temporal.api.history.v1.History.encode(stored.history!).finish());
    expect(raw.includes(Buffer.from('SELF_EXCLUDED'))).toBe(false);
    const failed = stored.history!.events!.find((e) => e.workflowExecutionFailedEventAttributes)!
      .workflowExecutionFailedEventAttributes!.failure!;
    expect(failed.message).toBe('Encoded failure');
    expect(failed.applicationFailureInfo?.type).toBe(ErrorType.BettorRestricted);
    expect(Buffer.from(failed.encodedAttributes!.metadata!.encoding!).toString()).toBe('binary/encrypted');
  });
});

describe('a deposit’s AFM report, its first round sent by the saga', () => {
  const afm = () => simAdmin(stack.simulators.afm.url);
  const heldOf = async (submissionId: string) =>
    (await afm().heldSubmissions()).filter((h) => h.submissionId === submissionId);
  const journalOf = async (submissionId: string) =>
    (
      await stack.pool.query<{ event: string; actor: string; result: string }>(
        'SELECT event, actor, result FROM journal WHERE record_id = $1 ORDER BY id',
        [submissionId],
      )
    ).rows;
  const eventTypes = async (workflowId: string) => {
    const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.env.TEMPORAL_NAMESPACE!,
      execution: { workflowId },
    });
    return history!.events!.map((e) => temporal.api.enums.v1.EventType[e.eventType!]);
  };

  it('starts the submission acknowledged, journalled as the submission would, with no send of its own', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const submissionId = `afm-dep-${depositId}`;
    await stack.esuBridge.deposit({ depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' });

    // Acknowledged by the time the deposit answers: the saga's last local activity sent it and wrote its row.
    const { rows } = await stack.pool.query(
      'SELECT status, message_id, window_ends_at, revision FROM submissions WHERE submission_id = $1',
      [submissionId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'ACKNOWLEDGED', revision: 3 });
    const held = await heldOf(submissionId);
    expect(held).toHaveLength(1);
    expect(held[0]!.messageId).toBe(rows[0].message_id);
    expect(held[0]!.message.record).toMatchObject({ iin, receivedTiyn: KZT_5000 });
    expect(await journalOf(submissionId)).toEqual([
      { event: 'submission.queued', actor: 'system', result: 'OK' },
      { event: 'submission.sending', actor: 'system', result: 'OK' },
      { event: 'submission.acknowledged', actor: 'system', result: 'OK' },
    ]);

    // Its workflow waits for AFM's verdict (AFM order No. 9, item 5(3)) without an activity or a second task.
    const state = await eventually(async () => {
      const s = await stack.esuBridge.getSubmission(submissionId);
      return s.status === 'ACKNOWLEDGED' && s;
    });
    expect(state).toMatchObject({ sendRounds: 1, revision: 3, receipt: { messageId: held[0]!.messageId } });
    const events = await eventually(async () => {
      const types = await eventTypes(`Submission:${submissionId}`);
      return types.includes('EVENT_TYPE_TIMER_STARTED') && types;
    });
    expect(events.filter((t) => t === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')).toHaveLength(1);
    expect(events.some((t) => t.startsWith('EVENT_TYPE_ACTIVITY_TASK'))).toBe(false);
    const described = await stack.client.workflow.getHandle(`Submission:${submissionId}`).describe();
    expect(described.typedSearchAttributes.get({ name: 'SubmissionStatus', type: 'KEYWORD' })).toBe('ACKNOWLEDGED');
  });

  it('hands a round AFM did not answer to the submission, which asks AFM first and sends nothing twice', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const submissionId = `afm-dep-${depositId}`;
    // AFM takes the record but its answer is lost.
    await afm().fault({ match: { method: 'POST', key: submissionId }, kind: 'apply-then-error', times: 1 });

    const deposit = await stack.esuBridge.deposit({ depositId, iin, amountTiyn: KZT_5000, currency: 'KZT' });
    expect(deposit.status).toBe('COMPLETED');

    const state = await eventually(async () => {
      const s = await stack.esuBridge.getSubmission(submissionId);
      return s.status === 'ACKNOWLEDGED' && s;
    }, 30_000);
    expect(state.receipt?.foundExisting).toBe(true);
    expect(state.sendRounds).toBe(2);
    expect(await heldOf(submissionId)).toHaveLength(1);
    expect((await journalOf(submissionId)).map((r) => r.event)).toEqual([
      'submission.queued',
      'submission.sending',
      'submission.acknowledged',
    ]);
    // The saga's round and why it went to the submission are on the queued row.
    const { rows } = await stack.pool.query<{ details: { sentBefore?: { error: string } } }>(
      `SELECT details FROM journal WHERE record_id = $1 AND event = 'submission.queued'`,
      [submissionId],
    );
    expect(rows[0]!.details.sentBefore?.error).toMatch(/AFM|afm|503|unavailable/i);
  });
});
