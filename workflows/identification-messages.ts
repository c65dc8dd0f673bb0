import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { IdentificationState, StepAnswer } from '../domain/identification.js';
import type * as commands from '../domain/identification-commands.js';

/**
 * How the bookmaker's app, its reviewers and Nomapay talk to an identification: one update per step, each
 * validated before it is accepted (a rejection names the rule) and answered with a result code; one query.
 * Re-exported by workflows/identification.ts; the client imports the same definitions.
 */
export const getIdentificationStatusQuery = defineQuery<IdentificationState>('getStatus');
export const giveConsentUpdate = defineUpdate<StepAnswer, [commands.GiveConsent]>('giveConsent');
export const startTwoFactorUpdate = defineUpdate<StepAnswer, [commands.StartTwoFactor]>('startTwoFactor');
export const submitLivenessUpdate = defineUpdate<StepAnswer, [commands.SubmitLiveness]>('submitLiveness');
export const sendSmsCodeUpdate = defineUpdate<StepAnswer, []>('sendSmsCode');
export const submitSmsCodeUpdate = defineUpdate<StepAnswer, [commands.SubmitSmsCode]>('submitSmsCode');
export const submitPhotoUpdate = defineUpdate<StepAnswer, [commands.SubmitPhoto]>('submitPhoto');
export const recordDecisionUpdate = defineUpdate<StepAnswer, [commands.RecordDecision]>('recordDecision');
export const decideReviewUpdate = defineUpdate<StepAnswer, [commands.DecideReview]>('decideReview');
export const revokeConsentUpdate = defineUpdate<StepAnswer, [commands.RevokeConsent]>('revokeConsent');
