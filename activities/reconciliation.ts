import { log } from '@temporalio/activity';
import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import { checkLedger } from '../db/ledger-check.js';
import { counterpartOperationId, OperationKind } from '../domain/ids.js';
import {
  afmExpectation,
  classify,
  expectationAt,
  summarise,
  type CounterpartCounts,
  type DifferenceSource,
  type FoundDifference,
  type OurRecord,
  type ReconciliationCounterpart,
  type ReconciliationResult,
  type TheirRecord,
} from '../domain/reconciliation.js';
import { AfmReceipt, AfmSubmissionStatus } from '../domain/wire/afm.js';
import { EsuRecordedOperation } from '../domain/wire/esu.js';
import { almatyDayBounds, Listings } from '../domain/wire/listings.js';
import { WalletTransfer } from '../domain/wire/nomapay.js';
import { endOfNextWorkingDay, type WorkingDayCalendar } from '../domain/working-days.js';
import type { CounterpartClient } from './http.js';
import { appendJournal } from '../store/journal.js';

/**
 * The daily reconciliation's I/O (workflows/reconciliation.ts): each counterpart's listing fetched a page per call
 * and staged in PostgreSQL (reconciliation_listed_records, migration 017: ids, kinds, amounts, statuses, never an
 * IIN), compared with our operations and AFM submissions by domain/reconciliation.ts `classify`, the differences
 * written to reconciliation_differences, and only counts returned, so a large day never enters workflow history.
 */
export interface ReconciliationDeps {
  pool: Pool;
  esu: CounterpartClient;
  nomapay: CounterpartClient;
  afm: CounterpartClient;
  /** The Kazakhstan working-day calendar: a difference is due the next working day. */
  calendar: () => Promise<WorkingDayCalendar>;
}

/** How many of our records missing from a day's listing are looked up one by one (recorded on another day?). */
export const MAX_POINT_LOOKUPS = 500;

const PREFIX_KIND: Record<string, OperationKind> = { dep: 'DEPOSIT', bet: 'BET', stl: 'SETTLEMENT', pay: 'PAYOUT' };

/** `dep-X` → the operation X; undefined for an id that is none of ours. */
export function operationOfCounterpartId(id: string): { kind: OperationKind; operationId: string } | undefined {
  const dash = id.indexOf('-');
  const kind = PREFIX_KIND[id.slice(0, dash)];
  return dash > 0 && kind ? { kind, operationId: id.slice(dash + 1) } : undefined;
}

/** A counterpart's listing of domain/wire/listings.ts, and what of a listed record is its kind (AFM's have none). */
interface ListingRead<K extends string, R extends { amountTiyn: number; status: string }> {
  listing: {
    path: string;
    key: K;
    page: z.ZodType<Record<K, R[]> & { nextCursor?: string; hasMore: boolean }>;
    id(record: R): string;
    at(record: R): string;
  };
  kind(record: R): string | undefined;
}

/** One page of a listing as the records we stage, and the cursor of the next. */
async function readListingPage<K extends string, R extends { amountTiyn: number; status: string }>(
  client: CounterpartClient,
  query: string,
  { listing, kind }: ListingRead<K, R>,
): Promise<{ rows: TheirRecord[]; nextCursor?: string; hasMore: boolean }> {
  const page = (await client.get(`${listing.path}${query}`, listing.page))!;
  const rows = page[listing.key].map((r) => ({
    recordId: listing.id(r),
    ...(kind(r) === undefined ? {} : { kind: kind(r) }),
    amountTiyn: r.amountTiyn,
    status: r.status,
    atMs: Date.parse(listing.at(r)),
  }));
  return { rows, nextCursor: page.nextCursor, hasMore: page.hasMore };
}

const EsuLookup = EsuRecordedOperation.extend({ status: z.string().optional() });

export interface RunStart {
  runId: string;
  day: string;
  workflowId: string;
  trigger: 'SCHEDULE' | 'ON_DEMAND';
  graceMinutes: number;
}

export function createReconciliationActivities(deps: ReconciliationDeps) {
  const { pool } = deps;
  const client = (c: ReconciliationCounterpart) => (c === 'ESU' ? deps.esu : c === 'NOMAPAY' ? deps.nomapay : deps.afm);

  async function ourOperations(where: string, args: unknown[], counterpart: 'ESU' | 'NOMAPAY'): Promise<OurRecord[]> {
    const { rows } = await pool.query(
      `SELECT operation_id, kind, amount_tiyn, status, created_at, esu_receipt_id FROM operations WHERE ${where}`,
      args,
    );
    return rows.flatMap((r) => {
      const kind = OperationKind.safeParse(r.kind);
      if (!kind.success) return [];
      const expected = expectationAt(counterpart, r.kind, r.status, r.esu_receipt_id !== null);
      if (!expected) return [];
      return [
        {
          recordId: counterpartOperationId(kind.data, r.operation_id),
          operationId: r.operation_id,
          operationKind: r.kind,
          amountTiyn: Number(r.amount_tiyn),
          status: r.status,
          atMs: r.created_at.getTime(),
          ...expected,
        },
      ];
    });
  }

  async function ourSubmissions(where: string, args: unknown[]): Promise<OurRecord[]> {
    const { rows } = await pool.query(
      `SELECT submission_id, operation_id, operation_kind, status, message_id, payload, created_at FROM submissions WHERE counterpart = 'AFM' AND ${where}`,
      args,
    );
    return rows.map((r) => ({
      recordId: r.submission_id,
      operationId: r.operation_id,
      operationKind: r.operation_kind,
      amountTiyn: Number(r.payload?.record?.receivedTiyn ?? r.payload?.record?.paidTiyn ?? 0),
      status: r.status,
      atMs: r.created_at.getTime(),
      ...afmExpectation(r.status, r.message_id !== null),
    }));
  }

  /** Ours of the day, and ours of any day that a listed record names. */
  async function ours(counterpart: ReconciliationCounterpart, day: string, listedIds: string[]): Promise<OurRecord[]> {
    const { fromMs, toMs } = almatyDayBounds(day);
    const range = [new Date(fromMs), new Date(toMs)];
    if (counterpart === 'AFM') {
      const ofDay = await ourSubmissions('created_at >= $1 AND created_at < $2', range);
      const known = new Set(ofDay.map((o) => o.recordId));
      const others = listedIds.filter((id) => !known.has(id));
      return others.length ? [...ofDay, ...(await ourSubmissions('submission_id = ANY($1::text[])', [others]))] : ofDay;
    }
    const ofDay = await ourOperations('created_at >= $1 AND created_at < $2', range, counterpart);
    const known = new Set(ofDay.map((o) => o.recordId));
    const others = listedIds
      .filter((id) => !known.has(id))
      .flatMap((id) => operationOfCounterpartId(id)?.operationId ?? []);
    if (!others.length) return ofDay;
    const extra = (await ourOperations('operation_id = ANY($1::text[])', [others], counterpart)).filter(
      (o) => !known.has(o.recordId),
    );
    return [...ofDay, ...extra];
  }

  /** One of ours that the day's listing lacks, asked for by id: it may have been recorded the day after. */
  async function lookUp(counterpart: ReconciliationCounterpart, recordId: string): Promise<TheirRecord | undefined> {
    const path = encodeURIComponent(recordId);
    if (counterpart === 'ESU') {
      const found = await deps.esu.get(`/v1/operations/${path}`, EsuLookup);
      return (
        found && {
          recordId,
          kind: found.kind,
          amountTiyn: found.amountTiyn,
          status: found.status ?? 'RECORDED',
          atMs: Date.parse(found.recordedAt),
        }
      );
    }
    if (counterpart === 'NOMAPAY') {
      const found = await deps.nomapay.get(`/v1/transfers/${path}`, WalletTransfer);
      return (
        found && { recordId, amountTiyn: found.amountTiyn, status: found.status, atMs: Date.parse(found.completedAt) }
      );
    }
    const receipt = await deps.afm.get(`/v1/submission-receipts/${path}`, AfmReceipt);
    if (!receipt) return undefined;
    const status = await deps.afm.get(`/v1/submissions/${encodeURIComponent(receipt.messageId)}`, AfmSubmissionStatus);
    // The receipt carries no amount: only the status is compared for a record found this way.
    return { recordId, status: status?.status ?? 'ACCEPTED_FOR_PROCESSING', atMs: Date.parse(receipt.acceptedAt) };
  }

  async function store(runId: string, day: string, source: DifferenceSource, found: FoundDifference[]): Promise<void> {
    if (!found.length) return;
    const calendar = await deps.calendar();
    const dueAt = new Date(endOfNextWorkingDay(Date.now(), calendar));
    for (const d of found) {
      await pool.query(
        `INSERT INTO reconciliation_differences (difference_id, day, counterpart, kind, record_id, operation_id, operation_kind, ours, theirs, message, first_run_id, last_run_id, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
         ON CONFLICT (day, counterpart, kind, record_id) DO UPDATE SET
           last_run_id = EXCLUDED.last_run_id, ours = EXCLUDED.ours, theirs = EXCLUDED.theirs, message = EXCLUDED.message, updated_at = now()`,
        [
          `${day}:${source}:${d.kind}:${d.recordId}`,
          day,
          source,
          d.kind,
          d.recordId,
          d.operationId ?? null,
          d.operationKind ?? null,
          d.ours ? JSON.stringify(d.ours) : null,
          d.theirs ? JSON.stringify(d.theirs) : null,
          d.message,
          runId,
          dueAt,
        ],
      );
    }
  }

  return {
    async beginReconciliation(run: RunStart): Promise<void> {
      await pool.query(
        `INSERT INTO reconciliation_runs (run_id, day, workflow_id, trigger, status, grace_minutes) VALUES ($1, $2, $3, $4, 'RUNNING', $5) ON CONFLICT (run_id) DO NOTHING`,
        [run.runId, run.day, run.workflowId, run.trigger, run.graceMinutes],
      );
    },

    /** One page of a counterpart's listing, staged for the comparison. Fetched again on a retry, it lands on the same rows. */
    async fetchListingPage({
      runId,
      counterpart,
      day,
      page,
      cursor,
      limit = 500,
    }: {
      runId: string;
      counterpart: ReconciliationCounterpart;
      day: string;
      page: number;
      cursor?: string;
      limit?: number;
    }): Promise<{ records: number; nextCursor?: string }> {
      const query = `?date=${day}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const c = client(counterpart);
      const { rows, ...next } =
        counterpart === 'ESU'
          ? await readListingPage(c, query, { listing: Listings.ESU, kind: (o) => o.kind })
          : counterpart === 'NOMAPAY'
            ? await readListingPage(c, query, { listing: Listings.NOMAPAY, kind: (e) => e.direction })
            : await readListingPage(c, query, { listing: Listings.AFM, kind: () => undefined });
      if (rows.length) {
        await pool.query(
          `INSERT INTO reconciliation_listed_records (run_id, counterpart, page, position, record_id, kind, amount_tiyn, status, at)
           SELECT $1, $2, $3, x.position, x.record_id, x.kind, x.amount_tiyn, x.status, x.at
           FROM unnest($4::int[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::timestamptz[]) AS x(position, record_id, kind, amount_tiyn, status, at)
           ON CONFLICT (run_id, counterpart, page, position) DO UPDATE SET record_id = EXCLUDED.record_id, kind = EXCLUDED.kind, amount_tiyn = EXCLUDED.amount_tiyn, status = EXCLUDED.status, at = EXCLUDED.at`,
          [
            runId,
            counterpart,
            page,
            rows.map((_, i) => i),
            rows.map((r) => r.recordId),
            rows.map((r) => r.kind ?? null),
            rows.map((r) => r.amountTiyn ?? null),
            rows.map((r) => r.status),
            rows.map((r) => new Date(r.atMs)),
          ],
        );
      }
      return { records: rows.length, ...(next.hasMore && next.nextCursor ? { nextCursor: next.nextCursor } : {}) };
    },

    /** Compares what a counterpart listed for the run with ours, writes the differences, returns the counts. */
    async compareWithCounterpart({
      runId,
      counterpart,
      day,
      graceCutoff,
    }: {
      runId: string;
      counterpart: ReconciliationCounterpart;
      day: string;
      graceCutoff: string;
    }): Promise<CounterpartCounts> {
      const { rows } = await pool.query(
        `SELECT record_id, kind, amount_tiyn, status, at FROM reconciliation_listed_records WHERE run_id = $1 AND counterpart = $2 ORDER BY page, position`,
        [runId, counterpart],
      );
      const theirs: TheirRecord[] = rows.map((r) => ({
        recordId: r.record_id,
        kind: r.kind ?? undefined,
        amountTiyn: r.amount_tiyn === null ? undefined : Number(r.amount_tiyn),
        status: r.status,
        atMs: r.at.getTime(),
      }));
      const listed = new Set(theirs.map((t) => t.recordId));
      const mine = await ours(counterpart, day, [...listed]);
      const cutoffMs = Date.parse(graceCutoff);
      const unlisted = mine.filter((o) => o.required && !listed.has(o.recordId) && o.atMs <= cutoffMs);
      if (unlisted.length > MAX_POINT_LOOKUPS)
        log.warn('reconciliation: too many unlisted records to look up one by one', {
          counterpart,
          day,
          unlisted: unlisted.length,
        });
      for (const o of unlisted.slice(0, MAX_POINT_LOOKUPS)) {
        const found = await lookUp(counterpart, o.recordId);
        if (found) theirs.push(found);
      }
      const result = classify(counterpart, mine, theirs, cutoffMs);
      await store(runId, day, counterpart, result.differences);
      return {
        listed: rows.length,
        ours: mine.length,
        matched: result.matched,
        withinGrace: result.withinGrace,
        differences: result.differences.length,
      };
    },

    /** The run's internal checks (db/ledger-check.ts): account totals, running totals, double entry. */
    async checkLedgerForRun({ runId, day }: { runId: string; day: string }): Promise<CounterpartCounts> {
      const problems = await checkLedger(pool);
      await store(
        runId,
        day,
        'LEDGER',
        problems.map((p) => ({ kind: p.kind, recordId: p.recordId ?? p.kind.toLowerCase(), message: p.message })),
      );
      const accounts = Number((await pool.query('SELECT count(*)::int AS n FROM ledger_accounts')).rows[0].n);
      return {
        listed: 0,
        ours: accounts,
        matched: Math.max(0, accounts - problems.length),
        withinGrace: 0,
        differences: problems.length,
      };
    },

    /**
     * Ends the run: differences of the day that an earlier run found and this one no longer does are resolved by
     * it (only for the parts this run compared in full), the run's row gets its counts, and the journal its entry.
     */
    async finishReconciliation({
      runId,
      day,
      counts,
    }: {
      runId: string;
      day: string;
      counts: Partial<Record<DifferenceSource, CounterpartCounts>>;
    }): Promise<ReconciliationResult> {
      const complete = Object.entries(counts)
        .filter(([, c]) => c && !c.error)
        .map(([source]) => source);
      const failed = Object.entries(counts)
        .filter(([, c]) => c?.error)
        .map(([source]) => source);
      const startedAt = new Date();
      await pool.query(
        `UPDATE reconciliation_differences SET status = 'RESOLVED', resolved_at = now(), resolved_by = 'reconciliation', resolution = $3, updated_at = now()
         WHERE day = $1 AND status = 'OPEN' AND last_run_id <> $2 AND counterpart = ANY($4::text[])`,
        [day, runId, `no longer found by reconciliation run ${runId}`, complete],
      );
      const differences = Object.values(counts).reduce((n, c) => n + (c?.differences ?? 0), 0);
      const status: ReconciliationResult['status'] = failed.length
        ? 'INCOMPLETE'
        : differences
          ? 'DIFFERENCES'
          : 'CLEAN';
      const summary = summarise(day, status, differences, failed);
      await pool.query(
        `UPDATE reconciliation_runs SET status = $2, counts = $3, differences = $4, finished_at = now() WHERE run_id = $1`,
        [runId, status, JSON.stringify(counts), differences],
      );
      await appendJournal(pool, {
        startedAt,
        event: 'reconciliation.finished',
        actor: 'reconciliation',
        recordId: `reconciliation:${day}`,
        result: status === 'INCOMPLETE' ? 'FAILED' : 'OK',
        details: { runId, status, differences, counts },
        dedupeKey: `reconciliation:${runId}`,
      });
      return { runId, day, status, differences, byCounterpart: counts, summary };
    },
  };
}
