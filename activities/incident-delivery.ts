import { ErrorType } from '../domain/errors.js';
import type { IncidentCard } from '../domain/incident.js';
import type { IncidentReceipt, IncidentReceiver } from '../domain/incident-state.js';
import type { Unsigned } from '../domain/wire/common.js';
import { IncidentCardAck, INCIDENT_CARDS_PATH, type IncidentCardMessage } from '../domain/wire/incident.js';
import { signDocument, type DocumentSigner } from '../crypto/signer.js';
import type { CounterpartClient } from './http.js';

/**
 * Delivers one version of an incident card to one receiver: signed, with the message id as idempotency key,
 * so a retry after a lost answer is answered from the receiver's store instead of filing twice.
 *
 * Kept on its own so it can be swapped for the AFM submission machinery (a child submission workflow) once
 * that lands: the incident workflow only needs `deliverIncidentCard` to return the receiver's receipt.
 * The card is signed with the bookmaker's X.509 key (crypto/signer.ts), like AFM submissions and the consent
 * confirmation, so the receiver can prove who filed it (the e-government integration rules §§54, 59).
 */

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

export function signIncidentCard(
  message: Unsigned<IncidentCardMessage>,
  signer: DocumentSigner,
): Promise<IncidentCardMessage> {
  return signDocument(message, signer);
}

export interface IncidentDeliveryDeps {
  receivers: Record<IncidentReceiver, CounterpartClient>;
  signer: DocumentSigner;
  /** How the bookmaker is known to the receivers (its BIN or system name). */
  sender: string;
}

export function createIncidentDeliveryActivities({ receivers, signer, sender }: IncidentDeliveryDeps) {
  return {
    async deliverIncidentCard(request: DeliverIncidentCard): Promise<IncidentReceipt> {
      const messageId = incidentMessageId(request.incidentId, request.version, request.receiver);
      const message = await signIncidentCard(
        {
          messageId,
          incidentId: request.incidentId,
          version: request.version,
          phase: request.phase,
          sender,
          sentAt: request.sentAt,
          card: request.card,
        },
        signer,
      );
      const sentAt = new Date().toISOString();
      const ack = await receivers[request.receiver].post(
        INCIDENT_CARDS_PATH,
        message,
        messageId,
        IncidentCardAck,
        ErrorType.IncidentCardRejected,
      );
      return { messageId: ack.messageId, acceptedAt: ack.acceptedAt, sentAt, receivedAt: new Date().toISOString() };
    },
  };
}

export type IncidentDeliveryActivities = ReturnType<typeof createIncidentDeliveryActivities>;
