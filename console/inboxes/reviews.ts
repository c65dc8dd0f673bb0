import type { Pool } from '../../db/pool.js';
import { REVIEW_DEADLINE_MS, REVIEW_ESCALATION_MS } from '../../domain/identification.js';
import { reviewRow, reviewRows } from '../../store/inboxes.js';
import { cards, iso, page, timeline, type InboxItem, type ResolvedFilters } from '../inbox.js';

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

export const listReviews = (pool: Pool, f: ResolvedFilters) => cards(reviewRows(pool, f), item);

export const getReview = (pool: Pool, bettorId: string) =>
  page(reviewRow(pool, bettorId), async (r, assignee) => ({
    ...item(r, assignee),
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
  }));
