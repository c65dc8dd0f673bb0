import type { Pool } from '../../db/pool.js';
import { isoWithOffset } from '../../domain/incident.js';
import { assignments, iso, tableExists, timeline, type InboxItem, type ItemDetail, type ResolvedFilters } from '../inbox.js';

/**
 * Rejected or failed submissions (AFM; seed 001 p.5(3): AFM says within 1 working day why it could not accept
 * data, and the bookmaker corrects and resubmits). The `submissions` table and the submission workflow belong
 * to the bets/settlement work (migration 002). This inbox reads whatever of the expected columns the table
 * has, and answers "not installed" while the table is missing. Retry and correct-and-resubmit go through the
 * workflow's updates, which the console receives as `SubmissionActions` — never around the workflow.
 */
export interface SubmissionActions {
  retry(submissionId: string, actor: string): Promise<unknown>;
  resubmit(submissionId: string, payload: unknown, actor: string): Promise<unknown>;
}

/** Column names the inbox understands, first match wins. */
const COLUMNS = {
  id: ['submission_id', 'id'],
  status: ['status'],
  counterpart: ['counterpart'],
  bettorRef: ['bettor_ref'],
  reason: ['rejection_reason', 'rejection_message', 'reason', 'failure_message', 'error_message'],
  payload: ['payload', 'body', 'request'],
  createdAt: ['created_at', 'submitted_at'],
  changedAt: ['rejected_at', 'failed_at', 'updated_at'],
  workflowId: ['workflow_id'],
} as const;
type Column = keyof typeof COLUMNS;

/** Statuses that need an officer. */
export const ATTENTION_STATUSES = ['REJECTED', 'FAILED'];
const DUE_RULE = 'correct and resubmit within 1 working day of the rejection (seed 001 p.5(3))';

/**
 * The end of the next working day after `ms`, at the given UTC offset: weekends skipped. Public holidays and
 * moved days off need the Kazakhstan calendar of the submissions work; until it is wired this errs early.
 */
export function oneWorkingDayAfter(ms: number, offsetMinutes: number): number {
  const day = 86_400_000;
  const localMidnight = Math.floor((ms + offsetMinutes * 60_000) / day) * day;
  let next = localMidnight + day;
  while ([0, 6].includes(new Date(next).getUTCDay())) next += day;
  return next + day - offsetMinutes * 60_000 - 1;
}

async function columns(pool: Pool): Promise<Partial<Record<Column, string>>> {
  const { rows } = await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'submissions'`);
  const present = new Set(rows.map((r) => r.column_name as string));
  const found: Partial<Record<Column, string>> = {};
  for (const [key, candidates] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
    const name = candidates.find((c) => present.has(c));
    if (name) found[key] = name;
  }
  return found;
}

export async function submissionsInstalled(pool: Pool): Promise<boolean> {
  return tableExists(pool, 'submissions');
}

function select(c: Partial<Record<Column, string>>): string {
  const col = (key: Column) => (c[key] ? `"${c[key]}"` : 'NULL');
  return `SELECT ${col('id')}::text AS id, ${col('status')}::text AS status, ${col('counterpart')}::text AS counterpart, ${col('bettorRef')}::text AS bettor_ref,
    ${col('reason')}::text AS reason, ${col('payload')} AS payload, ${col('createdAt')} AS created_at, ${col('changedAt')} AS changed_at,
    ${col('workflowId')}::text AS workflow_id FROM submissions`;
}

function item(r: Record<string, any>, offsetMinutes: number, assignee?: string): InboxItem {
  const changed = r.changed_at ?? r.created_at;
  const due = changed ? oneWorkingDayAfter(new Date(changed).getTime(), offsetMinutes) : undefined;
  return {
    inbox: 'submissions',
    id: r.id,
    title: `Submission ${r.id}${r.reason ? `: ${String(r.reason).slice(0, 80)}` : ''}`,
    status: String(r.status ?? 'UNKNOWN').toUpperCase(),
    counterpart: r.counterpart ?? undefined,
    bettorRef: r.bettor_ref ?? undefined,
    createdAt: iso(r.created_at) ?? iso(changed) ?? new Date(0).toISOString(),
    dueAt: due === undefined ? undefined : isoWithOffset(due, offsetMinutes),
    dueRule: DUE_RULE,
    assignee,
    flags: due !== undefined && due < Date.now() ? ['OVERDUE'] : [],
  };
}

export async function listSubmissions(pool: Pool, f: ResolvedFilters, offsetMinutes: number): Promise<InboxItem[] | undefined> {
  if (!(await submissionsInstalled(pool))) return undefined;
  const c = await columns(pool);
  if (!c.id || !c.status) return undefined;
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => (args.push(value), where.push(sql.replace('?', `$${args.length}`)));
  if (f.status) add(`upper("${c.status}"::text) = ?`, f.status);
  else add(`upper("${c.status}"::text) = ANY(?::text[])`, ATTENTION_STATUSES);
  if (f.counterpart) add(c.counterpart ? `"${c.counterpart}"::text = ?` : 'false AND ?::text IS NULL', f.counterpart);
  if (f.bettorRef) add(c.bettorRef ? `"${c.bettorRef}"::text = ?` : 'false AND ?::text IS NULL', f.bettorRef);
  const when = c.changedAt ?? c.createdAt;
  if (when && f.fromMs !== undefined) add(`"${when}" >= to_timestamp(? / 1000.0)`, f.fromMs);
  if (when && f.toMs !== undefined) add(`"${when}" < to_timestamp(? / 1000.0)`, f.toMs);
  if (f.assignee) add(`"${c.id}"::text IN (SELECT item_id FROM console_assignments WHERE inbox = 'submissions' AND assignee = ?)`, f.assignee);
  const { rows } = await pool.query(`${select(c)} WHERE ${where.join(' AND ')} ORDER BY ${when ? `"${when}"` : `"${c.id}"`} ASC LIMIT 500`, args);
  const assigned = await assignments(pool, 'submissions', rows.map((r) => r.id));
  return rows.map((r) => item(r, offsetMinutes, assigned.get(r.id)));
}

export async function getSubmission(pool: Pool, id: string, offsetMinutes: number, actionsWired: boolean): Promise<ItemDetail | undefined> {
  if (!(await submissionsInstalled(pool))) return undefined;
  const c = await columns(pool);
  if (!c.id) return undefined;
  const { rows } = await pool.query(`${select(c)} WHERE "${c.id}"::text = $1`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  const assigned = await assignments(pool, 'submissions', [id]);
  const needsOfficer = ATTENTION_STATUSES.includes(String(r.status).toUpperCase());
  return {
    ...item(r, offsetMinutes, assigned.get(id)),
    reason: r.reason ?? undefined,
    payload: r.payload,
    timeline: await timeline(pool, [id, ...(r.workflow_id ? [r.workflow_id] : [])]),
    actions: [...(needsOfficer && actionsWired ? ['retry', 'resubmit'] : []), 'assign'],
  };
}
