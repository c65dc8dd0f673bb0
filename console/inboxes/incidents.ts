import type { Pool } from '../../db/pool.js';
import type { IncidentState } from '../../domain/incident-state.js';
import { assignments, iso, timeline, type InboxItem, type ItemDetail, type ResolvedFilters } from '../inbox.js';

/**
 * Incident cards: every incident from the incident journal (table `incidents`), open ones first by time left
 * to their 48 hours. Status filter: a status, or ACTIVE (anything not closed, the default).
 */
const DUE_RULE = '48 hours from detection (National Bank resolution No. 116, item 65)';

function item(r: Record<string, any>, assignee?: string): InboxItem {
  const state = r.state as IncidentState;
  const flags = [
    ...(r.escalated_at && !r.first_delivered_at ? ['ESCALATED'] : []),
    ...(r.timeliness === 'LATE' ? ['LATE'] : []),
    ...(r.origin === 'DETECTOR' ? ['DETECTOR'] : []),
    ...(state.problems?.length && !r.first_delivered_at ? ['INCOMPLETE'] : []),
  ];
  return {
    inbox: 'incidents',
    id: r.incident_id,
    title: r.name,
    status: r.status,
    counterpart: r.counterpart ?? undefined,
    createdAt: iso(r.opened_at)!,
    dueAt: iso(r.due_at),
    dueRule: DUE_RULE,
    assignee,
    ...(r.timeliness ? { met: r.timeliness } : {}),
    flags,
  };
}

export async function listIncidents(pool: Pool, f: ResolvedFilters): Promise<InboxItem[]> {
  if (f.bettorRef) return []; // incidents are not about one bettor
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => (args.push(value), where.push(sql.replace('?', `$${args.length}`)));
  if (!f.status || f.status === 'ACTIVE') where.push(`status <> 'CLOSED'`);
  else add('status = ?', f.status);
  if (f.counterpart) add('counterpart = ?', f.counterpart);
  if (f.fromMs !== undefined) add('detected_at >= to_timestamp(? / 1000.0)', f.fromMs);
  if (f.toMs !== undefined) add('detected_at < to_timestamp(? / 1000.0)', f.toMs);
  if (f.assignee)
    add(
      `incident_id IN (SELECT item_id FROM console_assignments WHERE inbox = 'incidents' AND assignee = ?)`,
      f.assignee,
    );
  const { rows } = await pool.query(
    `SELECT incident_id, name, status, counterpart, origin, opened_at, due_at, escalated_at, first_delivered_at, timeliness, state
     FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY (first_delivered_at IS NULL AND status <> 'CLOSED') DESC, due_at ASC LIMIT 500`,
    args,
  );
  const assigned = await assignments(
    pool,
    'incidents',
    rows.map((r) => r.incident_id),
  );
  return rows.map((r) => item(r, assigned.get(r.incident_id)));
}

export async function getIncident(pool: Pool, id: string): Promise<ItemDetail | undefined> {
  const { rows } = await pool.query(
    `SELECT incident_id, name, status, counterpart, origin, opened_at, due_at, escalated_at, first_delivered_at, timeliness, state FROM incidents WHERE incident_id = $1`,
    [id],
  );
  const r = rows[0];
  if (!r) return undefined;
  const state = r.state as IncidentState;
  const assigned = await assignments(pool, 'incidents', [id]);
  const alerts = await pool.query(
    `SELECT kind, checkpoint, fired_at FROM incident_alerts WHERE incident_id = $1 ORDER BY fired_at`,
    [id],
  );
  const closed = state.status === 'CLOSED';
  const last = state.submissions.at(-1);
  const delivered = Boolean(last?.completedAt && last.version === state.version);
  return {
    ...item(r, assigned.get(id)),
    reason: state.problems.length ? `still missing: ${state.problems.join('; ')}` : undefined,
    payload: {
      ...state,
      alerts: alerts.rows.map((a) => ({ kind: a.kind, checkpoint: a.checkpoint, firedAt: iso(a.fired_at) })),
    },
    timeline: await timeline(pool, [id]),
    actions: closed
      ? []
      : [
          'amend',
          ...(!state.problems.length && state.status !== 'SUBMITTING' && !delivered ? ['submit'] : []),
          ...(state.firstDeliveredAt && state.status !== 'SUBMITTING' ? ['close'] : []),
          'assign',
        ],
  };
}
