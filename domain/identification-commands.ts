import { z } from 'zod';
import { Iin } from './iin.js';
import { PhotoSubmission } from './photo.js';
import { BettorRef, KzMobilePhone } from './identification.js';
import { MultilineText, Text } from './text.js';
import { BusinessKey } from './ids.js';
import { IsoDateTime } from './wire/common.js';

/**
 * What the bookmaker's app sends at each identification step, validated the same way in the client (before
 * anything leaves the bookmaker) and in the workflow's update validators. The client adds `bettorRef`, the
 * keyed hash of the IIN, since the HMAC key never enters workflow code. Every command is strict: a field the
 * workflow does not know is refused, naming it.
 */
const Actor = Text(64).min(1, 'must name who decided');

/** §§9, 9-1, 13, 25: consent to the user agreement and to passing personal data to third parties. */
export const GiveConsent = z.strictObject({
  accepted: z.boolean(),
  agreementVersion: Text(32, { min: 1 }),
  /** When the bettor pressed the button, as the app saw it; the workflow records its own time too. */
  clientTime: IsoDateTime.optional(),
});
export type GiveConsent = z.input<typeof GiveConsent>;

/** §24: IIN and the phone the bettor registered in the app, checked before a (billed, §66) session opens. */
export const StartTwoFactor = z.strictObject({ iin: Iin, phone: KzMobilePhone, bettorRef: BettorRef });
export type StartTwoFactor = z.input<typeof StartTwoFactor>;

/**
 * One liveness check. The capture (photos or video up to 5 MB, annex 5 item 13) goes from the app's WebView
 * straight to the liveness back end; the app hands us the token of that capture and we ask for the verdict
 * server to server, so the app cannot declare its own result and 5 MB never passes through Temporal.
 */
export const SubmitLiveness = z.strictObject({ livenessToken: Text(4096, { min: 1 }) });
export type SubmitLiveness = z.input<typeof SubmitLiveness>;

export const SubmitSmsCode = z.strictObject({ code: z.string().regex(/^\d{4,8}$/, 'code must be 4–8 digits') });
export type SubmitSmsCode = z.input<typeof SubmitSmsCode>;

/** §14(1): IIN plus a photo meeting annex 1, taken with anti-spoofing software. */
export const SubmitPhoto = z.strictObject({ iin: Iin, bettorRef: BettorRef, photo: PhotoSubmission });
export type SubmitPhoto = z.input<typeof SubmitPhoto>;

/** §17.4, §12: the bookmaker's own decision on the biometric verification, by a named person or policy. */
export const RecordDecision = z.strictObject({ positive: z.boolean(), decidedBy: Actor });
export type RecordDecision = z.input<typeof RecordDecision>;

/** §16: the offline check's outcome, by the reviewer who saw the bettor's documents. */
export const DecideReview = z.strictObject({
  approved: z.boolean(),
  reviewer: Actor,
  note: MultilineText(500).optional(),
});
export type DecideReview = z.input<typeof DecideReview>;

/** §§26–27, 31: revoked in the app (relayed to Nomapay) or in id.npck.kz (Nomapay tells us). */
export const RevokeConsent = z.strictObject({ source: z.enum(['APP', 'NPCK']), revokedAt: IsoDateTime.optional() });
export type RevokeConsent = z.input<typeof RevokeConsent>;

/**
 * A revocation that arrives after the bettor's identification ended (§§26–27, 31: a consent lasts until revoked,
 * revocable at any time): recorded against the bettor, relayed to the registry when made in our app.
 */
export const ConsentRevocationInput = RevokeConsent.extend({ bettorId: BusinessKey });
export type ConsentRevocationInput = z.input<typeof ConsentRevocationInput>;

export interface ConsentRevocationResult {
  bettorId: string;
  /** NO_CONSENT: the bettor has no consent on record (never identified here). */
  outcome: 'REVOKED' | 'ALREADY_REVOKED' | 'NO_CONSENT';
  revokedAt?: string;
  /** True once the registry confirmed the revocation we relayed (source APP). */
  relayed: boolean;
}

/** The first issue of a zod error as "field: message", for rejections the app can show. */
export { firstIssue } from './issues.js';
