import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { z } from 'zod';
import type { ErrorType } from '../domain/errors.js';
import { fieldProblems } from '../domain/issues.js';

/** One field that failed validation, named the way the caller sent it; `type` when a rule of domain/errors.ts refused it. */
export interface FieldIssue {
  field: string;
  message: string;
  type?: ErrorType;
}

/** The request was refused before anything started: nothing moved. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(
    readonly operation: string,
    readonly issues: FieldIssue[],
  ) {
    super(`${operation}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }

  /** One issue per field; a field the request may not carry is named with "unknown field" (schemas are strict). */
  static fromZod(operation: string, error: z.ZodError): InvalidRequestError {
    return new InvalidRequestError(operation, fieldProblems(error));
  }
}

/** The id was used before with a different request body: a conflict, not a replay. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(readonly workflowId: string) {
    super(`${workflowId} already exists with a different request; use a new id for a new operation`);
  }
}

/** An operation's workflow ended in failure: `type` is one of domain/errors.ts `ErrorType`. */
export class OperationFailedError<State = unknown> extends Error {
  override readonly name = 'OperationFailedError';
  constructor(
    readonly workflowId: string,
    readonly type: string,
    message: string,
    readonly state: State | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The workflow refused a step: `type` is an ErrorType (IdentificationStepRejected, InvalidInput, …). */
export class StepRejectedError extends Error {
  override readonly name = 'StepRejectedError';
  constructor(
    readonly workflowId: string,
    readonly type: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An update the workflow refused (its validator, or its handler with an ApplicationFailure) as a StepRejectedError
 * with the failure's own type (`type` when it has none); undefined for any other error.
 */
export function updateRefusal(workflowId: string, err: unknown, type: string): StepRejectedError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)) return undefined;
  return new StepRejectedError(workflowId, err.cause.type ?? type, err.cause.message, { cause: err });
}

/**
 * Walks WorkflowFailedError → (ChildWorkflowFailure | ActivityFailure)* → ApplicationFailure and returns
 * the first ApplicationFailure (the one the workflow threw), so callers can switch on its `type`.
 */
export function toOperationFailure<State>(workflowId: string, err: unknown): OperationFailedError<State> | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  let current: unknown = err.cause;
  while (current instanceof ChildWorkflowFailure || current instanceof ActivityFailure) current = current.cause;
  if (current instanceof ApplicationFailure) {
    return new OperationFailedError<State>(
      workflowId,
      current.type ?? 'Unknown',
      current.message,
      current.details?.[0] as State,
      {
        cause: err,
      },
    );
  }
  return new OperationFailedError<State>(
    workflowId,
    'Unknown',
    (current as Error | undefined)?.message ?? err.message,
    undefined,
    {
      cause: err,
    },
  );
}
