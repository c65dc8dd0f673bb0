import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorType } from '../domain/errors.js';
import type { IncidentCard } from '../domain/incident.js';
import type { IncidentReceipt, IncidentReceiver } from '../domain/incident-state.js';
import { IncidentCardAck, INCIDENT_CARDS_PATH, incidentSigningText, type IncidentCardMessage } from '../domain/wire/incident.js';
import type { CounterpartClient } from './http.js';

/**
 * Delivers one version of an incident card to one receiver: signed, with the message id as idempotency key,
 * so a retry after a lost answer is answered from the receiver's store instead of filing twice.
 *
 * Kept on its own so it can be swapped for the AFM submission machinery (a child submission workflow) once
 * that lands: the incident workflow only needs `deliverIncidentCard` to return the receiver's receipt.
 * The signature is HMAC-SHA256 under a key shared with the receiver (INCIDENT_SIGNING_KEY), like the
 * consent confirmation (activities/consent-signer.ts): the shape a GOST/ЭЦП signer will fill in.
 */
export interface IncidentSigningKey {
  keyId: string;
  key: string;
}

export interface DeliverIncidentCard {
  receiver: IncidentReceiver;
  incidentId: string;
  version: number;
  phase: 'INITIAL' | 'UPDATE';
  /** Workflow time of the submission request: part of the signed body, identical on every retry. */
  sentAt: string;
  card: IncidentCard;
}

export function incidentMessageId(incidentId: string, version: number, receiver: IncidentReceiver): string {
  return `${incidentId}.v${version}.${receiver}`;
}

export function signIncidentCard(message: Omit<IncidentCardMessage, 'signature'>, { keyId, key }: IncidentSigningKey): IncidentCardMessage {
  const value = createHmac('sha256', key).update(incidentSigningText(message), 'utf8').digest('base64');
  return { ...message, signature: { algorithm: 'HMAC-SHA256', keyId, value } };
}

export function verifyIncidentCard(message: IncidentCardMessage, keys: ReadonlyMap<string, string>): boolean {
  const key = keys.get(message.signature.keyId);
  if (!key || message.signature.algorithm !== 'HMAC-SHA256') return false;
  const { signature, ...unsigned } = message;
  const expected = createHmac('sha256', key).update(incidentSigningText(unsigned), 'utf8').digest();
  const given = Buffer.from(signature.value, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface IncidentDeliveryDeps {
  receivers: Record<IncidentReceiver, CounterpartClient>;
  signingKey: IncidentSigningKey;
  /** How the bookmaker is known to the receivers (its BIN or system name). */
  sender: string;
}

export function createIncidentDeliveryActivities({ receivers, signingKey, sender }: IncidentDeliveryDeps) {
  return {
    async deliverIncidentCard(request: DeliverIncidentCard): Promise<IncidentReceipt> {
      const messageId = incidentMessageId(request.incidentId, request.version, request.receiver);
      const message = signIncidentCard(
        { messageId, incidentId: request.incidentId, version: request.version, phase: request.phase, sender, sentAt: request.sentAt, card: request.card },
        signingKey,
      );
      const sentAt = new Date().toISOString();
      const ack = await receivers[request.receiver].post(INCIDENT_CARDS_PATH, message, messageId, IncidentCardAck, ErrorType.IncidentCardRejected);
      return { messageId: ack.messageId, acceptedAt: ack.acceptedAt, sentAt, receivedAt: new Date().toISOString() };
    },
  };
}

export type IncidentDeliveryActivities = ReturnType<typeof createIncidentDeliveryActivities>;
