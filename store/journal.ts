import type { Pool, PoolClient } from '../db/pool.js';

/**
 * One row of the event journal, with the attributes of National Bank resolution No. 116 §55.11 (start, event,
 * acting user, record id, end, result). The database fills in the rest: the end (`now()`, the transaction's time),
 * the hash chain (`chain_seq`, `prev_hash`, `hash`, trigger `journal_chain_link`, migration 004) and `retain_until`
 * (migration 013). Rows are never changed or removed (trigger `journal_append_only`).
 */
export interface JournalEntry {
  event: string;
  /** Who acted: `system` for workflows, an officer's login, an API key's name, `afm`, … */
  actor: string;
  recordId: string;
  result: string;
  /** When the step began: a Date, or epoch ms (workflow time); the time of the write when left out. */
  startedAt?: Date | number;
  /** Ids, statuses and reasons only, never personal data. */
  details?: Record<string, unknown>;
  /** Unique per entry: the same entry written again (a local activity that ran twice) is skipped, not doubled. */
  dedupeKey?: string;
}

/** A pool, or a client inside the caller's transaction (the entry then commits or rolls back with its other writes). */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

const startedAt = (at: JournalEntry['startedAt']): Date | null =>
  at === undefined ? null : typeof at === 'number' ? new Date(at) : at;

/**
 * The one way esu-bridge writes the journal. Entries are written in order, each in its own statement, on `db`:
 * pass the transaction's client where the entry belongs with other writes. Answers, per entry, the id of the row
 * written, or undefined where an entry with the same dedupe key was already there.
 */
export async function appendJournal(db: Queryable, entry: JournalEntry): Promise<string | undefined>;
export async function appendJournal(db: Queryable, entries: readonly JournalEntry[]): Promise<(string | undefined)[]>;
export async function appendJournal(
  db: Queryable,
  entries: JournalEntry | readonly JournalEntry[],
): Promise<string | undefined | (string | undefined)[]> {
  const list: readonly JournalEntry[] = Array.isArray(entries) ? entries : [entries as JournalEntry];
  const ids: (string | undefined)[] = [];
  for (const e of list) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result, details, dedupe_key)
       VALUES (COALESCE($1::timestamptz, now()), now(), $2, $3, $4, $5, $6, $7)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id::text AS id`,
      [
        startedAt(e.startedAt),
        e.event,
        e.actor,
        e.recordId,
        e.result,
        JSON.stringify(e.details ?? {}),
        e.dedupeKey ?? null,
      ],
    );
    ids.push(rows[0]?.id);
  }
  return Array.isArray(entries) ? ids : ids[0];
}

/**
 * One step of an operation as the operations list and the event journal record it (the saga's steps: registry,
 * gate, ledger postings, the journal activity).
 */
export interface StepRecord {
  operationId: string;
  kind: string;
  workflowId: string;
  bettorRef: string;
  amountTiyn: number;
  status: string;
  event: string;
  result: 'OK' | 'REFUSED' | 'FAILED' | 'COMPENSATED';
  /** Who acted: `system` for workflows, the officer's login for console actions. */
  actor?: string;
  esuReceiptId?: string;
  failure?: { type: string; message: string };
  details?: Record<string, unknown>;
  /** Epoch ms when the step began (workflow time); the end is when the row is written. */
  startedAtMs: number;
}

/**
 * Journals one step inside the caller's transaction: moves the operation to its new status and writes the journal
 * row. Idempotent per (operation, event): a local activity may run again after a worker crash.
 */
export async function recordStepWithin(db: PoolClient, step: StepRecord): Promise<void> {
  const written = await appendJournal(db, {
    startedAt: step.startedAtMs,
    event: step.event,
    actor: step.actor ?? 'system',
    recordId: step.operationId,
    result: step.result,
    details: { status: step.status, workflowId: step.workflowId, failure: step.failure, ...step.details },
    dedupeKey: `${step.operationId}:${step.event}`,
  });
  if (written === undefined) return;
  await db.query(
    `INSERT INTO operations (operation_id, kind, workflow_id, bettor_ref, amount_tiyn, status, esu_receipt_id, failure_type, failure_message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (operation_id) DO UPDATE SET
       status = EXCLUDED.status,
       esu_receipt_id = COALESCE(EXCLUDED.esu_receipt_id, operations.esu_receipt_id),
       failure_type = COALESCE(EXCLUDED.failure_type, operations.failure_type),
       failure_message = COALESCE(EXCLUDED.failure_message, operations.failure_message),
       updated_at = now()`,
    [
      step.operationId,
      step.kind,
      step.workflowId,
      step.bettorRef,
      step.amountTiyn,
      step.status,
      step.esuReceiptId ?? null,
      step.failure?.type ?? null,
      step.failure?.message ?? null,
    ],
  );
}

/** Journals steps in order inside the caller's transaction (a ledger posting's, the registry's). */
export async function recordStepsWithin(db: PoolClient, steps: readonly StepRecord[] = []): Promise<void> {
  for (const step of steps) await recordStepWithin(db, step);
}

/** What a workflow hands its store activity for one step: when it began (workflow time), what, who, and the outcome. */
export interface WorkflowStep {
  startedAtMs: number;
  event: string;
  actor: string;
  result: string;
}

/** Journals one workflow step against its record, on `db` (the caller's transaction). */
export function appendWorkflowStep(
  db: Queryable,
  step: WorkflowStep,
  { recordId, details, dedupeKey }: Pick<JournalEntry, 'recordId' | 'details' | 'dedupeKey'>,
): Promise<string | undefined> {
  return appendJournal(db, {
    startedAt: step.startedAtMs,
    event: step.event,
    actor: step.actor,
    recordId,
    result: step.result,
    details,
    dedupeKey,
  });
}

/** An entry as the journal's export writes it: its position, the six attributes, its details as stored, its hash. */
export interface ExportedJournalRow {
  /** The chain position, as text (a bigint). */
  seq: string;
  started_at: Date;
  event: string;
  actor: string;
  record_id: string;
  ended_at: Date;
  result: string;
  /** The details as PostgreSQL prints the stored JSON, so the hash can be checked against them. */
  details: string;
  hash: string;
}

/**
 * Up to `limit` entries after chain position `after`, in chain order, begun in [fromMs, toMs) where given: one
 * batch of the export.
 */
export async function readJournalForExport(
  db: Queryable,
  { after, fromMs, toMs }: { after: number; fromMs?: number; toMs?: number },
  limit: number,
): Promise<ExportedJournalRow[]> {
  const { rows } = await db.query<ExportedJournalRow>(
    `SELECT chain_seq::text AS seq, started_at, event, actor, record_id, ended_at, result, details::text AS details, hash
     FROM journal
     WHERE chain_seq > $1
       AND ($2::timestamptz IS NULL OR started_at >= $2) AND ($3::timestamptz IS NULL OR started_at < $3)
     ORDER BY chain_seq LIMIT $4`,
    [after, fromMs === undefined ? null : new Date(fromMs), toMs === undefined ? null : new Date(toMs), limit],
  );
  return rows;
}

/** An entry as an officer reads the journal. */
export interface JournalRow {
  /** The chain position, as text (a bigint). */
  seq: string;
  started_at: Date;
  ended_at: Date;
  event: string;
  actor: string;
  record_id: string;
  result: string;
  details: Record<string, unknown>;
}

/** What an officer filters the journal by: a record, who acted, an event or its prefix (`incident.`), a period. */
export interface JournalFilters {
  recordId?: string;
  actor?: string;
  /** Matched with LIKE: `_` and `%` in it are wildcards (the console's query schema admits neither). */
  eventPrefix?: string;
  fromMs?: number;
  toMs?: number;
}

/** The newest `limit` entries that match every filter given, newest first. */
export async function findJournalEntries(db: Queryable, filters: JournalFilters, limit: number): Promise<JournalRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => (args.push(value), where.push(sql.replace('?', `$${args.length}`)));
  if (filters.recordId) add('record_id = ?', filters.recordId);
  if (filters.actor) add('actor = ?', filters.actor);
  if (filters.eventPrefix) add(`event LIKE ? || '%'`, filters.eventPrefix);
  if (filters.fromMs !== undefined) add('started_at >= to_timestamp(? / 1000.0)', filters.fromMs);
  if (filters.toMs !== undefined) add('started_at < to_timestamp(? / 1000.0)', filters.toMs);
  args.push(limit);
  const { rows } = await db.query<JournalRow>(
    `SELECT chain_seq::text AS seq, started_at, ended_at, event, actor, record_id, result, details FROM journal
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY chain_seq DESC LIMIT $${args.length}`,
    args,
  );
  return rows;
}
