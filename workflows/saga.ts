import { CancellationScope, ApplicationFailure, log } from '@temporalio/workflow';
import { ErrorType } from '../domain/errors.js';
import { rootMessage, type Failure } from './failures.js';

/**
 * Compensations of a money saga (samples `saga/src/workflows.ts`, with our changes):
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

type StepResult = 'REFUSED' | 'FAILED' | 'COMPENSATED';
/** A step of the saga's journal: its status, event and what the journal row carries. */
export type Advance<Status extends string> = (
  status: Status,
  event: string,
  extra: { result: StepResult; failure: Failure },
) => Promise<void>;

export interface CompensateAndFail<Status extends string> {
  /** What failed the step: the cause of the failure the saga ends with. */
  err: unknown;
  failure: Failure;
  state: { failure?: Failure; compensations: string[] };
  compensations: Compensations;
  advance: Advance<Status>;
  compensating: [Status, string];
  compensationFailed: [Status, string];
  /** Where the saga ends once everything is undone (a refusal when nothing was ever held). */
  compensated: [Status, string, 'COMPENSATED' | 'REFUSED'];
  /** The message of the failure the saga ends with. */
  message: string;
}

/**
 * The one way a money saga fails after it moved something: journal that it is compensating, run the
 * compensations, journal where it ended and fail with the step's type and the saga's state as details. A
 * compensation that fails ends the saga CompensationFailed instead.
 */
export async function compensateAndFail<Status extends string>(c: CompensateAndFail<Status>): Promise<never> {
  c.state.failure = c.failure;
  await c.advance(c.compensating[0], c.compensating[1], { result: 'FAILED', failure: c.failure });
  try {
    await c.compensations.run();
  } catch (compensationErr) {
    c.state.compensations = c.compensations.done;
    c.state.failure = { type: ErrorType.CompensationFailed, message: rootMessage(compensationErr) };
    await c.advance(c.compensationFailed[0], c.compensationFailed[1], { result: 'FAILED', failure: c.state.failure });
    throw compensationErr;
  }
  c.state.compensations = c.compensations.done;
  await c.advance(c.compensated[0], c.compensated[1], { result: c.compensated[2], failure: c.failure });
  throw ApplicationFailure.create({
    message: c.message,
    type: c.failure.type,
    nonRetryable: true,
    cause: c.err as Error,
    details: [c.state],
  });
}
