import type { IdentificationCore } from '../identification-core.js';
import { registerGiveConsent, registerRevokeConsent } from './consent.js';
import { registerPhotoSteps } from './photo.js';
import { registerReviewStep } from './review.js';
import { registerTwoFactorSteps } from './two-factor.js';

export { photoMatched } from './photo.js';

/**
 * The steps the bookmaker's app, its reviewers and Nomapay drive, one update each, by method: consent
 * (consent.ts), two-factor with one-time codes (two-factor.ts, ЦОИД rules §§23–31), the biometric photo match
 * (photo.ts, §§11–17) and the offline review (review.ts, §16). Registered before the workflow's first await,
 * in the order they always were.
 */
export function registerStepHandlers(core: IdentificationCore): void {
  registerGiveConsent(core);
  registerTwoFactorSteps(core);
  registerPhotoSteps(core);
  registerReviewStep(core);
  registerRevokeConsent(core);
}
