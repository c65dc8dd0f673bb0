import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  patched,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { IdentificationStoreActivities } from '../activities/identification-store.js';
import type { MigrationActivities } from '../activities/migration.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { workflowId, WorkflowProcess } from '../domain/ids.js';
import { MigrationSubject, type IdentificationState } from '../domain/identification.js';
import { firstIssue } from '../domain/identification-commands.js';
import {
  admit,
  bettorIntervalMs,
  emptyCounts,
  etaMs,
  MigrationRequest,
  MigrationRunInput,
  ratePerHour,
  summarise,
  type MigrationOutcome,
  type MigrationProgress,
  type MigrationRow,
  type MigrationStatus,
  type OutcomeCounts,
} from '../domain/migration.js';
import { OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import type { identification } from './identification.js';
import * as m from './migration-messages.js';
import { failureType } from './failures.js';

export * from './migration-messages.js';

/** What one run hands the next through continue-as-new: counts and a cursor, never the bettors themselves. */
export interface MigrationCarry {
  run: number;
  cursor?: string;
  exhausted: boolean;
  total?: number;
  counts: OutcomeCounts;
  /** Workflow times of the latest settlements, for the rate and the ETA. */
  settleTimes: number[];
  startedAtMs: number;
  paused: boolean;
  /** Rate limiter state (theoretical arrival time of the next bettor). */
  tatMs: number;
}
export type MigrationInput = MigrationRequest & { carried?: MigrationCarry };

const source = proxyActivities<MigrationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});
const local = proxyLocalActivities<MigrationActivities & IdentificationStoreActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * Pause, resume and cancel write their journal entry with an activity, not a local activity, and the migration
 * writes its last entry once they have: see `control` below.
 */
export const HANDLER_ENTRIES_PATCH = 'migration-handler-entries-as-activities';
/** A journal entry an update handler writes, beside the migration's own: its completion is an event of its own. */
const handlerJournal = proxyActivities<IdentificationStoreActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '10 seconds' },
});

const FLUSH_EVERY = 50;
const PUBLISH_EVERY_MS = 15_000;
const RATE_WINDOW = 100;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Migrates (re-identifies) existing bettors in bulk through Nomapay as agent (the ESU integration plan, items 6–7): reads the
 * source in batches, starts one MIGRATION-mode identification child per bettor with bounded concurrency and
 * a rate limit (default 1800 requests/hour, inside the e-government integration rules’ 2000 peak and ЦОИД rules §49.3), and counts each
 * bettor once when its child says where it settled (identified, in review, refused, failed) or ends.
 * Children are abandoned on close, so a bettor in offline review outlives the migration's run. Every
 * `bettorsPerRun` bettors the run drains its children and continues as new with counts and a cursor, so
 * history stays bounded for 100 000+ bettors; a worker restart replays the run without redoing anyone.
 * Pause, resume and cancel are updates; a Temporal cancel request is treated as cancel.
 */
export async function migration(rawInput: MigrationInput): Promise<MigrationProgress> {
  const parsed = MigrationRunInput.safeParse(rawInput);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(`migration input: ${firstIssue(parsed.error)}`, ErrorType.InvalidInput);
  const settings = parsed.data;
  const info = workflowInfo();
  const carry: MigrationCarry = rawInput.carried ?? {
    run: 1,
    exhausted: false,
    counts: emptyCounts(),
    settleTimes: [],
    startedAtMs: Date.now(),
    paused: false,
    tatMs: 0,
  };
  let cancelling = false;
  let finished: MigrationStatus | undefined;
  let journalSeq = 0;
  let lastPublishMs = 0;
  let lastStatus = '';
  const inFlight = new Map<string, number>();
  const buffer: (MigrationRow & { bettorRef: string })[] = [];
  const pending: { bettorId: string; position: number; outcome: MigrationOutcome; detail?: string }[] = [];

  const status = (): MigrationStatus => finished ?? (cancelling ? 'CANCELLING' : carry.paused ? 'PAUSED' : 'RUNNING');

  function progress(): MigrationProgress {
    const sums = summarise(carry.counts);
    const remaining = carry.total === undefined ? undefined : Math.max(0, carry.total - sums.settled);
    const rate = ratePerHour(carry.settleTimes);
    const eta = etaMs(remaining, rate);
    return {
      migrationId: settings.migrationId,
      status: status(),
      total: carry.total,
      ...sums,
      remaining,
      inFlight: inFlight.size,
      counts: { ...carry.counts },
      ratePerHour: Math.round(rate),
      etaAt: eta !== undefined && remaining && status() === 'RUNNING' ? iso(Date.now() + eta) : undefined,
      startedAt: iso(carry.startedAtMs),
      updatedAt: iso(Date.now()),
      run: carry.run,
    };
  }

  /** Progress in the memo (the Temporal UI shows it) and the status as a search attribute; no personal data. */
  function publish(force: boolean): void {
    if (!force && Date.now() - lastPublishMs < PUBLISH_EVERY_MS) return;
    lastPublishMs = Date.now();
    const { counts: _counts, ...shown } = progress();
    upsertMemo({ progress: shown });
    if (shown.status !== lastStatus) {
      lastStatus = shown.status;
      upsertSearchAttributes([{ key: OperationStatusKey, value: shown.status }]);
    }
  }

  async function journal(
    event: string,
    actor: string,
    details: Record<string, unknown> = {},
    write: Pick<IdentificationStoreActivities, 'journalEvent'> = local,
  ): Promise<void> {
    const { counts, remaining } = progress();
    await write.journalEvent({
      recordId: settings.migrationId,
      event,
      result: 'OK',
      actor,
      startedAtMs: Date.now(),
      dedupeKey: `${info.workflowId}:${info.runId}:${++journalSeq}`,
      details: { counts, remaining, run: carry.run, ...details },
    });
  }

  function settle(bettorId: string, outcome: MigrationOutcome, detail?: string, position?: number): void {
    const at = position ?? inFlight.get(bettorId);
    if (at === undefined) return; // already counted (its signal and its end both report it)
    if (position === undefined) inFlight.delete(bettorId);
    carry.counts[outcome] += 1;
    carry.settleTimes.push(Date.now());
    if (carry.settleTimes.length > RATE_WINDOW) carry.settleTimes.shift();
    pending.push({ bettorId, position: at, outcome, detail: detail?.slice(0, 500) });
  }

  async function flush(): Promise<void> {
    if (pending.length)
      await local.recordMigrationOutcomes({ migrationId: settings.migrationId, items: pending.splice(0) });
  }

  setHandler(m.getMigrationStatusQuery, progress);
  setHandler(m.bettorSettledSignal, ({ bettorId, outcome, detail }) => settle(bettorId, outcome, detail));
  const control = (def: typeof m.pauseMigrationUpdate, allowed: MigrationStatus[], event: string, apply: () => void) =>
    setHandler(
      def,
      async ({ actor }) => {
        apply();
        publish(true);
        // Not a local activity: two local activities at once, the handler's and the migration's own, resolve in
        // one activation on replay, and their continuations may then issue commands in another order than they
        // did (a nondeterminism error). An activity's completion is an event of its own, replayed in its place.
        await journal(event, actor, {}, patched(HANDLER_ENTRIES_PATCH) ? handlerJournal : local);
        return progress();
      },
      {
        validator: ({ actor }) => {
          if (!actor) {
            throw ApplicationFailure.create({
              message: 'actor: must name who asked',
              type: ErrorType.InvalidInput,
              nonRetryable: true,
            });
          }
          if (!allowed.includes(status())) {
            const message = `the migration is ${status()}`;
            throw ApplicationFailure.create({
              message,
              type: ErrorType.IdentificationStepRejected,
              nonRetryable: true,
            });
          }
        },
      },
    );
  control(m.pauseMigrationUpdate, ['RUNNING'], 'migration.paused', () => (carry.paused = true));
  control(m.resumeMigrationUpdate, ['PAUSED'], 'migration.resumed', () => (carry.paused = false));
  control(m.cancelMigrationUpdate, ['RUNNING', 'PAUSED'], 'migration.cancel-requested', () => (cancelling = true));

  upsertSearchAttributes([{ key: OperationKindKey, value: 'MIGRATION' }]);
  if (carry.run === 1) {
    carry.total = (await source.describeMigrationSource(settings.source)).total;
    await journal('migration.started', settings.requestedBy, { source: settings.source.kind, total: carry.total });
  }
  publish(true);

  async function startIdentification(
    row: MigrationRow & { bettorRef: string },
    subject: MigrationSubject,
  ): Promise<void> {
    inFlight.set(row.bettorId, row.position); // before the start: its settlement may arrive in the same activation
    try {
      const child = await startChild<typeof identification>('identification', {
        workflowId: workflowId(WorkflowProcess.Identification, row.bettorId),
        args: [{ bettorId: row.bettorId, mode: 'MIGRATION', migration: subject }],
        parentClosePolicy: 'ABANDON',
        cancellationType: 'ABANDON',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      child.result().then(
        (state: IdentificationState) => {
          const outcome = state.step === 'IDENTIFIED' ? 'IDENTIFIED' : state.step === 'REFUSED' ? 'REFUSED' : 'FAILED';
          settle(row.bettorId, outcome, state.refusal?.reason);
        },
        (err: unknown) => {
          if (!isCancellation(err)) settle(row.bettorId, 'FAILED', failureType(err));
        },
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      settle(row.bettorId, 'BUSY', 'an identification for this bettor is already running');
    }
  }

  const interval = bettorIntervalMs(settings.requestsPerHour);
  let startedThisRun = 0;
  const halted = () => cancelling || carry.paused;

  async function loop(): Promise<void> {
    for (;;) {
      if (cancelling) return;
      if (pending.length >= FLUSH_EVERY) await flush();
      publish(false);
      if (carry.paused) {
        await flush();
        await condition(() => !carry.paused || cancelling);
        continue;
      }
      const row = buffer[0];
      if (!row) {
        if (carry.exhausted || startedThisRun >= settings.bettorsPerRun || workflowInfo().continueAsNewSuggested)
          return;
        const batch = await source.readMigrationBatch({
          source: settings.source,
          cursor: carry.cursor,
          limit: settings.readBatchSize,
        });
        buffer.push(...batch.rows);
        carry.cursor = batch.cursor;
        carry.exhausted = batch.exhausted;
        continue;
      }
      const subject = MigrationSubject.safeParse({
        migrationId: settings.migrationId,
        iin: row.iin,
        phone: row.phone,
        bettorRef: row.bettorRef,
        consent: { givenAt: row.consentGivenAt, agreementVersion: row.agreementVersion },
        photoRef: row.photoRef,
      });
      const bettorIdOk = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(row.bettorId);
      if (!subject.success || !bettorIdOk) {
        buffer.shift();
        const why = bettorIdOk ? firstIssue(subject.error!) : 'bettor_id is not a valid business key';
        settle(row.bettorId || `#${row.position}`, 'INVALID', why, row.position);
        continue;
      }
      if (inFlight.size >= settings.concurrency) {
        await condition(() => inFlight.size < settings.concurrency || halted());
        continue;
      }
      const { waitMs, nextTheoreticalArrivalMs } = admit(carry.tatMs, Date.now(), interval, settings.concurrency);
      if (waitMs > 0) {
        await condition(halted, waitMs);
        continue;
      }
      carry.tatMs = nextTheoreticalArrivalMs;
      buffer.shift();
      startedThisRun += 1;
      await startIdentification(row, subject.data);
    }
  }

  /** Lets the bettors in flight settle and writes their outcomes: before continue-as-new and at the end. */
  async function drain(): Promise<void> {
    await condition(() => inFlight.size === 0);
    await flush();
  }

  try {
    await loop();
    await drain();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    cancelling = true;
    await CancellationScope.nonCancellable(drain);
  }

  return CancellationScope.nonCancellable(async () => {
    if (!cancelling && !carry.exhausted) {
      // The loop rolls over only with an empty buffer, so the cursor is exactly where the next run starts.
      publish(true);
      await condition(allHandlersFinished);
      return continueAsNew<typeof migration>({ ...settings, carried: { ...carry, run: carry.run + 1 } });
    }
    // The last entry comes after the cancel's own (its handler may still be writing it), and so does the end.
    if (patched(HANDLER_ENTRIES_PATCH)) await condition(allHandlersFinished);
    finished = cancelling ? 'CANCELLED' : 'COMPLETED';
    await journal(`migration.${finished.toLowerCase()}`, 'system');
    publish(true);
    await condition(allHandlersFinished);
    return progress();
  });
}
