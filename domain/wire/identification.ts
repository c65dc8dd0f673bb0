import { z } from 'zod';
import { Iin } from '../iin.js';
import { BusinessKey } from '../ids.js';
import { PhotoSubmission } from '../photo.js';
import { IdentificationMethod } from '../identification.js';
import { safeText } from '../text.js';
import { IsoDateTime, signedDocument } from './common.js';
import { isoDate } from '../formats.js';

/** Ids we derive from workflow ids and steps (`Identification:<bettorId>:session-1`): longer than a business key. */
const WireId = z.string().min(1).max(200);

/**
 * Nomapay's identification API (Nomapay is the ЦОИД participant; ЦОИД rules §45, the ESU integration plan, items 6–7), the
 * identified e-wallet, and the bettor register at ESU, as esu-bridge speaks them. The real APIs are private:
 * this is the contract the simulator enforces and the connector sends. Every POST carries an Idempotency-Key.
 *
 * Nomapay, under /v1/identification (ЦОИД rules §§23–31 two-factor, §§11–17 photo match, §§26–27 consents):
 * POST consents                                   → Consent           (register, §26(1))
 * GET  consents/{consentId}                       → Consent | 404
 * POST consents/{consentId}/revocation            → Consent           (revoked in the bookmaker's app)
 * POST sessions                                   → TwoFactorSession  | 422 LIVENESS_BLOCKED, CONSENT_REVOKED
 * POST sessions/{sessionId}/liveness-checks       → LivenessVerdict   | 422 SESSION_ENDED, LIVENESS_BLOCKED
 * POST sessions/{sessionId}/sms                   → SmsSent           | 422 SMS_LIMIT_REACHED, LIVENESS_NOT_PASSED
 * POST sessions/{sessionId}/code-checks           → CodeCheck         (a wrong or expired code is an answer)
 * POST personal-data                              → PersonalData      | 422 CONSENT_REVOKED, AUTHORIZATION_CODE_INVALID
 * POST photo-matches                              → PhotoMatch        | 422 PHOTO_REQUIREMENTS_NOT_MET
 * POST photo-matches/{matchId}/personal-data      → PersonalData      | 422 SCORE_BELOW_THRESHOLD, SIGNATURE_INVALID
 * Nomapay wallets: POST /v1/wallets               → IdentifiedWallet
 * ESU:             POST /v1/bettors               → EsuBettorRegistration | 422 BETTOR_RESTRICTED
 *
 * Requests (what we send) are strict; answers are parsed leniently, and PersonalData strips what it does not name.
 */
export const TsoidRejectionCode = z.enum([
  'CONSENT_NOT_FOUND',
  'CONSENT_REVOKED',
  'IIN_NOT_FOUND',
  'LIVENESS_BLOCKED',
  'SESSION_ENDED',
  'LIVENESS_NOT_PASSED',
  'SMS_LIMIT_REACHED',
  'AUTHORIZATION_CODE_INVALID',
  'PHOTO_REQUIREMENTS_NOT_MET',
  'SCORE_BELOW_THRESHOLD',
  'DECISION_MISSING',
  'SIGNATURE_INVALID',
]);
export type TsoidRejectionCode = z.infer<typeof TsoidRejectionCode>;

export const ConsentRegistration = z.strictObject({
  consentId: WireId,
  iin: Iin,
  agreementVersion: z.string().min(1).max(32).check(safeText()),
  givenAt: IsoDateTime,
  scope: z.array(z.enum(['PERSONAL_DATA_PROCESSING', 'THIRD_PARTY_TRANSFER'])).min(1),
});
export type ConsentRegistration = z.infer<typeof ConsentRegistration>;

export const Consent = z.object({
  consentId: z.string(),
  status: z.enum(['ACTIVE', 'REVOKED']),
  givenAt: IsoDateTime,
  revokedAt: IsoDateTime.optional(),
});
export type Consent = z.infer<typeof Consent>;

export const OpenSessionRequest = z.strictObject({ sessionId: WireId, iin: Iin, phone: z.string(), consentId: WireId });
export type OpenSessionRequest = z.infer<typeof OpenSessionRequest>;

export const TwoFactorSession = z.object({
  sessionId: z.string(),
  status: z.enum(['OPEN', 'ENDED']),
  livenessAttemptsLeft: z.number().int().nonnegative(),
  smsLeft: z.number().int().nonnegative(),
  openedAt: IsoDateTime,
});
export type TwoFactorSession = z.infer<typeof TwoFactorSession>;

export const LivenessCheckRequest = z.strictObject({ livenessToken: z.string().min(1).max(4096).check(safeText()) });
export const LivenessVerdict = z.object({
  passed: z.boolean(),
  reason: z.enum(['SPOOF_SUSPECTED', 'FACE_MISMATCH', 'POOR_CAPTURE']).optional(),
  attemptsLeft: z.number().int().nonnegative(),
  sessionStatus: z.enum(['OPEN', 'ENDED']),
  /** Set when this check was the session's last allowed one and failed (§23.2). */
  blockedUntil: IsoDateTime.optional(),
});
export type LivenessVerdict = z.infer<typeof LivenessVerdict>;

export const SmsSent = z.object({
  sentAt: IsoDateTime,
  expiresAt: IsoDateTime,
  smsLeft: z.number().int().nonnegative(),
});
export type SmsSent = z.infer<typeof SmsSent>;

export const CodeCheckRequest = z.strictObject({ code: z.string().regex(/^\d{4,8}$/) });
export const CodeCheck = z.discriminatedUnion('result', [
  z.object({ result: z.literal('ACCEPTED'), authorizationCode: z.string().min(1) }),
  z.object({ result: z.literal('WRONG_CODE') }),
  z.object({ result: z.literal('EXPIRED_CODE') }),
]);
export type CodeCheck = z.infer<typeof CodeCheck>;

export const PersonalDataRequest = z.strictObject({ authorizationCode: z.string().min(1), consentId: z.string() });

/**
 * The personal data of §2(34) without biometrics (§§15(4), 23(5), 30). Parsing strips every field not named
 * here, so a photo or video the counterpart might add never reaches our code or storage.
 */
export const PersonalData = z.object({
  iin: Iin,
  lastName: z.string().min(1),
  firstName: z.string().min(1),
  middleName: z.string().optional(),
  birthDate: isoDate(),
  sex: z.enum(['M', 'F']),
  nationality: z.string().optional(),
  citizenship: z.string().min(2),
  document: z.object({
    type: z.string(),
    number: z.string(),
    issuedAt: isoDate(),
    expiresAt: isoDate(),
    issuer: z.string(),
  }),
  birthPlace: z.string().optional(),
  registrationAddress: z.string().optional(),
});
export type PersonalData = z.infer<typeof PersonalData>;

export const PhotoMatchRequest = z.strictObject({
  matchId: WireId,
  iin: Iin,
  consentId: WireId,
  photo: PhotoSubmission,
});
export type PhotoMatchRequest = z.infer<typeof PhotoMatchRequest>;
export const PhotoMatch = z.object({
  matchId: z.string(),
  scorePercent: z.number().min(0).max(100),
  matchedAt: IsoDateTime,
});
export type PhotoMatch = z.infer<typeof PhotoMatch>;

/** §14(2), §17: the participant's positive decision and the consent confirmation signed with its key. */
export const ConsentConfirmation = signedDocument({
  consentId: z.string(),
  matchId: z.string(),
  confirmedAt: IsoDateTime,
});
export type ConsentConfirmation = z.infer<typeof ConsentConfirmation>;
/** Nomapay's signature validation: a signed consent confirmation checked as a personal-data request would, changing nothing. */
export const CONSENT_SIGNATURE_CHECKS_PATH = '/v1/identification/signature-checks';
export const MatchedPersonalDataRequest = z.strictObject({
  decision: z.strictObject({
    positive: z.literal(true),
    decidedBy: z.string().check(safeText()),
    decidedAt: IsoDateTime,
  }),
  consentConfirmation: ConsentConfirmation,
});
export type MatchedPersonalDataRequest = z.infer<typeof MatchedPersonalDataRequest>;

export const OpenWalletRequest = z.strictObject({
  walletId: BusinessKey,
  iin: Iin,
  identification: z.strictObject({ method: IdentificationMethod, identifiedAt: IsoDateTime }),
});
export type OpenWalletRequest = z.infer<typeof OpenWalletRequest>;
export const IdentifiedWallet = z.object({
  walletId: z.string(),
  status: z.literal('IDENTIFIED'),
  openedAt: IsoDateTime,
});
export type IdentifiedWallet = z.infer<typeof IdentifiedWallet>;

export const EsuBettorRegistrationRequest = z.strictObject({
  registrationId: BusinessKey,
  iin: Iin,
  identifiedAt: IsoDateTime,
  method: IdentificationMethod,
  agent: z.literal('NOMAPAY'),
});
export type EsuBettorRegistrationRequest = z.infer<typeof EsuBettorRegistrationRequest>;
export const EsuBettorRegistration = z.object({ registrationId: z.string(), registeredAt: IsoDateTime });
export type EsuBettorRegistration = z.infer<typeof EsuBettorRegistration>;
