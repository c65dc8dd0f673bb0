import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures carry their message and stack trace in encoded attributes, so the payload codec encrypts them like any
 * other payload: "ESU register refuses this bettor: SELF_EXCLUDED" is about a person and must not reach Temporal in
 * clear. The type (what clients branch on) stays readable. Loaded by path (`FAILURE_CONVERTER_PATH`): the worker
 * bundles it into the workflow sandbox too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
