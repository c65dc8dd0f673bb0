import { ApplicationFailure, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { IdentificationActivities } from '../activities/identification.js';
import type { IdentificationStoreActivities } from '../activities/identification-store.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { ConsentRevocationInput, firstIssue, type ConsentRevocationResult } from '../domain/identification-commands.js';

const store = proxyLocalActivities<IdentificationStoreActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});
// The registry must learn of the revocation however long Nomapay is away: no attempt limit.
const registry = proxyActivities<IdentificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});

/**
 * A bettor revokes consent after their identification ended (ЦОИД rules §§26–27, 31: a consent lasts until revoked
 * and may be revoked at any time; a revoked consent stops further personal-data requests). The bettor's record is
 * marked — the deposit and bet gate then refuses them until they consent again and identify anew, and a new
 * identification does not reuse the old one — and the revocation made in our app is relayed to Nomapay's consent
 * registry. One per revocation: its workflow id is the bettor's, so a repeat joins it.
 */
export async function consentRevocation(rawInput: ConsentRevocationInput): Promise<ConsentRevocationResult> {
  const parsed = ConsentRevocationInput.safeParse(rawInput);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(`consent revocation: ${firstIssue(parsed.error)}`, ErrorType.InvalidInput);
  const input = parsed.data;
  const { workflowId, runId } = workflowInfo();
  const actor = input.source === 'APP' ? 'bettor' : 'nomapay';
  const entry = (seq: number, event: string, details: Record<string, unknown>) => ({
    recordId: input.bettorId,
    event,
    result: 'OK' as const,
    actor,
    startedAtMs: Date.now(),
    dedupeKey: `${workflowId}:${runId}:${seq}`,
    details,
  });

  const revokedAt = input.revokedAt ?? new Date(Date.now()).toISOString();
  const recorded = await store.recordConsentRevocation({
    bettorId: input.bettorId,
    revokedAt,
    entry: entry(1, 'identification.consent-revoked', { source: input.source, after: 'identification ended' }),
  });
  if (recorded.outcome !== 'REVOKED')
    return { bettorId: input.bettorId, outcome: recorded.outcome, revokedAt: recorded.revokedAt, relayed: false };
  // Revoked in id.npck.kz (NPCK): the registry told us, nothing to relay.
  if (input.source !== 'APP' || !recorded.consentId)
    return { bettorId: input.bettorId, outcome: 'REVOKED', revokedAt, relayed: false };
  await registry.revokeConsentAtNomapay({ consentId: recorded.consentId });
  await store.journalEvent(entry(2, 'identification.consent-revocation-relayed', { consentId: recorded.consentId }));
  return { bettorId: input.bettorId, outcome: 'REVOKED', revokedAt, relayed: true };
}
