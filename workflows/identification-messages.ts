import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { IdentificationState, StepAnswer } from '../domain/identification.js';
import type {
  DecideReview,
  GiveConsent,
  RecordDecision,
  RevokeConsent,
  StartTwoFactor,
  SubmitLiveness,
  SubmitPhoto,
  SubmitSmsCode,
} from '../domain/identification-commands.js';

/**
 * How the bookmaker's app, its reviewers and Nomapay talk to an identification: one update per step, each
 * validated before it is accepted (a rejection names the rule) and answered with a result code; one query.
 * Re-exported by workflows/identification.ts; the client imports the same definitions.
 */
export const getIdentificationStatusQuery = defineQuery<IdentificationState>('getStatus');
export const giveConsentUpdate = defineUpdate<StepAnswer, [GiveConsent]>('giveConsent');
export const startTwoFactorUpdate = defineUpdate<StepAnswer, [StartTwoFactor]>('startTwoFactor');
export const submitLivenessUpdate = defineUpdate<StepAnswer, [SubmitLiveness]>('submitLiveness');
export const sendSmsCodeUpdate = defineUpdate<StepAnswer, []>('sendSmsCode');
export const submitSmsCodeUpdate = defineUpdate<StepAnswer, [SubmitSmsCode]>('submitSmsCode');
export const submitPhotoUpdate = defineUpdate<StepAnswer, [SubmitPhoto]>('submitPhoto');
export const recordDecisionUpdate = defineUpdate<StepAnswer, [RecordDecision]>('recordDecision');
export const decideReviewUpdate = defineUpdate<StepAnswer, [DecideReview]>('decideReview');
export const revokeConsentUpdate = defineUpdate<StepAnswer, [RevokeConsent]>('revokeConsent');
