import { firstSubmissionId, type SubmissionInput, type SubmissionPayload } from '../../domain/submission.js';
import { expect } from 'vitest';
import { simAdmin } from './sim-admin.js';
import { eventually, type FileStack } from './stack.js';
import { uniqueId } from './ids.js';

/**
 * Starts a deposit's first submission to the payload's counterpart for `iin` through the client, as the deposit
 * saga hands it over; `payloadOf` builds the payload from the operation's id, `initialRejection` (as a saga hands a
 * refusal over) starts it REJECTED. Answers the ids and the payload sent.
 */
export async function startFirstSubmission(
  stack: Pick<FileStack, 'esuBridge'>,
  iin: string,
  payloadOf: (operationId: string) => SubmissionPayload,
  initialRejection?: SubmissionInput['initialRejection'],
) {
  const operationId = uniqueId('dep');
  const payload = payloadOf(operationId);
  const submissionId = firstSubmissionId(payload.counterpart, operationId);
  await stack.esuBridge.startSubmission({
    submissionId,
    operationId,
    operationKind: 'DEPOSIT',
    bettorRef: stack.esuBridge.bettorRef(iin),
    attempt: 1,
    payload,
    ...(initialRejection ? { initialRejection } : {}),
  });
  return { submissionId, operationId, payload };
}

/** A deposit's first AFM submission for `iin` (startFirstSubmission): the money received now. */
export function startAfmSubmission(stack: Pick<FileStack, 'esuBridge'>, iin: string, receivedTiyn = 250_000) {
  return startFirstSubmission(stack, iin, () => ({
    counterpart: 'AFM',
    record: { iin, receivedAt: new Date().toISOString(), receivedTiyn },
  }));
}

/** The submission's row (all its columns) once it is in `status`, polled until `timeoutMs`. */
export function submissionIn(
  stack: Pick<FileStack, 'pool'>,
  submissionId: string,
  status: string,
  timeoutMs?: number,
): Promise<Record<string, any>> {
  return eventually(async () => {
    const { rows } = await stack.pool.query('SELECT * FROM submissions WHERE submission_id = $1', [submissionId]);
    return rows[0]?.status === status && rows[0];
  }, timeoutMs);
}

/**
 * AFM refuses the submission inside its window: waits for it ACKNOWLEDGED, has the AFM simulator reject it with
 * `verdict` (answering 200), then waits for it REJECTED. Answers both rows and when the refusal was sent.
 */
export async function rejectAtAfm(
  stack: Pick<FileStack, 'pool' | 'simulators'>,
  submissionId: string,
  verdict: { code: string; reason: string },
  timeoutMs?: number,
) {
  const acknowledged = await submissionIn(stack, submissionId, 'ACKNOWLEDGED', timeoutMs);
  const rejectedAt = Date.now();
  expect(await simAdmin(stack.simulators.afm.url).rejectSubmission(acknowledged.message_id, verdict)).toBe(200);
  const rejected = await submissionIn(stack, submissionId, 'REJECTED', timeoutMs);
  return { acknowledged, rejected, rejectedAt };
}
