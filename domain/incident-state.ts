import { z } from 'zod';
import { BusinessKey } from './ids.js';
import { IncidentCardDraft, IncidentCardPatch } from './incident.js';
import { IncidentTiming } from './incident-deadlines.js';
import { MultilineText, safeText, Text } from './text.js';

/** Where the card goes: the e-money operator (Nomapay) and ЦМААИ (ESU's operator). */
export const IncidentReceiver = z.enum(['nomapay', 'esu']);
export type IncidentReceiver = z.infer<typeof IncidentReceiver>;
export const INCIDENT_RECEIVERS: IncidentReceiver[] = ['nomapay', 'esu'];

/** The incident's status, also the `IncidentStatus` search attribute. */
export const IncidentStatus = {
  Open: 'OPEN',
  Submitting: 'SUBMITTING',
  Submitted: 'SUBMITTED',
  SubmittedLate: 'SUBMITTED_LATE',
  SubmissionFailed: 'SUBMISSION_FAILED',
  Escalated: 'ESCALATED',
  Closed: 'CLOSED',
} as const;
export type IncidentStatus = (typeof IncidentStatus)[keyof typeof IncidentStatus];

/** Every command is strict (an unknown field is refused, naming it) and its free text is plain text (domain/text.ts). */
const Actor = z.string().check(safeText()).trim().min(1, 'must name who acted').max(64);

/** How an incident was opened: by ops (console, CLI, API) or by a detector that tripped. */
export const IncidentOrigin = z.strictObject({
  kind: z.enum(['OPS', 'DETECTOR']),
  /** The detector's name and what it saw, e.g. `counterpart-unreachable` / `esu unreachable since …`. */
  detector: Text(64).optional(),
  counterpart: Text(32).optional(),
});
export type IncidentOrigin = z.infer<typeof IncidentOrigin>;

export const OpenIncident = z.strictObject({
  incidentId: BusinessKey,
  card: IncidentCardDraft,
  openedBy: Actor,
  origin: IncidentOrigin.default({ kind: 'OPS' }),
  timing: IncidentTiming.default(IncidentTiming.parse({})),
});
export type OpenIncident = z.input<typeof OpenIncident>;

/**
 * Amend rows of the card. The detection time may only move earlier: the 48 hours never stretch because
 * someone corrected a typo in row 2.
 */
export const AmendIncident = z.strictObject({ patch: IncidentCardPatch, amendedBy: Actor });
export type AmendIncident = z.input<typeof AmendIncident>;

export const SubmitIncident = z.strictObject({ submittedBy: Actor });
export type SubmitIncident = z.input<typeof SubmitIncident>;

export const CloseIncident = z.strictObject({ closedBy: Actor, note: MultilineText(2000).optional() });
export type CloseIncident = z.input<typeof CloseIncident>;

/** One receiver's acknowledgement: its message id is the proof of delivery (the e-government integration rules §§47, 55). */
export interface IncidentReceipt {
  messageId: string;
  acceptedAt: string;
  /** Our own send and receive times: the transport signature carries no timestamp (the e-government integration rules §55). */
  sentAt: string;
  receivedAt: string;
}

/** One submission of one version of the card, to every receiver, with per-receiver outcome. */
export interface IncidentSubmission {
  version: number;
  phase: 'INITIAL' | 'UPDATE';
  requestedBy: string;
  requestedAt: string;
  completedAt?: string;
  receipts: Partial<Record<IncidentReceiver, IncidentReceipt>>;
  errors: Partial<Record<IncidentReceiver, { type: string; message: string }>>;
}

export interface IncidentTimelineEntry {
  at: string;
  event: string;
  actor: string;
  result: 'OK' | 'REFUSED' | 'FAILED' | 'ESCALATED';
  detail?: string;
}

/** The `getStatus` query's answer and the workflow result. */
export interface IncidentState {
  incidentId: string;
  status: IncidentStatus;
  card: IncidentCardDraft;
  /** Increases with every amendment; each submission sends one version. */
  version: number;
  /** What still stops submission (empty when the card is complete). */
  problems: string[];
  origin: IncidentOrigin;
  openedBy: string;
  openedAt: string;
  dueAt: string;
  internalTargetAt: string;
  submissions: IncidentSubmission[];
  /** When the first version reached every receiver; `timeliness` compares it with `dueAt`. */
  firstDeliveredAt?: string;
  timeliness?: 'ON_TIME' | 'LATE';
  escalatedAt?: string;
  remindersSent: string[];
  closedAt?: string;
  closedBy?: string;
  timeline: IncidentTimelineEntry[];
}
