import { defineSignal } from '@temporalio/workflow';
import type { AfmVerdictSignal } from '../domain/submission.js';

/**
 * What reaches a waiting submission from outside (the e-government integration rules §47): AFM's verdict, fetched by the verdict reader or
 * pushed to the API, and the worker's "sending may work again" after a restart (a configuration fix).
 * Defined here so the reader, the API and the worker import the same definitions as the workflow.
 */
export const afmVerdictSignal = defineSignal<[AfmVerdictSignal]>('afmVerdict');
/** Sent by a starting worker to every FAILED submission: a refusal a retry could not fix may be fixed now. */
export const resumeSubmissionSignal = defineSignal<[{ reason: string }]>('resumeSubmission');

/** The pause before send round `round` (1-based) of an outage: doubling from the first, never past the cap. */
export function outagePause(round: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(round - 1, 0), 20));
}

/** Patch names: a history recorded before them replays the old path (hourly polls; FAILED past the outage deadline). */
export const VERDICT_BY_SIGNAL_PATCH = 'afm-verdict-by-signal';
export const NEVER_STOP_RETRYING_PATCH = 'submission-never-stops-retrying';
