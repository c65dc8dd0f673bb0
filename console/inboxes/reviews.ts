import type { Pool } from '../../db/pool.js';
import { REVIEW_DEADLINE_MS, REVIEW_ESCALATION_MS } from '../../domain/identification.js';
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
 * Identification cases awaiting an offline review (ЦОИД rules §16: biometric verification failed more than
 * twice), from `bettor_identifications` (003). The decision goes through the identification workflow's
 * `decideReview` update. No personal data is shown: the bettor appears by id and keyed reference.
 */
const DUE_RULE = 'decide within 72 hours of the request (ours: ЦОИД rules §16 gives no deadline)';

function item(r: Record<string, any>, assignee?: string): InboxItem {
  const requested = r.review_requested_at ?? r.updated_at;
  const dueMs = new Date(requested).getTime() + REVIEW_DEADLINE_MS;
  const escalated = Date.now() > new Date(requested).getTime() + REVIEW_ESCALATION_MS;
  return {
    inbox: 'reviews',
    id: r.bettor_id,
    title: `Offline check of bettor ${r.bettor_id}`,
    status: r.status,
    bettorRef: r.bettor_ref ?? undefined,
    createdAt: iso(requested)!,
    dueAt: new Date(dueMs).toISOString(),
    dueRule: DUE_RULE,
    assignee,
    flags: escalated ? ['ESCALATED'] : [],
  };
}

const SELECT = `SELECT b.bettor_id, b.bettor_ref, b.status, b.step, b.reason, b.method, b.updated_at, b.workflow_id,
  (SELECT j.started_at FROM journal j WHERE j.record_id = b.bettor_id AND j.event = 'identification.review-requested'
   ORDER BY j.chain_seq DESC LIMIT 1) AS review_requested_at
  FROM bettor_identifications b`;

export async function listReviews(pool: Pool, f: ResolvedFilters): Promise<InboxItem[] | undefined> {
  if (!(await tableExists(pool, 'bettor_identifications'))) return undefined;
  if (f.status && f.status !== 'IN_REVIEW') return [];
  if (f.counterpart && f.counterpart !== 'tsoid' && f.counterpart !== 'nomapay') return [];
  const where = [`b.status = 'IN_REVIEW'`];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => (args.push(value), where.push(sql.replace('?', `$${args.length}`)));
  if (f.bettorRef) add('b.bettor_ref = ?', f.bettorRef);
  if (f.fromMs !== undefined) add('b.updated_at >= to_timestamp(? / 1000.0)', f.fromMs);
  if (f.toMs !== undefined) add('b.updated_at < to_timestamp(? / 1000.0)', f.toMs);
  if (f.assignee)
    add(
      `b.bettor_id IN (SELECT item_id FROM console_assignments WHERE inbox = 'reviews' AND assignee = ?)`,
      f.assignee,
    );
  const { rows } = await pool.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY b.updated_at ASC LIMIT 500`, args);
  const assigned = await assignments(
    pool,
    'reviews',
    rows.map((r) => r.bettor_id),
  );
  return rows.map((r) => item(r, assigned.get(r.bettor_id)));
}

export async function getReview(pool: Pool, bettorId: string): Promise<ItemDetail | undefined> {
  if (!(await tableExists(pool, 'bettor_identifications'))) return undefined;
  const { rows } = await pool.query(`${SELECT} WHERE b.bettor_id = $1`, [bettorId]);
  const r = rows[0];
  if (!r) return undefined;
  const assigned = await assignments(pool, 'reviews', [bettorId]);
  return {
    ...item(r, assigned.get(bettorId)),
    reason: r.reason ?? undefined,
    payload: {
      bettorId: r.bettor_id,
      bettorRef: r.bettor_ref,
      status: r.status,
      step: r.step,
      method: r.method,
      workflowId: r.workflow_id,
      reason: r.reason,
    },
    timeline: await timeline(pool, [bettorId]),
    actions: r.status === 'IN_REVIEW' ? ['approve', 'refuse', 'assign'] : ['assign'],
  };
}
