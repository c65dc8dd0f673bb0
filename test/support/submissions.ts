import { firstSubmissionId, type SubmissionInput, type SubmissionPayload } from '../../domain/submission.js';
import type { FileStack } from './stack.js';
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
