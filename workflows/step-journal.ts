import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { StepRecord } from '../activities/journal.js';
import type { LedgerActivities } from '../activities/ledger.js';
import type { BettingLedgerActivities } from '../activities/betting-ledger.js';
import { ErrorType } from '../domain/errors.js';
import { OperationStatusKey } from '../domain/search-attributes.js';
import { compensateAndFail, type Advance, type Compensations } from './saga.js';
import { describeFailure, refuse as refuseWith, type Failure } from './failures.js';
import { journal } from './policies.js';

// How a money saga's steps reach the operations list and the event journal (National Bank resolution No. 116
// §55.11): one local activity per step (the shapes recorded before the lean steps), or carried by the local
// activities the saga runs anyway (the lean shape, docs/operation-cost.md). One saga body serves both.

export type StepExtra = Partial<Pick<StepRecord, 'result' | 'failure' | 'esuReceiptId' | 'details'>>;

/** A step the saga is at once an activity has landed: its status, event and what its row carries. */
export type Step<Status extends string> = [status: Status, event: string, extra?: StepExtra];

/** Who the rows are about: a settlement learns its bettor and amount only once it has loaded the bet. */
export type StepSubject = () => { operationId: string; bettorRef: string; amountTiyn: number };

/** Our own ledger, as a worker activity (per-step shape) or as a local activity with the steps' rows (lean). */
export type SagaLedger = LedgerActivities & BettingLedgerActivities;

/** The rows an activity journals in its transaction, as its `steps` argument (none in the per-step shape). */
export const journalling = (rows?: StepRecord[]): { steps?: StepRecord[] } => (rows ? { steps: rows } : {});

export interface SagaSteps<Status extends string> {
  /** Moves the saga to `status` and journals the step: at once (per step) or with the next local activity (lean). */
  step(status: Status, event: string, extra?: StepExtra): Promise<void>;
  /**
   * Runs a step's activity. In the lean shape it gets the queued rows and `then`'s to journal in its
   * transaction; once it has landed (`landed`, by default whenever it returns) the saga is at `then`.
   */
  carry<T>(run: (rows?: StepRecord[]) => Promise<T>, then?: Step<Status>, landed?: (result: T) => boolean): Promise<T>;
  /** Ends the saga refused at `status`: the step journalled, the run failed with the failure and the state. */
  refuse(status: Status, event: string, failure: Failure): Promise<never>;
  /** compensateAndFail's advance: what is queued is journalled before the compensations run. */
  undoing(compensating: Status): Advance<Status>;
  /** Journals what is queued now, before a step that may wait long (nothing is queued per step). */
  flush(): Promise<void>;
}

/** How one run of a saga's steps goes: where its rows go and how it calls its own ledger (per step, or lean). */
export interface SagaShape<Status extends string> {
  steps: SagaSteps<Status>;
  ledger: SagaLedger;
}

abstract class StepRows<Status extends string> {
  protected readonly workflowId = workflowInfo().workflowId;

  constructor(
    protected readonly state: { status: Status; failure?: Failure },
    protected readonly kind: string,
    protected readonly subject: StepSubject,
  ) {}

  /** The journal row of a step, dated now (workflow time: deterministic on replay). */
  record(status: Status, event: string, extra: StepExtra = {}): StepRecord {
    return {
      ...this.subject(),
      kind: this.kind,
      workflowId: this.workflowId,
      status,
      event,
      result: 'OK',
      startedAtMs: Date.now(),
      ...extra,
    };
  }

  abstract step(status: Status, event: string, extra?: StepExtra): Promise<void>;

  async refuse(status: Status, event: string, failure: Failure): Promise<never> {
    this.state.failure = failure;
    await this.step(status, event, { result: 'REFUSED', failure });
    return refuseWith(failure, this.state);
  }
}

/**
 * The per-step shape: each step moves the saga to its status, upserts it as `OperationStatus` and journals
 * its row with a local activity of its own. Runs recorded before the lean steps replay through it.
 */
export class StepJournal<Status extends string> extends StepRows<Status> implements SagaSteps<Status> {
  override async step(status: Status, event: string, extra: StepExtra = {}): Promise<void> {
    const row = this.record(status, event, extra);
    this.state.status = status;
    upsertSearchAttributes([{ key: OperationStatusKey, value: status }]);
    await journal.recordStep(row);
  }

  async carry<T>(run: (rows?: StepRecord[]) => Promise<T>, then?: Step<Status>, landed?: (result: T) => boolean) {
    const result = await run(undefined);
    if (then && (!landed || landed(result))) await this.step(...then);
    return result;
  }

  undoing(): Advance<Status> {
    return (status, event, extra) => this.step(status, event, extra);
  }

  async flush(): Promise<void> {}
}

/** Which statuses a saga shows as its OperationStatus search attribute (lean shape): those ops filter on. */
export type VisibleStatuses = ReadonlySet<string>;

/**
 * The lean shape: a step moves the saga's state at once, and its journal row (operations list and event
 * journal, every attribute it had) is written by the next local activity the saga runs anyway, in that
 * activity's transaction: the registration, the identification gate, a ledger posting, the outcome.
 * `OperationStatus` is upserted only for the statuses ops filter on, not per step. Queued steps survive a
 * worker crash: they are workflow state, rebuilt by replay, and journalled idempotently per (operation, event).
 */
export class StepQueue<Status extends string> extends StepRows<Status> implements SagaSteps<Status> {
  private queued: StepRecord[] = [];

  constructor(
    state: { status: Status; failure?: Failure },
    kind: string,
    subject: StepSubject,
    private readonly visible: VisibleStatuses,
  ) {
    super(state, kind, subject);
  }

  /** Moves the saga to `status` and queues its journal row. */
  advance(status: Status, event: string, extra: StepExtra = {}): void {
    this.queued.push(this.record(status, event, extra));
    this.show(status);
  }

  override async step(status: Status, event: string, extra: StepExtra = {}): Promise<void> {
    this.advance(status, event, extra);
  }

  /** The queued rows, and `then`'s (the step the activity's success is), for an activity to journal. */
  pending(then?: StepRecord): StepRecord[] {
    return then ? [...this.queued, then] : [...this.queued];
  }

  /** The activity that carried `pending(then)` landed: those rows are written, the saga is at `then`. */
  written(then?: StepRecord): void {
    this.queued = [];
    if (then) this.show(then.status as Status);
  }

  async carry<T>(run: (rows?: StepRecord[]) => Promise<T>, then?: Step<Status>, landed?: (result: T) => boolean) {
    const row = then && this.record(...then);
    const result = await run(this.pending(row));
    // Not landed (a gate that refused, a bet found settled already): the activity wrote none of the rows.
    if (!landed || landed(result)) this.written(row);
    return result;
  }

  /** Hands the queued rows to the saga's last activity (the registry's outcome). */
  take(): StepRecord[] {
    const steps = this.queued;
    this.queued = [];
    return steps;
  }

  undoing(compensating: Status): Advance<Status> {
    // Journalled before the compensations run: a refund may retry for long, and ops see the saga compensating.
    return async (status, event, extra) => {
      this.advance(status, event, extra);
      if (status === compensating) await this.flush();
    };
  }

  async flush(): Promise<void> {
    if (this.queued.length) await journal.recordSteps({ steps: this.take() });
  }

  private show(status: Status): void {
    this.state.status = status;
    if (this.visible.has(status)) upsertSearchAttributes([{ key: OperationStatusKey, value: status }]);
  }
}

export interface Undo<Status extends string> {
  state: { failure?: Failure; compensations: string[] };
  compensations: Compensations;
  steps: SagaSteps<Status>;
  compensating: [Status, string];
  compensationFailed: [Status, string];
  compensated: [Status, string];
  /** Where the saga ends when its hold was refused for want of balance: nothing was ever held, nothing undone. */
  refused?: [Status, string];
  /** The message of the failure the saga ends with, given what failed the step. */
  message: (reason: string) => string;
}

/** A money saga's step failed after something moved (or may have): compensate, journal where it ended, fail. */
export function undo<Status extends string>(err: unknown, u: Undo<Status>): Promise<never> {
  const { type, message } = describeFailure(err);
  const refused = u.refused && type === ErrorType.InsufficientBalance ? u.refused : undefined;
  return compensateAndFail({
    err,
    failure: { type, message },
    state: u.state,
    compensations: u.compensations,
    advance: u.steps.undoing(u.compensating[0]),
    compensating: u.compensating,
    compensationFailed: u.compensationFailed,
    compensated: refused ? [refused[0], refused[1], 'REFUSED'] : [u.compensated[0], u.compensated[1], 'COMPENSATED'],
    message: u.message(message),
  });
}
