import { GiveConsent, RevokeConsent } from '../../domain/identification-commands.js';
import { interactive, parseOrReject, reject, type IdentificationCore } from '../identification-core.js';
import { giveConsentUpdate, revokeConsentUpdate } from '../identification-messages.js';
import { expectStep, onStep } from './step.js';

/** The bettor's consent to the user agreement and the transfer of personal data: it comes first (§§9, 13, 25). */
export function registerGiveConsent(core: IdentificationCore): void {
  const s = core.state;
  onStep(
    core,
    giveConsentUpdate,
    (cmd) => {
      expectStep(core, 'AWAITING_CONSENT');
      parseOrReject(GiveConsent, cmd);
    },
    async (cmd) => {
      const c = parseOrReject(GiveConsent, cmd);
      if (!c.accepted) {
        const why = 'the bettor did not accept the user agreement and the transfer of personal data (§§13, 25)';
        return core.refuse('CONSENT_REFUSED', why, 'bettor');
      }
      const givenAt = new Date().toISOString();
      s.consent = {
        consentId: `${core.keyPrefix}:consent`,
        agreementVersion: c.agreementVersion,
        givenAt,
        registered: false,
      };
      core.setStep('AWAITING_METHOD');
      await core.journal('identification.consent-given', 'OK', {
        actor: 'bettor',
        details: { agreementVersion: c.agreementVersion, clientTime: c.clientTime },
      });
      return core.answer('CONSENT_RECORDED', 'consent recorded: start two-factor authentication or send a photo');
    },
  );
}

/** The bettor revokes consent, in the app or at Nomapay's registry: no further personal-data request (§§27, 31). */
export function registerRevokeConsent(core: IdentificationCore): void {
  const s = core.state;
  onStep(
    core,
    revokeConsentUpdate,
    (cmd) => {
      parseOrReject(RevokeConsent, cmd);
      if (!s.consent || s.consent.revokedAt) reject('there is no active consent to revoke');
      if (core.terminal) reject(`the identification has ended (${s.step})`);
    },
    async (cmd) => {
      const r = parseOrReject(RevokeConsent, cmd);
      const consent = s.consent!;
      consent.revokedAt = r.revokedAt ?? new Date().toISOString();
      const actor = r.source === 'APP' ? 'bettor' : 'nomapay';
      await core.journal('identification.consent-revoked', 'OK', { actor, details: { source: r.source } });
      if (r.source === 'APP' && consent.registered) {
        // Relay to the registry; our side has already stopped asking, so a failed relay is journalled, not fatal.
        await interactive.revokeConsentAtNomapay({ consentId: consent.consentId }).catch((err) =>
          core.journal('identification.consent-revocation-relay-failed', 'FAILED', {
            details: { error: String(err) },
          }),
        );
      }
      // Registration in progress stops at its next consent check; every other step ends here.
      if (s.step !== 'REGISTERING') {
        return core.refuse(
          'CONSENT_REVOKED',
          'the bettor revoked consent: no further personal-data request is made (§§27, 31)',
        );
      }
      return core.answer('CONSENT_REVOKED', 'consent revoked: registration stops before its next request');
    },
  );
}
