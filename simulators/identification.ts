import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SignerTrust } from '../crypto/signer.js';
import { iinBirthDate, Iin } from '../domain/iin.js';
import {
  LIVENESS_ATTEMPTS_PER_SESSION,
  LIVENESS_BLOCK_MS,
  photoMatchPasses,
  SMS_PER_SESSION,
} from '../domain/identification.js';
import { photoRequirementProblems } from '../domain/photo.js';
import {
  CodeCheckRequest,
  CONSENT_SIGNATURE_CHECKS_PATH,
  ConsentConfirmation,
  ConsentRegistration,
  LivenessCheckRequest,
  MatchedPersonalDataRequest,
  OpenSessionRequest,
  PersonalData,
  PersonalDataRequest,
  PhotoMatchRequest,
  type CodeCheck,
  type Consent,
  type LivenessVerdict,
  type TwoFactorSession,
} from '../domain/wire/identification.js';
import { found, HttpError, mutation, parseBody, type Route, settingRoute } from './http.js';
import { createRegistrationSimulators } from './identification-registration.js';
import { requireSignedBy, signatureCheckRoute } from './signatures.js';

/**
 * Nomapay's identification API (Nomapay is the ЦОИД participant) as a simulator, served by the Nomapay
 * simulator under /v1/identification with its API key, idempotency and faults. It enforces the ЦОИД rules
 * itself (4 liveness checks then a 15-minute block for the person, 2 SMS per session, 85 % for personal
 * data, a signed consent confirmation, revoked consents) so the connector is tested against them, not
 * only against our own workflow. Tests steer it through /__admin/identification: per-person liveness
 * verdicts, photo scores and "unknown to the state database", SMS codes to read, id.npck.kz revocations.
 */
export const PersonSetting = z.object({
  iin: Iin,
  knownToState: z.boolean().default(true),
  /** Liveness verdicts in order (true = passed); once used up, checks pass. */
  liveness: z.array(z.boolean()).default([]),
  photoScore: z.number().min(0).max(100).default(92),
  personalData: PersonalData.partial().optional(),
});
type Person = z.infer<typeof PersonSetting>;

interface Session extends TwoFactorSession {
  iin: string;
  consentId: string;
  livenessPassed: boolean;
  code?: { value: string; expiresAtMs: number };
}

export interface IdentificationSimulatorOptions {
  now?: () => Date;
  /** The bookmaker's registered certificate and its CA, which consent confirmations must be signed under (ЦОИД rules §14.2). */
  trust?: SignerTrust;
  codeTtlMs?: number;
}

const err = (code: string, message: string, details?: { field?: string; code: string; message: string }[]) =>
  new HttpError(422, code, message, details);

export function createIdentificationSimulator({
  now = () => new Date(),
  trust,
  codeTtlMs = 5 * 60_000,
}: IdentificationSimulatorOptions = {}) {
  const people = new Map<string, Person>();
  const consents = new Map<string, Consent & { iin: string }>();
  const sessions = new Map<string, Session>();
  const blockedUntil = new Map<string, number>();
  const authCodes = new Map<string, { iin: string; used: boolean }>();
  const matches = new Map<string, { iin: string; consentId: string; scorePercent: number }>();
  const sms: { sessionId: string; code: string; sentAt: string }[] = [];

  const person = (iin: string): Person => people.get(iin) ?? PersonSetting.parse({ iin });
  const iso = (ms: number) => new Date(ms).toISOString();

  function activeConsent(consentId: string, iin: string): void {
    const consent = consents.get(consentId);
    if (!consent || consent.iin !== iin) throw err('CONSENT_NOT_FOUND', `no consent ${consentId} for this person`);
    if (consent.status === 'REVOKED') throw err('CONSENT_REVOKED', 'the person revoked the consent (§§27, 31)');
  }

  const consentOf = (id: string) => found(consents.get(id), 'no such consent');
  const consentView = (c: Consent): Consent => ({
    consentId: c.consentId,
    status: c.status,
    givenAt: c.givenAt,
    revokedAt: c.revokedAt,
  });

  function openSession(id: string): Session {
    const session = found(sessions.get(id), `session ${id} does not exist`);
    if (session.status !== 'OPEN') throw err('SESSION_ENDED', 'the session has ended');
    return session;
  }

  function block(iin: string): string | undefined {
    const until = blockedUntil.get(iin);
    return until && until > now().getTime() ? iso(until) : undefined;
  }

  function personalData(iin: string): PersonalData {
    const birth = iinBirthDate(iin)!;
    const born = `${birth.year}-${String(birth.month).padStart(2, '0')}-${String(birth.day).padStart(2, '0')}`;
    return PersonalData.parse({
      iin,
      lastName: 'TESTOV',
      firstName: 'TEST',
      birthDate: born,
      sex: Number(iin[6]) % 2 === 1 ? 'M' : 'F',
      citizenship: 'KZ',
      document: {
        type: 'ID_CARD',
        number: `0${iin.slice(3, 11)}`,
        issuedAt: '2020-01-10',
        expiresAt: '2030-01-09',
        issuer: 'MVD RK',
      },
      registrationAddress: 'ALMATY',
      ...person(iin).personalData,
    });
  }

  const routes: Route[] = [
    mutation('/v1/identification/consents', ConsentRegistration, (r, { applied }) => {
      const existing = consents.get(r.consentId);
      if (existing) return { status: 200, body: consentView(existing) };
      consents.set(r.consentId, { consentId: r.consentId, status: 'ACTIVE', givenAt: r.givenAt, iin: r.iin });
      applied(`consent:${r.consentId}`);
      return { status: 201, body: { consentId: r.consentId, status: 'ACTIVE', givenAt: r.givenAt } };
    }),
    {
      method: 'GET',
      path: '/v1/identification/consents/:consentId',
      handle: ({ params }) => ({ status: 200, body: consentView(consentOf(params.consentId!)) }),
    },
    {
      method: 'POST',
      path: '/v1/identification/consents/:consentId/revocation',
      idempotent: true,
      handle: ({ params }) => {
        const c = consentOf(params.consentId!);
        if (c.status === 'ACTIVE') Object.assign(c, { status: 'REVOKED', revokedAt: now().toISOString() });
        return { status: 200, body: consentView(c) };
      },
    },
    mutation('/v1/identification/sessions', OpenSessionRequest, (r, { applied }) => {
      activeConsent(r.consentId, r.iin);
      if (!person(r.iin).knownToState) throw err('IIN_NOT_FOUND', 'the state database does not know this IIN');
      const until = block(r.iin);
      if (until)
        throw err('LIVENESS_BLOCKED', `liveness is blocked until ${until}`, [
          { field: 'blockedUntil', code: 'BLOCKED_UNTIL', message: until },
        ]);
      if (sessions.has(r.sessionId)) throw new HttpError(409, 'IDEMPOTENCY_CONFLICT', 'session id in use');
      const session: Session = {
        sessionId: r.sessionId,
        status: 'OPEN',
        livenessAttemptsLeft: LIVENESS_ATTEMPTS_PER_SESSION,
        smsLeft: SMS_PER_SESSION,
        openedAt: now().toISOString(),
        iin: r.iin,
        consentId: r.consentId,
        livenessPassed: false,
      };
      sessions.set(r.sessionId, session);
      applied(`session:${r.sessionId}`);
      const { sessionId, status, livenessAttemptsLeft, smsLeft, openedAt } = session;
      return { status: 201, body: { sessionId, status, livenessAttemptsLeft, smsLeft, openedAt } };
    }),
    {
      method: 'POST',
      path: '/v1/identification/sessions/:sessionId/liveness-checks',
      idempotent: true,
      handle: ({ params, body }) => {
        parseBody(LivenessCheckRequest, body);
        const session = openSession(params.sessionId!);
        const until = block(session.iin);
        if (until)
          throw err('LIVENESS_BLOCKED', `liveness is blocked until ${until}`, [
            { field: 'blockedUntil', code: 'BLOCKED_UNTIL', message: until },
          ]);
        if (session.livenessPassed) throw err('LIVENESS_NOT_PASSED', 'liveness has already passed in this session');
        session.livenessAttemptsLeft -= 1;
        const passed = person(session.iin).liveness.shift() ?? true;
        const verdict: LivenessVerdict = { passed, attemptsLeft: session.livenessAttemptsLeft, sessionStatus: 'OPEN' };
        if (passed) session.livenessPassed = true;
        else {
          verdict.reason = 'SPOOF_SUSPECTED';
          if (session.livenessAttemptsLeft === 0) {
            // §23.2: the session ends and liveness is blocked for this person for 15 minutes.
            session.status = 'ENDED';
            blockedUntil.set(session.iin, now().getTime() + LIVENESS_BLOCK_MS);
            Object.assign(verdict, { sessionStatus: 'ENDED', blockedUntil: block(session.iin) });
          }
        }
        return { status: 200, body: verdict };
      },
    },
    {
      method: 'POST',
      path: '/v1/identification/sessions/:sessionId/sms',
      idempotent: true,
      handle: ({ params, applied }) => {
        const session = openSession(params.sessionId!);
        if (!session.livenessPassed) throw err('LIVENESS_NOT_PASSED', 'liveness must pass before the SMS code');
        if (session.smsLeft === 0)
          throw err('SMS_LIMIT_REACHED', `at most ${SMS_PER_SESSION} SMS in a session (§23.3)`);
        session.smsLeft -= 1;
        const sentAt = now();
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        session.code = { value: code, expiresAtMs: sentAt.getTime() + codeTtlMs };
        sms.push({ sessionId: session.sessionId, code, sentAt: sentAt.toISOString() });
        applied(`sms:${session.sessionId}`);
        return {
          status: 201,
          body: { sentAt: sentAt.toISOString(), expiresAt: iso(session.code.expiresAtMs), smsLeft: session.smsLeft },
        };
      },
    },
    mutation('/v1/identification/sessions/:sessionId/code-checks', CodeCheckRequest, ({ code }, { params }) => {
      const session = openSession(params.sessionId!);
      let result: CodeCheck;
      if (!session.code || session.code.value !== code) result = { result: 'WRONG_CODE' };
      else if (session.code.expiresAtMs <= now().getTime()) result = { result: 'EXPIRED_CODE' };
      else {
        const authorizationCode = randomUUID();
        authCodes.set(authorizationCode, { iin: session.iin, used: false });
        session.status = 'ENDED';
        result = { result: 'ACCEPTED', authorizationCode };
      }
      return { status: 200, body: result };
    }),
    mutation('/v1/identification/personal-data', PersonalDataRequest, (r, { applied }) => {
      const grant = authCodes.get(r.authorizationCode);
      if (!grant || grant.used)
        throw err('AUTHORIZATION_CODE_INVALID', 'the authorisation code is unknown or already used');
      activeConsent(r.consentId, grant.iin);
      grant.used = true;
      applied(`personal-data:${r.consentId}`);
      return { status: 200, body: personalData(grant.iin) };
    }),
    mutation('/v1/identification/photo-matches', PhotoMatchRequest, (r, { applied }) => {
      activeConsent(r.consentId, r.iin);
      const problems = photoRequirementProblems(r.photo.quality);
      if (problems.length)
        throw err(
          'PHOTO_REQUIREMENTS_NOT_MET',
          problems.join('; '),
          problems.map((message) => ({ field: 'photo', code: 'ANNEX_1', message })),
        );
      const p = person(r.iin);
      if (!p.knownToState) throw err('IIN_NOT_FOUND', 'the state database does not know this IIN');
      matches.set(r.matchId, { iin: r.iin, consentId: r.consentId, scorePercent: p.photoScore });
      applied(`match:${r.matchId}`);
      return {
        status: 201,
        body: { matchId: r.matchId, scorePercent: p.photoScore, matchedAt: now().toISOString() },
      };
    }),
    // The validation call `esu-bridge check` uses: the consent confirmation's signature checked, nothing changed.
    signatureCheckRoute(CONSENT_SIGNATURE_CHECKS_PATH, ConsentConfirmation, trust),
    mutation(
      '/v1/identification/photo-matches/:matchId/personal-data',
      MatchedPersonalDataRequest,
      (r, { params, body, applied }) => {
        const match = found(matches.get(params.matchId!), 'no such match');
        if (!photoMatchPasses(match.scorePercent))
          throw err('SCORE_BELOW_THRESHOLD', `match ${match.scorePercent} % is below 85 % (§15(5))`);
        const c = r.consentConfirmation;
        if (c.matchId !== params.matchId || c.consentId !== match.consentId) {
          throw err('SIGNATURE_INVALID', 'the consent confirmation is not for this match (ЦОИД rules §14.2)');
        }
        requireSignedBy((body as { consentConfirmation: Record<string, unknown> }).consentConfirmation, trust);
        activeConsent(match.consentId, match.iin);
        applied(`personal-data:${match.consentId}`);
        return { status: 200, body: personalData(match.iin) };
      },
    ),
  ];

  const adminRoutes: Route[] = [
    settingRoute('/__admin/identification/people', PersonSetting, (setting) => people.set(setting.iin, setting)),
    {
      method: 'GET',
      path: '/__admin/identification/sessions/:sessionId/sms',
      handle: ({ params }) => {
        const last = sms.filter((m) => m.sessionId === params.sessionId).at(-1);
        return { status: 200, body: found(last, 'no SMS for this session') };
      },
    },
    {
      method: 'POST',
      path: '/__admin/identification/consents/:consentId/revoke',
      handle: ({ params }) => {
        const c = consentOf(params.consentId!);
        Object.assign(c, { status: 'REVOKED', revokedAt: now().toISOString() });
        return { status: 200, body: c };
      },
    },
  ];

  return {
    routes,
    adminRoutes,
    reset() {
      for (const map of [people, consents, sessions, blockedUntil, authCodes, matches]) map.clear();
      sms.length = 0;
    },
  };
}

interface SimulatorParts {
  routes: Route[];
  adminRoutes: Route[];
  reset(): void;
}

/**
 * Mounts identification on the simulators that own it: Nomapay's identification API and identified wallets
 * on the Nomapay server (Nomapay is the ЦОИД participant, so NOMAPAY_ID_BASE_URL defaults to NOMAPAY_BASE_URL),
 * the bettor register on the ESU server. Same API keys, idempotency and fault injection as their other routes.
 */
export function attachIdentificationSimulators(
  esu: SimulatorParts,
  nomapay: SimulatorParts,
  options: IdentificationSimulatorOptions = {},
): void {
  const identification = createIdentificationSimulator(options);
  const registration = createRegistrationSimulators(options.now);
  nomapay.routes.push(...identification.routes, ...registration.nomapayRoutes);
  nomapay.adminRoutes.push(...identification.adminRoutes);
  esu.routes.push(...registration.esuRoutes);
  esu.adminRoutes.push(...registration.esuAdminRoutes);
  const [resetEsu, resetNomapay] = [esu.reset, nomapay.reset];
  esu.reset = () => (resetEsu(), registration.reset());
  nomapay.reset = () => (resetNomapay(), identification.reset(), registration.reset());
}
