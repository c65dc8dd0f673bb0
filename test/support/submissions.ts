import { firstSubmissionId, type SubmissionPayload } from '../../domain/submission.js';
import type { FileStack } from './stack.js';
import { uniqueId } from './ids.js';

/**
 * Starts a deposit's first AFM submission for `iin` through the client, as the deposit saga hands it over: the money
 * received now. Answers the ids and the payload sent.
 */
export async function startAfmSubmission(stack: Pick<FileStack, 'esuBridge'>, iin: string, receivedTiyn = 250_000) {
  const operationId = uniqueId('dep');
  const submissionId = firstSubmissionId('AFM', operationId);
  const payload: SubmissionPayload = {
    counterpart: 'AFM',
    record: { iin, receivedAt: new Date().toISOString(), receivedTiyn },
  };
  await stack.esuBridge.startSubmission({
    submissionId,
    operationId,
    operationKind: 'DEPOSIT',
    bettorRef: stack.esuBridge.bettorRef(iin),
    attempt: 1,
    payload,
  });
  return { submissionId, operationId, payload };
}
