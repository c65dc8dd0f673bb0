import type { Pool } from '../../db/pool.js';
import type { IncidentState } from '../../domain/incident-state.js';
import { incidentAlerts, incidentRow, incidentRows } from '../../store/inboxes.js';
import { cards, iso, page, timeline, type InboxItem, type ResolvedFilters } from '../inbox.js';

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

export const listIncidents = (pool: Pool, f: ResolvedFilters) => cards(incidentRows(pool, f), item);

export const getIncident = (pool: Pool, id: string) =>
  page(incidentRow(pool, id), async (r, assignee) => {
    const state = r.state as IncidentState;
    const alerts = await incidentAlerts(pool, id);
    const closed = state.status === 'CLOSED';
    const last = state.submissions.at(-1);
    const delivered = Boolean(last?.completedAt && last.version === state.version);
    return {
      ...item(r, assignee),
      reason: state.problems.length ? `still missing: ${state.problems.join('; ')}` : undefined,
      payload: {
        ...state,
        alerts: alerts.map((a) => ({ kind: a.kind, checkpoint: a.checkpoint, firedAt: iso(a.fired_at) })),
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
  });
