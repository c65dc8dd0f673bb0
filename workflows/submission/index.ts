// The submission workflow, by step: run.ts (its state and journal), sending.ts, verdict.ts (AFM's rejection
// window), rejection.ts, compliance.ts (retry, resume, resubmit), written-notice.ts, and workflow.ts (the loop).
// What the client, the console, the API and the worker bundle import.
export * from './messages.js';
export { submission, type SubmissionCarryOver } from './workflow.js';
export { outagePause, SEND_ATTEMPTS_PER_ROUND, NEVER_STOP_RETRYING_PATCH } from './sending.js';
export { VERDICT_BY_SIGNAL_PATCH } from './verdict.js';
export { RETRY_ANSWER_WAIT } from './compliance.js';
