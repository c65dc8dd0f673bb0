import type { Pool } from '../../db/pool.js';
import { differenceView } from '../../client/reconciliation.js';
import { DIFFERENCE_KIND_LABELS, type DifferenceKind } from '../../domain/reconciliation.js';
import {
  assignments,
  iso,
  tableExists,
  timeline,
  type InboxItem,
  type ItemDetail,
  type ResolvedFilters,
} from '../inbox.js';

/**
 * Reconciliation differences (migration 017): what the daily reconciliation found between our records and ESU's,
 * Nomapay's and AFM's, and in the ledger's own checks. Open ones first by due date (the next Kazakhstan working
 * day after they were found); an officer resolves one with a reason, journalled. Status filter: OPEN (default),
 * RESOLVED or ALL. The counterpart filter takes esu, nomapay, afm or ledger.
 */
const DUE_RULE = 'resolve by the end of the next working day after the reconciliation found it';

function item(r: Record<string, any>, assignee?: string): InboxItem {
  return {
    inbox: 'reconciliation',
    id: r.difference_id,
    title: `${DIFFERENCE_KIND_LABELS[r.kind as DifferenceKind] ?? r.kind}: ${r.record_id}`,
    status: r.status,
    counterpart: String(r.counterpart).toLowerCase(),
    createdAt: iso(r.found_at)!,
    ...(r.status === 'OPEN' ? { dueAt: iso(r.due_at) } : {}),
    dueRule: DUE_RULE,
    assignee,
    flags: [
      r.kind,
      `day ${iso(r.day)?.slice(0, 10) ?? r.day}`,
      ...(r.status === 'OPEN' && new Date(r.due_at).getTime() < Date.now() ? ['OVERDUE'] : []),
    ],
  };
}

const SELECT = `SELECT difference_id, to_char(day, 'YYYY-MM-DD') AS day_text, day, counterpart, kind, record_id, operation_id, operation_kind, ours, theirs, message, status,
  found_at, due_at, resolved_at, resolved_by, resolution, first_run_id, last_run_id FROM reconciliation_differences`;

export async function listDifferences(pool: Pool, f: ResolvedFilters): Promise<InboxItem[] | undefined> {
  if (!(await tableExists(pool, 'reconciliation_differences'))) return undefined;
  if (f.bettorRef) return []; // differences name operations, not bettors
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => (args.push(value), where.push(sql.replace('?', `$${args.length}`)));
  if (!f.status || f.status === 'OPEN') where.push(`status = 'OPEN'`);
  else if (f.status !== 'ALL') add('status = ?', f.status);
  if (f.counterpart) add('counterpart = upper(?)', f.counterpart);
  if (f.fromMs !== undefined) add('found_at >= to_timestamp(? / 1000.0)', f.fromMs);
  if (f.toMs !== undefined) add('found_at < to_timestamp(? / 1000.0)', f.toMs);
  if (f.assignee)
    add(
      `difference_id IN (SELECT item_id FROM console_assignments WHERE inbox = 'reconciliation' AND assignee = ?)`,
      f.assignee,
    );
  const { rows } = await pool.query(
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY (status = 'OPEN') DESC, due_at ASC, difference_id LIMIT 500`,
    args,
  );
  const assigned = await assignments(
    pool,
    'reconciliation',
    rows.map((r) => r.difference_id),
  );
  return rows.map((r) => item(r, assigned.get(r.difference_id)));
}

export async function getDifference(pool: Pool, id: string): Promise<ItemDetail | undefined> {
  if (!(await tableExists(pool, 'reconciliation_differences'))) return undefined;
  const { rows } = await pool.query(`${SELECT} WHERE difference_id = $1`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  const assignee = (await assignments(pool, 'reconciliation', [id])).get(id);
  const { differenceId: _id, ...view } = differenceView(r, assignee);
  return {
    ...item(r, assignee),
    reason: r.status === 'RESOLVED' ? `resolved by ${r.resolved_by}: ${r.resolution}` : r.message,
    payload: { ...view, day: r.day_text, firstRunId: r.first_run_id, lastRunId: r.last_run_id },
    timeline: await timeline(pool, [id]),
    actions: r.status === 'OPEN' ? ['resolve', 'assign'] : [],
  };
}
