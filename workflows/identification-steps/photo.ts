import { ErrorType } from '../../domain/errors.js';
import { needsOfflineCheck, photoMatchPasses, type StepAnswer } from '../../domain/identification.js';
import { RecordDecision, SubmitPhoto } from '../../domain/identification-commands.js';
import { photoRequirementProblems } from '../../domain/photo.js';
import type { PhotoMatch } from '../../domain/wire/identification.js';
import { interactive, parseOrReject, reject, type IdentificationCore } from '../identification-core.js';
import { recordDecisionUpdate, submitPhotoUpdate } from '../identification-messages.js';
import { expectStep, onStep, samePerson } from './step.js';

/**
 * The biometric photo match (ЦОИД rules §§11–17): the app sends a photo that meets annex 1, Nomapay's service
 * scores it against the state's photo, and on a pass the bookmaker records its own decision (§§12, 17.4).
 */
export function registerPhotoSteps(core: IdentificationCore): void {
  const s = core.state;

  onStep(
    core,
    submitPhotoUpdate,
    (cmd) => {
      const c = parseOrReject(SubmitPhoto, cmd);
      core.consentActive();
      expectStep(core, 'AWAITING_METHOD');
      samePerson(core, c.iin);
      const problems = photoRequirementProblems(c.photo.quality);
      if (problems.length)
        reject(`the photo does not meet annex 1: ${problems.join('; ')}`, ErrorType.PhotoRequirementsNotMet);
    },
    async (cmd) => {
      const c = parseOrReject(SubmitPhoto, cmd);
      await core.ensureConsentRegistered(c.iin, interactive);
      const matchId = `${core.keyPrefix}:match-${++core.matches}`;
      const startedAtMs = Date.now();
      const match = await interactive.matchPhoto({
        matchId,
        iin: c.iin,
        consentId: s.consent!.consentId,
        photo: c.photo,
      });
      core.pin(c);
      return photoMatched(core, match, startedAtMs);
    },
  );

  onStep(
    core,
    recordDecisionUpdate,
    (cmd) => {
      parseOrReject(RecordDecision, cmd);
      expectStep(core, 'AWAITING_DECISION');
      core.consentActive();
    },
    async (cmd) => {
      const d = parseOrReject(RecordDecision, cmd);
      s.decision = { positive: d.positive, decidedBy: d.decidedBy, decidedAt: new Date().toISOString() };
      await core.journal('identification.decision-recorded', d.positive ? 'OK' : 'REFUSED', {
        actor: d.decidedBy,
        details: { positive: d.positive, matchId: s.photoMatch?.matchId },
      });
      if (!d.positive) {
        return core.refuse(
          'BOOKMAKER_DECISION',
          'the bookmaker decided the biometric verification did not succeed (§12)',
          d.decidedBy,
        );
      }
      s.method = 'PHOTO_MATCH';
      core.setStep('REGISTERING');
      return core.answer(
        'DECISION_RECORDED',
        'decision recorded: personal data is asked with the signed consent confirmation (§§14(2), 17)',
      );
    },
  );
}

/** Shared by the app's photo and the migration's reference photo: ≥ 85 % passes (§17.1), below it is a failure. */
export async function photoMatched(
  core: IdentificationCore,
  match: PhotoMatch,
  startedAtMs: number,
): Promise<StepAnswer> {
  const s = core.state;
  const passed = photoMatchPasses(match.scorePercent);
  s.photoMatch = { matchId: match.matchId, scorePercent: match.scorePercent, passed };
  await core.journal('identification.photo-matched', passed ? 'OK' : 'REJECTED', {
    startedAtMs,
    details: { matchId: match.matchId, scorePercent: match.scorePercent, passed },
  });
  if (passed) {
    core.setStep('AWAITING_DECISION');
    return core.answer(
      'PHOTO_MATCHED',
      `match ${match.scorePercent} % (85 % or more passes, §17.1): record the bookmaker's decision`,
    );
  }
  s.biometricFailures += 1;
  if (needsOfflineCheck(s.biometricFailures)) return core.repeatedFailure(`the photo matched ${match.scorePercent} %`);
  return core.answer(
    'PHOTO_NOT_MATCHED',
    `match ${match.scorePercent} % is below 85 %: no personal data (§15(5)); try another photo`,
  );
}
