import { DecideReview } from '../../domain/identification-commands.js';
import { parseOrReject, type IdentificationCore } from '../identification-core.js';
import { decideReviewUpdate } from '../identification-messages.js';
import { expectStep, onStep } from './step.js';

/** The offline check after repeated biometric failures (ЦОИД rules §16): a reviewer approves or refuses the bettor. */
export function registerReviewStep(core: IdentificationCore): void {
  const s = core.state;
  onStep(
    core,
    decideReviewUpdate,
    (cmd) => {
      parseOrReject(DecideReview, cmd);
      expectStep(core, 'OFFLINE_REVIEW');
    },
    async (cmd) => {
      const d = parseOrReject(DecideReview, cmd);
      Object.assign(s.review!, { reviewer: d.reviewer, approved: d.approved });
      await core.journal('identification.review-decided', d.approved ? 'OK' : 'REFUSED', {
        actor: d.reviewer,
        details: { approved: d.approved, note: d.note },
      });
      if (!d.approved) return core.refuse('REVIEW_REFUSED', 'the offline check refused the bettor (§16)', d.reviewer);
      s.method = 'OFFLINE_REVIEW';
      core.setStep('REGISTERING');
      return core.answer('REVIEW_DECIDED', 'approved after the offline check: the bettor is being registered');
    },
  );
}
