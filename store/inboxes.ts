import type { Pool } from '../db/pool.js';

/**
 * What the compliance console's inboxes read and write in PostgreSQL (never Temporal visibility): the rows of each
 * inbox's source table (incidents 004, bettor identifications 003, submissions 005, reconciliation differences
 * 017) for the officers' filters, who each item is assigned to (`console_assignments`), and an item's timeline
 * from the journal. How a row becomes a card is the console's (console/inboxes/).
 */
export type InboxRow = Record<string, any>;

/** The filters as the inboxes apply them: the bettor as its reference, the dates as instants. */
export interface InboxRowFilters {
  status?: string;
  counterpart?: string;
  bettorRef?: string;
  fromMs?: number;
  toMs?: number;
  assignee?: string;
}

/** A row of an inbox's source with the login it is assigned to, if any. */
export interface AssignedRow {
  row: InboxRow;
  assignee?: string;
}

/** A condition of a list: plain SQL, or SQL whose `?` take the values that follow; false or undefined: none. */
type Condition = string | readonly [sql: string, ...values: unknown[]] | false | undefined;

/** An inbox's source table, as a table of data: what it selects, how its items are named, dated and ordered. */
interface InboxSource {
  /** The inbox's name in `console_assignments`. */
  inbox: string;
  /** Its table when another team's migration brings it: the inbox answers "not installed" while it is missing. */
  table?: string;
  /** The SELECT … FROM of its rows. */
  select: string;
  /** The column that is the item's id, and the row's field that holds it. */
  idColumn: string;
  idField: string;
  /** The column the date filters (from, to) apply to. */
  datedBy: string;
  orderBy: string;
}

const INCIDENTS: InboxSource = {
  inbox: 'incidents',
  select: `SELECT incident_id, name, status, counterpart, origin, opened_at, due_at, escalated_at, first_delivered_at, timeliness, state
     FROM incidents`,
  idColumn: 'incident_id',
  idField: 'incident_id',
  datedBy: 'detected_at',
  orderBy: `(first_delivered_at IS NULL AND status <> 'CLOSED') DESC, due_at ASC`,
};

const DIFFERENCES: InboxSource = {
  inbox: 'reconciliation',
  table: 'reconciliation_differences',
  select: `SELECT difference_id, to_char(day, 'YYYY-MM-DD') AS day_text, day, counterpart, kind, record_id, operation_id, operation_kind, ours, theirs, message, status,
  found_at, due_at, resolved_at, resolved_by, resolution, first_run_id, last_run_id FROM reconciliation_differences`,
  idColumn: 'difference_id',
  idField: 'difference_id',
  datedBy: 'found_at',
  orderBy: `(status = 'OPEN') DESC, due_at ASC, difference_id`,
};

const REVIEWS: InboxSource = {
  inbox: 'reviews',
  table: 'bettor_identifications',
  select: `SELECT b.bettor_id, b.bettor_ref, b.status, b.step, b.reason, b.method, b.updated_at, b.workflow_id,
  (SELECT j.started_at FROM journal j WHERE j.record_id = b.bettor_id AND j.event = 'identification.review-requested'
   ORDER BY j.chain_seq DESC LIMIT 1) AS review_requested_at
  FROM bettor_identifications b`,
  idColumn: 'b.bettor_id',
  idField: 'bettor_id',
  datedBy: 'b.updated_at',
  orderBy: 'b.updated_at ASC',
};

const SUBMISSIONS: InboxSource = {
  inbox: 'submissions',
  table: 'submissions',
  select: `SELECT submission_id AS id, status, counterpart, bettor_ref,
    CASE WHEN status = 'RETRYING' THEN last_error ELSE COALESCE(rejection_reason, failure_message) END AS reason, next_attempt_at, outage_since,
    COALESCE(rejection_code, failure_type) AS code, payload, created_at, COALESCE(rejected_at, failed_at, updated_at) AS changed_at, due_at,
    escalated_at, reminded_at, acknowledged_at, window_ends_at, workflow_id, attempt, original_submission_id, corrects_submission_id, corrected_by, message_id,
    EXISTS (SELECT 1 FROM resubmission_approvals a WHERE a.submission_id = submissions.submission_id AND a.status = 'PENDING') AS awaiting_approval
  FROM submissions`,
  idColumn: 'submission_id',
  idField: 'id',
  datedBy: 'COALESCE(rejected_at, failed_at, updated_at)',
  orderBy: 'COALESCE(due_at, rejected_at, failed_at, updated_at) ASC',
};

/** Whether a table exists: inboxes over other teams' tables tolerate them not being there yet. */
export async function tableExists(pool: Pool, table: string): Promise<boolean> {
  const { rows } = await pool.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`public.${table}`]);
  return rows[0]?.present === true;
}

const installed = (pool: Pool, source: InboxSource) =>
  source.table === undefined ? Promise.resolve(true) : tableExists(pool, source.table);

/** Who items are assigned to, by inbox and item id. */
export async function assignments(pool: Pool, inbox: string, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const { rows } = await pool.query(
    `SELECT item_id, assignee FROM console_assignments WHERE inbox = $1 AND item_id = ANY($2::text[])`,
    [inbox, ids],
  );
  return new Map(rows.map((r) => [r.item_id as string, r.assignee as string]));
}

/** Assigns an item (again): the last assignment wins, with who made it. */
export async function assignItem(
  pool: Pool,
  inbox: string,
  itemId: string,
  assignee: string,
  assignedBy: string,
): Promise<void> {
  await pool.query(
    `INSERT INTO console_assignments (inbox, item_id, assignee, assigned_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (inbox, item_id) DO UPDATE SET assignee = EXCLUDED.assignee, assigned_by = EXCLUDED.assigned_by, assigned_at = now()`,
    [inbox, itemId, assignee, assignedBy],
  );
}

/** The rows with their assignees, in the rows' order. */
async function withAssignees(pool: Pool, source: InboxSource, rows: InboxRow[]): Promise<AssignedRow[]> {
  const assigned = await assignments(
    pool,
    source.inbox,
    rows.map((r) => r[source.idField]),
  );
  return rows.map((row) => ({ row, assignee: assigned.get(row[source.idField]) }));
}

/**
 * An inbox's rows for the filters, most urgent first (500 at most): the inbox's own conditions, then the dates
 * and the assignee every inbox filters by. Undefined while the source table is not installed.
 */
async function listRows(
  pool: Pool,
  source: InboxSource,
  f: InboxRowFilters,
  conditions: Condition[] | 'NONE',
): Promise<AssignedRow[] | undefined> {
  if (!(await installed(pool, source))) return undefined;
  if (conditions === 'NONE') return [];
  const where: string[] = [];
  const args: unknown[] = [];
  const all: Condition[] = [
    ...conditions,
    f.fromMs !== undefined && [`${source.datedBy} >= to_timestamp(? / 1000.0)`, f.fromMs],
    f.toMs !== undefined && [`${source.datedBy} < to_timestamp(? / 1000.0)`, f.toMs],
    f.assignee && [
      `${source.idColumn} IN (SELECT item_id FROM console_assignments WHERE inbox = ? AND assignee = ?)`,
      source.inbox,
      f.assignee,
    ],
  ];
  for (const c of all) {
    if (!c) continue;
    const [sql, ...values] = typeof c === 'string' ? [c] : c;
    let next = 0;
    where.push(sql.replace(/\?/g, () => (args.push(values[next++]), `$${args.length}`)));
  }
  const { rows } = await pool.query(
    `${source.select} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${source.orderBy} LIMIT 500`,
    args,
  );
  return withAssignees(pool, source, rows);
}

/** One item's row with its assignee; undefined when there is none (or the source table is not installed). */
async function oneRow(pool: Pool, source: InboxSource, id: string): Promise<AssignedRow | undefined> {
  if (!(await installed(pool, source))) return undefined;
  const { rows } = await pool.query(`${source.select} WHERE ${source.idColumn} = $1`, [id]);
  return rows[0] ? (await withAssignees(pool, source, rows))[0] : undefined;
}

/**
 * Incidents (004), open ones first by time left to their 48 hours. Status: a status, or ACTIVE (anything not
 * closed, the default). Incidents are not about one bettor: a bettor filter finds none.
 */
export function incidentRows(pool: Pool, f: InboxRowFilters): Promise<AssignedRow[] | undefined> {
  return listRows(
    pool,
    INCIDENTS,
    f,
    f.bettorRef
      ? 'NONE'
      : [
          !f.status || f.status === 'ACTIVE' ? `status <> 'CLOSED'` : ['status = ?', f.status],
          f.counterpart && ['counterpart = ?', f.counterpart],
        ],
  );
}

export const incidentRow = (pool: Pool, id: string) => oneRow(pool, INCIDENTS, id);

/** The alerts an incident raised (its escalations and reminders), oldest first. */
export async function incidentAlerts(pool: Pool, incidentId: string): Promise<InboxRow[]> {
  const { rows } = await pool.query(
    `SELECT kind, checkpoint, fired_at FROM incident_alerts WHERE incident_id = $1 ORDER BY fired_at`,
    [incidentId],
  );
  return rows;
}

/**
 * Reconciliation differences (017), open ones first by due date. Status: OPEN (the default), RESOLVED or ALL; the
 * counterpart is esu, nomapay, afm or ledger. Differences name operations, not bettors: a bettor filter finds none.
 */
export function differenceRows(pool: Pool, f: InboxRowFilters): Promise<AssignedRow[] | undefined> {
  return listRows(
    pool,
    DIFFERENCES,
    f,
    f.bettorRef
      ? 'NONE'
      : [
          !f.status || f.status === 'OPEN' ? `status = 'OPEN'` : f.status !== 'ALL' && ['status = ?', f.status],
          f.counterpart && ['counterpart = upper(?)', f.counterpart],
        ],
  );
}

export const differenceRow = (pool: Pool, id: string) => oneRow(pool, DIFFERENCES, id);

/** Resolves an open difference with the officer's reason; false when it is not open (any more). */
export async function resolveDifference(
  pool: Pool,
  differenceId: string,
  resolvedBy: string,
  resolution: string,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE reconciliation_differences SET status = 'RESOLVED', resolved_at = now(), resolved_by = $2, resolution = $3, updated_at = now() WHERE difference_id = $1 AND status = 'OPEN'`,
    [differenceId, resolvedBy, resolution],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Identifications awaiting an offline review (003), oldest first, with when the review was asked for. Only
 * IN_REVIEW ones, of the counterparts tsoid and nomapay.
 */
export function reviewRows(pool: Pool, f: InboxRowFilters): Promise<AssignedRow[] | undefined> {
  const otherStatus = f.status && f.status !== 'IN_REVIEW';
  const otherCounterpart = f.counterpart && f.counterpart !== 'tsoid' && f.counterpart !== 'nomapay';
  return listRows(
    pool,
    REVIEWS,
    f,
    otherStatus || otherCounterpart
      ? 'NONE'
      : [`b.status = 'IN_REVIEW'`, f.bettorRef && ['b.bettor_ref = ?', f.bettorRef]],
  );
}

export const reviewRow = (pool: Pool, bettorId: string) => oneRow(pool, REVIEWS, bettorId);

/**
 * Statuses that need an officer, and RETRYING: a submission sending again by itself through an outage needs no
 * one, but officers see it (its last error and next attempt) with the rest of what has not reached AFM.
 */
export const ATTENTION_STATUSES = ['REJECTED', 'FAILED', 'RETRYING'];

/** Submissions (005), by due date: a status, or those of ATTENTION_STATUSES (the default). */
export function submissionRows(pool: Pool, f: InboxRowFilters): Promise<AssignedRow[] | undefined> {
  return listRows(pool, SUBMISSIONS, f, [
    f.status ? ['status = ?', f.status] : ['status = ANY(?::text[])', ATTENTION_STATUSES],
    f.counterpart && ['counterpart = upper(?)', f.counterpart],
    f.bettorRef && ['bettor_ref = ?', f.bettorRef],
  ]);
}

export const submissionRow = (pool: Pool, id: string) => oneRow(pool, SUBMISSIONS, id);

/** Journal rows of one or more record ids, oldest first (500 at most), without the console's own views. */
export async function timelineRows(pool: Pool, recordIds: string[]): Promise<InboxRow[]> {
  const { rows } = await pool.query(
    `SELECT chain_seq::text AS seq, started_at, ended_at, event, actor, result, details FROM journal
     WHERE record_id = ANY($1::text[]) AND event NOT LIKE 'console.%-viewed' ORDER BY chain_seq LIMIT 500`,
    [recordIds],
  );
  return rows;
}
