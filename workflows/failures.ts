import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { firstIssue } from '../domain/issues.js';

// One way to fail: parse input, refuse, describe a failure, find its root message. Built on @temporalio/common
// only, so the client may read failures the way the workflows write them.

/** A failure as the sagas keep it in their state and journal. */
export interface Failure {
  type: string;
  message: string;
}

/** The message at the end of a cause chain: what the counterpart (or our own code) actually said. */
export function rootMessage(err: unknown): string {
  let current = err as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? String(err);
}

/**
 * The failure type of an activity or child failure: `CounterpartUnavailable` when the step timed out or ran
 * out of time retrying transient faults (whatever its last attempt threw: the connectors' transient faults are
 * plain Errors, whose type would read "Error"), else the typed ApplicationFailure in its cause chain.
 */
export function failureType(err: unknown): string | undefined {
  let type: string | undefined;
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof TimeoutFailure) return ErrorType.CounterpartUnavailable;
    if (current instanceof ActivityFailure && current.retryState === 'TIMEOUT') return ErrorType.CounterpartUnavailable;
    if (current instanceof ApplicationFailure && current.type && type === undefined) type = current.type;
    current = current.cause;
  }
  return type;
}

/**
 * The typed failure of an activity error, with the counterpart's refusal code when it gave one (details of
 * activities/http.ts). A step that ran out of time is CounterpartUnavailable whatever its last attempt threw.
 */
export function describeFailure(err: unknown): Failure & { code?: string } {
  let current: unknown = err;
  while (current instanceof Error && !(current instanceof ApplicationFailure)) current = current.cause;
  const code =
    current instanceof ApplicationFailure ? (current.details?.[0] as { code?: string } | undefined)?.code : undefined;
  return { type: failureType(err) ?? 'Unknown', ...(code ? { code } : {}), message: rootMessage(err) };
}

/** Ends a run with a final, typed refusal; `state` goes with it as the failure's details (the status query's shape). */
export function refuse(failure: Failure, state?: object): never {
  throw ApplicationFailure.create({
    message: failure.message,
    type: failure.type,
    nonRetryable: true,
    ...(state ? { details: [state] } : {}),
  });
}

/**
 * Parses a workflow's input with its schema. A bad field refuses the run with InvalidInput naming the field
 * (`<what> input: <field>: <issue>`); `state` is moved to its refused status first, for the status query.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  what: string,
  state?: { status: string; failure?: Failure },
  refusedStatus?: string,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const failure = { type: ErrorType.InvalidInput, message: `${what} input: ${firstIssue(parsed.error)}` };
  if (state && refusedStatus) {
    state.status = refusedStatus;
    state.failure = failure;
  }
  throw ApplicationFailure.nonRetryable(failure.message, ErrorType.InvalidInput);
}
