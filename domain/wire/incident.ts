import { z } from 'zod';
import { IncidentCard } from '../incident.js';
import { safeText } from '../text.js';
import { DocumentSignature, IsoDateTime, signedDocument } from './common.js';

/**
 * The incident card as it travels to the e-money operator and to ЦМААИ: an asynchronous message (the e-government integration rules
 * §47) whose `messageId` is also its idempotency key, signed by the sender (the e-government integration rules §§54, 59), answered at
 * once with an acknowledgement that is the proof of delivery. The real intake APIs are not published; this
 * is the shape our simulator enforces and a real connector maps.
 */
export const Signature = DocumentSignature;
export type Signature = DocumentSignature;

/** What we send: strict; the acknowledgement is parsed leniently. */
export const IncidentCardMessage = signedDocument({
  messageId: z.string().min(1).max(160),
  incidentId: z.string().min(1).max(64),
  version: z.number().int().positive(),
  /** INITIAL: the card due within 48 h; UPDATE: the processed incident's information (National Bank resolution No. 116, item 65, G6). */
  phase: z.enum(['INITIAL', 'UPDATE']),
  sender: z.string().min(1).max(64).check(safeText()),
  sentAt: IsoDateTime,
  card: IncidentCard,
});
export type IncidentCardMessage = z.infer<typeof IncidentCardMessage>;

export const IncidentCardAck = z.object({
  messageId: z.string(),
  status: z.literal('ACCEPTED'),
  acceptedAt: IsoDateTime,
});
export type IncidentCardAck = z.infer<typeof IncidentCardAck>;

export const INCIDENT_CARDS_PATH = '/v1/incident-cards';
