import type { Pool } from '../../db/pool.js';
import { differenceView } from '../../client/reconciliation.js';
import { DIFFERENCE_KIND_LABELS, type DifferenceKind } from '../../domain/reconciliation.js';
import { differenceRow, differenceRows } from '../../store/inboxes.js';
import { cards, iso, page, timeline, type InboxItem, type ResolvedFilters } from '../inbox.js';

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

export const listDifferences = (pool: Pool, f: ResolvedFilters) => cards(differenceRows(pool, f), item);

export const getDifference = (pool: Pool, id: string) =>
  page(differenceRow(pool, id), async (r, assignee) => {
    const { differenceId: _id, ...view } = differenceView(r, assignee);
    return {
      ...item(r, assignee),
      reason: r.status === 'RESOLVED' ? `resolved by ${r.resolved_by}: ${r.resolution}` : r.message,
      payload: { ...view, day: r.day_text, firstRunId: r.first_run_id, lastRunId: r.last_run_id },
      timeline: await timeline(pool, [id]),
      actions: r.status === 'OPEN' ? ['resolve', 'assign'] : [],
    };
  });
