import { z } from 'zod';
import { BettorRef, BusinessKey } from './ids.js';
import { Iin } from './iin.js';
import { Text } from './text.js';
import { IsoDateTime } from './wire/common.js';

/**
 * Bettor identification by the ЦОИД rules, with Nomapay as the participant acting as the
 * bookmaker's agent (ЦОИД rules §45; the ESU integration plan, items 6–7). The numbers below are the rules' own; where the
 * rules are silent (A6: OTP and session lifetimes; review deadlines) the value is ours and says so.
 */

/** §23.2: at most 4 liveness checks in one 2FA session; then the session ends. */
export const LIVENESS_ATTEMPTS_PER_SESSION = 4;
/** §23.2: after the 4th failed check, liveness for that person is blocked for 15 minutes. */
export const LIVENESS_BLOCK_MS = 15 * 60_000;
/** §23.3: at most 2 SMS one-time codes in one 2FA session; a third code needs a new session (R22). */
export const SMS_PER_SESSION = 2;
/**
 * §17.1 "не ниже 85 %": a score of exactly 85 passes. §15.4 says "выше 85 %" (A2); we follow §17.1 because it
 * is the list of conditions for releasing data, and the ЦОИД side applies its own rule to what it releases.
 */
export const PHOTO_MATCH_PASS_PERCENT = 85;
/** §16: biometric verification failed "более двух раз" (a third failure) → offline check or refusal. */
export const BIOMETRIC_FAILURES_TOLERATED = 2;
/** Ours (§16 gives no deadline): a review not decided in 24 h is escalated, in 72 h the bettor is refused. */
export const REVIEW_ESCALATION_MS = 24 * 3600_000;
export const REVIEW_DEADLINE_MS = 72 * 3600_000;
/** Ours: an identification nobody touches for 7 days is abandoned (a result, not a failure). */
export const IDENTIFICATION_IDLE_MS = 7 * 24 * 3600_000;

export const photoMatchPasses = (scorePercent: number): boolean => scorePercent >= PHOTO_MATCH_PASS_PERCENT;
export const needsOfflineCheck = (biometricFailures: number): boolean =>
  biometricFailures > BIOMETRIC_FAILURES_TOLERATED;

/**
 * A Kazakhstan mobile number in E.164, as the bettor registered it in the app (§24): +7 7XX with mobile
 * codes 70x, 74x–77x; 71x and 72x are city landlines (Astana 717, Almaty 727), which take no SMS.
 */
export const KzMobilePhone = z
  .string()
  .transform((s) => s.replace(/[\s()-]/g, ''))
  .pipe(z.string().regex(/^\+77[04-7]\d{8}$/, 'phone must be a Kazakhstan mobile number, +77XXXXXXXXX'));

export { BettorRef };

export const IdentificationMode = z.enum(['APP', 'MIGRATION']);
export type IdentificationMode = z.infer<typeof IdentificationMode>;
export const IdentificationMethod = z.enum(['TWO_FACTOR', 'PHOTO_MATCH', 'OFFLINE_REVIEW']);
export type IdentificationMethod = z.infer<typeof IdentificationMethod>;

/**
 * What a migration knows about an existing bettor, from the bookmaker's records: the consent the bettor
 * gave in the bookmaker's app (§§9, 13: consent comes first, with its time) and the reference photo the
 * bookmaker took at its own earlier KYC, by reference (photo bytes never enter workflow history).
 */
export const MigrationSubject = z.strictObject({
  migrationId: BusinessKey,
  iin: Iin,
  phone: KzMobilePhone,
  bettorRef: BettorRef,
  consent: z.strictObject({ givenAt: IsoDateTime, agreementVersion: Text(32, { min: 1 }) }),
  photoRef: Text(200, { min: 1 }),
});
export type MigrationSubject = z.infer<typeof MigrationSubject>;

export const IdentificationInput = z
  .strictObject({
    bettorId: BusinessKey,
    mode: IdentificationMode.default('APP'),
    /** §16 lets the participant choose: check the bettor offline, or refuse. */
    onRepeatedBiometricFailure: z.enum(['OFFLINE_REVIEW', 'REFUSE']).default('OFFLINE_REVIEW'),
    migration: MigrationSubject.optional(),
  })
  .refine((i) => (i.mode === 'MIGRATION') === Boolean(i.migration), {
    message: 'migration details are required in MIGRATION mode and only there',
    path: ['migration'],
  });
export type IdentificationInput = z.input<typeof IdentificationInput>;

export const IdentificationStep = {
  AwaitingConsent: 'AWAITING_CONSENT',
  /** Consent recorded: the app starts two-factor authentication or sends a photo. */
  AwaitingMethod: 'AWAITING_METHOD',
  Liveness: 'LIVENESS',
  LivenessBlocked: 'LIVENESS_BLOCKED',
  SmsCode: 'SMS_CODE',
  /** The photo matched: the bookmaker records its own decision before any personal data is asked (§17.4). */
  AwaitingDecision: 'AWAITING_DECISION',
  OfflineReview: 'OFFLINE_REVIEW',
  /** Personal data, then ESU registration and the identified e-wallet. */
  Registering: 'REGISTERING',
  Identified: 'IDENTIFIED',
  Refused: 'REFUSED',
  Abandoned: 'ABANDONED',
  /** Registration failed for a technical reason after retries; the run fails with the error type. */
  Failed: 'FAILED',
} as const;
export type IdentificationStep = (typeof IdentificationStep)[keyof typeof IdentificationStep];

export const TERMINAL_STEPS: readonly IdentificationStep[] = ['IDENTIFIED', 'REFUSED', 'ABANDONED', 'FAILED'];

/** The status the bookmaker's deposit and bet sagas read from PostgreSQL. */
export const BettorIdentificationStatus = {
  InProgress: 'IN_PROGRESS',
  Blocked: 'BLOCKED',
  InReview: 'IN_REVIEW',
  Identified: 'IDENTIFIED',
  Refused: 'REFUSED',
  Abandoned: 'ABANDONED',
  Failed: 'FAILED',
} as const;
export type BettorIdentificationStatus = (typeof BettorIdentificationStatus)[keyof typeof BettorIdentificationStatus];

export function bettorStatusOf(step: IdentificationStep): BettorIdentificationStatus {
  switch (step) {
    case 'LIVENESS_BLOCKED':
      return 'BLOCKED';
    case 'OFFLINE_REVIEW':
      return 'IN_REVIEW';
    case 'IDENTIFIED':
    case 'REFUSED':
    case 'ABANDONED':
    case 'FAILED':
      return step;
    default:
      return 'IN_PROGRESS';
  }
}

export const RefusalReason = z.enum([
  'CONSENT_REFUSED',
  'CONSENT_REVOKED',
  'BIOMETRIC_FAILURES',
  'BOOKMAKER_DECISION',
  'REVIEW_REFUSED',
  'REVIEW_TIMED_OUT',
  'BETTOR_RESTRICTED',
  'TSOID_REFUSED',
]);
export type RefusalReason = z.infer<typeof RefusalReason>;

export interface IdentificationSession {
  sessionId: string;
  number: number;
  livenessAttemptsLeft: number;
  livenessPassed: boolean;
  smsLeft: number;
  codeExpiresAt?: string;
}

/** The `getStatus` snapshot and the workflow result. No personal data: no IIN, phone, names or photos. */
export interface IdentificationState {
  bettorId: string;
  mode: IdentificationMode;
  step: IdentificationStep;
  method?: IdentificationMethod;
  consent?: { consentId: string; agreementVersion: string; givenAt: string; registered: boolean; revokedAt?: string };
  session?: IdentificationSession;
  sessionsOpened: number;
  blockedUntil?: string;
  biometricFailures: number;
  photoMatch?: { matchId: string; scorePercent: number; passed: boolean };
  decision?: { positive: boolean; decidedBy: string; decidedAt: string };
  review?: {
    reason: string;
    requestedAt: string;
    escalateAt: string;
    deadline: string;
    escalatedAt?: string;
    reviewer?: string;
    approved?: boolean;
  };
  personalDataReceivedAt?: string;
  identifiedAt?: string;
  esuRegistrationId?: string;
  walletId?: string;
  refusal?: { reason: RefusalReason; message: string };
  failure?: { type: string; message: string };
  updatedAt: string;
}

/** What each update answers: a result code the app switches on, a sentence it can show, and the new state. */
export interface StepAnswer {
  result: string;
  message: string;
  state: IdentificationState;
}
