import { ActivityFailure, CancellationScope, ApplicationFailure, TimeoutFailure, log } from '@temporalio/workflow';
import { ErrorType } from '../domain/errors.js';

/**
 * Compensations of a money saga (samples `saga/src/workflows.ts`, with STYLE item 25's changes):
 * pushed before the step whose outcome may be unknown, run last-in first-out in a non-cancellable
 * scope, and never swallowed: a compensation that still fails fails the workflow with
 * `CompensationFailed` for compliance to see.
 */
export class Compensations {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  readonly done: string[] = [];

  push(name: string, run: () => Promise<unknown>): void {
    this.steps.unshift({ name, run });
  }

  async run(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const step of this.steps) {
        try {
          await step.run();
          this.done.push(step.name);
        } catch (err) {
          log.error('compensation failed', { compensation: step.name, error: String(err) });
          throw ApplicationFailure.create({
            message: `compensation "${step.name}" failed; the operation needs a compliance officer`,
            type: ErrorType.CompensationFailed,
            nonRetryable: true,
            cause: err as Error,
          });
        }
      }
    });
  }
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
