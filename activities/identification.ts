import { ApplicationFailure, log } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import { photoRequirementProblems, type PhotoSubmission } from '../domain/photo.js';
import {
  CodeCheck,
  Consent,
  IdentifiedWallet,
  EsuBettorRegistration,
  LivenessVerdict,
  PersonalData,
  PhotoMatch,
  SmsSent,
  TwoFactorSession,
  type ConsentRegistration,
  type EsuBettorRegistrationRequest,
  type OpenSessionRequest,
  type OpenWalletRequest,
  type PhotoMatchRequest,
} from '../domain/wire/identification.js';
import type { Pool } from '../db/pool.js';
import type { ConsentSigner } from './consent-signer.js';
import { refusalCode, type CounterpartClient } from './http.js';
import type { PhotoStore } from './photo-store.js';

const ID = '/v1/identification';
const enc = encodeURIComponent;

export interface IdentificationActivityDeps {
  /** Nomapay's identification API (the ЦОИД participant). */
  tsoid: CounterpartClient;
  esu: CounterpartClient;
  nomapay: CounterpartClient;
  pool: Pool;
  consentSigner: ConsentSigner;
  photos: PhotoStore;
}

/** What a personal-data request leaves in workflow history: when, not what (the data stays in PostgreSQL). */
export interface PersonalDataReceipt {
  receivedAt: string;
  fields: string[];
}

interface PersonalDataOwner {
  bettorId: string;
  bettorRef: string;
  iin: string;
}

/**
 * Nomapay's identification API under the ЦОИД rules, the ESU bettor register and the identified
 * e-wallet. Every POST carries an idempotency key the workflow derives from its id and the step, so a retry
 * is replayed by the counterpart, never applied twice. Answers the rules call results (a failed liveness
 * check, a wrong code, a score below 85 %) are returned; documented refusals (422) raise
 * `IdentificationRejected` with the reason code; outages are retried by the workflow's policy.
 */
export function createIdentificationActivities({
  tsoid,
  esu,
  nomapay,
  pool,
  consentSigner,
  photos,
}: IdentificationActivityDeps) {
  const rejected = ErrorType.IdentificationRejected;

  /** Stores the personal data (never biometrics: the schema strips anything else) and answers only a receipt. */
  async function keep(
    owner: PersonalDataOwner,
    data: PersonalData,
    source: 'TWO_FACTOR' | 'PHOTO_MATCH',
  ): Promise<PersonalDataReceipt> {
    if (data.iin !== owner.iin) {
      throw ApplicationFailure.nonRetryable(
        'personal data returned for another IIN than the one identified',
        ErrorType.InvalidInput,
      );
    }
    await pool.query(
      `INSERT INTO bettor_personal_data (bettor_id, bettor_ref, source, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (bettor_id) DO UPDATE SET data = EXCLUDED.data, source = EXCLUDED.source, received_at = now()`,
      [owner.bettorId, owner.bettorRef, source, JSON.stringify(data)],
    );
    return { receivedAt: new Date().toISOString(), fields: Object.keys(data).sort() };
  }

  async function sendPhoto(request: PhotoMatchRequest): Promise<PhotoMatch> {
    const problems = photoRequirementProblems(request.photo.quality);
    if (problems.length) {
      const message = problems.join('; ');
      throw ApplicationFailure.create({
        message,
        type: ErrorType.PhotoRequirementsNotMet,
        nonRetryable: true,
        details: [problems],
      });
    }
    return tsoid.post(`${ID}/photo-matches`, request, request.matchId, PhotoMatch, rejected);
  }

  return {
    /** §26(1): registers the bettor's consent in the consent registry before any data request. */
    async registerConsent(request: ConsentRegistration): Promise<Consent> {
      return tsoid.post(`${ID}/consents`, request, request.consentId, Consent, rejected);
    },

    /** §§26–27: a revocation made in the bookmaker's app, relayed to the registry. */
    async revokeConsentAtNomapay({ consentId }: { consentId: string }): Promise<Consent> {
      return tsoid.post(
        `${ID}/consents/${enc(consentId)}/revocation`,
        {},
        `${consentId}:revocation`,
        Consent,
        rejected,
      );
    },

    /** §24: opens a two-factor session; a liveness block (§23.2) is an answer, with its end. */
    async openTwoFactorSession(
      request: OpenSessionRequest,
    ): Promise<{ session: TwoFactorSession } | { blockedUntil: string }> {
      try {
        return { session: await tsoid.post(`${ID}/sessions`, request, request.sessionId, TwoFactorSession, rejected) };
      } catch (err) {
        if (err instanceof ApplicationFailure && refusalCode(err) === 'LIVENESS_BLOCKED') {
          const details = (err.details?.[0] as { details?: { field?: string; message: string }[] } | undefined)
            ?.details;
          const until = details?.find((d) => d.field === 'blockedUntil')?.message;
          return { blockedUntil: until ?? new Date(Date.now() + 15 * 60_000).toISOString() };
        }
        throw err;
      }
    },

    /** §23.2: the verdict on one liveness capture, asked server to server with the capture's token. */
    async checkLiveness({
      sessionId,
      key,
      livenessToken,
    }: {
      sessionId: string;
      key: string;
      livenessToken: string;
    }): Promise<LivenessVerdict> {
      return tsoid.post(
        `${ID}/sessions/${enc(sessionId)}/liveness-checks`,
        { livenessToken },
        key,
        LivenessVerdict,
        rejected,
      );
    },

    /** §23.3: one SMS one-time code (at most 2 in a session; the workflow counts too). */
    async sendSmsCode({ sessionId, key }: { sessionId: string; key: string }): Promise<SmsSent> {
      return tsoid.post(`${ID}/sessions/${enc(sessionId)}/sms`, {}, key, SmsSent, rejected);
    },

    /** §§28–29: the code entered; success yields the authorisation code. */
    async checkSmsCode({ sessionId, key, code }: { sessionId: string; key: string; code: string }): Promise<CodeCheck> {
      return tsoid.post(`${ID}/sessions/${enc(sessionId)}/code-checks`, { code }, key, CodeCheck, rejected);
    },

    /** §30: exchanges the authorisation code for the personal data, which stays in PostgreSQL. */
    async fetchPersonalData(
      request: PersonalDataOwner & { authorizationCode: string; consentId: string; key: string },
    ): Promise<PersonalDataReceipt> {
      const body = { authorizationCode: request.authorizationCode, consentId: request.consentId };
      const data = await tsoid.post(`${ID}/personal-data`, body, request.key, PersonalData, rejected);
      return keep(request, data, 'TWO_FACTOR');
    },

    /** §14(1): the app's photo, checked against annex 1 before it is sent. */
    async matchPhoto(request: PhotoMatchRequest): Promise<PhotoMatch> {
      return sendPhoto(request);
    },

    /** Migration: the reference photo the bookmaker holds, loaded here so it never enters workflow history. */
    async matchReferencePhoto(request: Omit<PhotoMatchRequest, 'photo'> & { photoRef: string }): Promise<PhotoMatch> {
      const photo: PhotoSubmission | undefined = await photos.load(request.photoRef);
      if (!photo) {
        const message = `reference photo ${request.photoRef} is not in the photo store`;
        throw ApplicationFailure.nonRetryable(message, ErrorType.PhotoRequirementsNotMet);
      }
      const { photoRef: _ref, ...rest } = request;
      return sendPhoto({ ...rest, photo });
    },

    /** §§14(2), 17: personal data after a match, with the bookmaker's decision and a signed consent confirmation. */
    async fetchMatchedPersonalData(
      request: PersonalDataOwner & {
        matchId: string;
        consentId: string;
        decision: { decidedBy: string; decidedAt: string };
        key: string;
      },
    ): Promise<PersonalDataReceipt> {
      const confirmedAt = new Date().toISOString();
      const consentConfirmation = await consentSigner.sign({
        consentId: request.consentId,
        matchId: request.matchId,
        confirmedAt,
      });
      const body = { decision: { positive: true, ...request.decision }, consentConfirmation };
      const path = `${ID}/photo-matches/${enc(request.matchId)}/personal-data`;
      const data = await tsoid.post(path, body, request.key, PersonalData, rejected);
      log.info('personal data received after photo match', { matchId: request.matchId });
      return keep(request, data, 'PHOTO_MATCH');
    },

    /** Registers the identified bettor in ESU's register (the ESU integration plan, items 13, 15). */
    async registerBettorWithEsu(request: EsuBettorRegistrationRequest): Promise<EsuBettorRegistration> {
      return esu.post('/v1/bettors', request, request.registrationId, EsuBettorRegistration, ErrorType.EsuRejected);
    },

    /** Opens the bettor's identified e-wallet at Nomapay (the ESU integration plan, items 5, 7). */
    async openIdentifiedWallet(request: OpenWalletRequest): Promise<IdentifiedWallet> {
      return nomapay.post('/v1/wallets', request, request.walletId, IdentifiedWallet, ErrorType.WalletRejected);
    },
  };
}

export type IdentificationActivities = ReturnType<typeof createIdentificationActivities>;
