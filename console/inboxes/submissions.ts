import type { Pool } from '../../db/pool.js';
import { isoWithOffset } from '../../domain/incident.js';
import {
  calendarCaveats,
  compileCalendar,
  officerDueAt,
  type CalendarCaveats,
  type WorkingDayCalendar,
} from '../../domain/working-days.js';
import { submissionRow, submissionRows } from '../../store/inboxes.js';
import { pendingApproval } from '../../store/resubmissions.js';
import { cards, iso, page, timeline, type InboxItem, type ItemDetail, type ResolvedFilters } from '../inbox.js';

/**
 * Rejected or failed submissions (AFM; AFM order No. 9, item 5(3): AFM says within 1 working day why it could not accept
 * data, and the bookmaker corrects and resubmits; ESU records refused after money moved). It reads the
 * `submissions` table the submission workflow writes (migration 005), and answers "not installed" while the
 * table is missing. Retry and correct-and-resubmit go through the workflow's updates, which the console
 * receives as `SubmissionActions` (client/submissions.ts) — never around the workflow.
 */
export interface SubmissionActions {
  retry(submissionId: string, actor: string): Promise<unknown>;
  resubmit(submissionId: string, payload: unknown, actor: string): Promise<unknown>;
  /** Records AFM's written notice with its scan (client/written-notices.ts). */
  notice?(submissionId: string, request: unknown, actor: string): Promise<unknown>;
}

/** Where AFM's written notice may still land (AFM order No. 9, item 5(3)): acknowledged, accepted or rejected by AFM. */
const NOTICE_STATUSES = ['ACKNOWLEDGED', 'ACCEPTED', 'REJECTED'];

const DUE_RULE = 'correct and resubmit within 1 working day of the rejection (AFM order No. 9, item 5(3))';

/** Saturday and Sunday only: the due date when the console is given no working-day calendar. */
const WEEKENDS_ONLY = compileCalendar({
  utcOffset: '+05:00',
  weekend: ['SATURDAY', 'SUNDAY'],
  years: [2000],
  daysOff: [],
});

/** The officers' due time: the workflow's (REJECTED, from the Kazakhstan calendar), else 1 working day after the failure. */
function dueAt(r: Record<string, any>, calendar: WorkingDayCalendar): number | undefined {
  if (r.due_at) return new Date(r.due_at).getTime();
  const changed = r.changed_at ?? r.created_at;
  return changed ? officerDueAt(new Date(changed).getTime(), calendar) : undefined;
}

/**
 * The calendar's caveats on what this submission waits for: AFM's rejection window (ACKNOWLEDGED) or the officers'
 * due time. A forecast day (2027's Kurban Ait, moved days the decree has not set) or a window past the calendar file's
 * years is flagged to officers, not silently assumed (config/calendar/kz-working-days.json).
 */
export function submissionCaveats(r: Record<string, any>, calendar: WorkingDayCalendar): CalendarCaveats | undefined {
  const ms = (v: unknown) => (v ? new Date(v as string).getTime() : undefined);
  const window =
    r.status === 'ACKNOWLEDGED'
      ? [ms(r.acknowledged_at), ms(r.window_ends_at)]
      : r.status === 'RETRYING'
        ? []
        : [ms(r.changed_at ?? r.created_at), dueAt(r, calendar)];
  const [from, to] = window;
  if (from === undefined || to === undefined) return undefined;
  const caveats = calendarCaveats(from, to, calendar);
  return caveats.forecastDays.length || caveats.beyondCalendar ? caveats : undefined;
}

/** The caveats as flags on an item or an answer: CALENDAR FORECAST, BEYOND CALENDAR. */
export function caveatFlags(c: CalendarCaveats): string[] {
  return [...(c.forecastDays.length ? ['CALENDAR FORECAST'] : []), ...(c.beyondCalendar ? ['BEYOND CALENDAR'] : [])];
}

/** The caveats as the submission's page says them. */
export function caveatText(c: CalendarCaveats, what: string): string {
  return [
    c.forecastDays.length
      ? `${what} depends on ${c.forecastDays.map((d) => `${d.date} (${d.name})`).join(', ')}, a forecast in the calendar not yet set by decree: check it`
      : '',
    c.beyondCalendar
      ? `${what} runs past the years the working-day calendar covers: only Saturdays and Sundays were counted there; check it against the decree`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export function submissionItem(
  r: Record<string, any>,
  offsetMinutes: number,
  calendar: WorkingDayCalendar,
  assignee?: string,
): InboxItem {
  const due = dueAt(r, calendar);
  const retrying = r.status === 'RETRYING';
  const caveats = submissionCaveats(r, calendar);
  const flags = [
    ...(r.escalated_at ? ['ESCALATED'] : []),
    ...(!retrying && due !== undefined && due < Date.now() ? ['OVERDUE'] : []),
    ...(r.attempt > 1 ? [`ATTEMPT ${r.attempt}`] : []),
    // A correction that changes an amount or a date waits for a second officer (store/resubmissions.ts).
    ...(r.awaiting_approval ? ['AWAITING APPROVAL'] : []),
    ...(caveats ? caveatFlags(caveats) : []),
    ...(retrying && r.next_attempt_at
      ? [`NEXT ATTEMPT ${isoWithOffset(new Date(r.next_attempt_at).getTime(), offsetMinutes)}`]
      : []),
  ];
  return {
    inbox: 'submissions',
    id: r.id,
    title: `Submission ${r.id}${r.code ? ` ${r.code}` : ''}${r.reason ? `: ${String(r.reason).slice(0, 80)}` : ''}`,
    status: String(r.status ?? 'UNKNOWN').toUpperCase(),
    counterpart: r.counterpart ? String(r.counterpart).toLowerCase() : undefined,
    bettorRef: r.bettor_ref ?? undefined,
    createdAt: iso(r.created_at) ?? new Date(0).toISOString(),
    // A RETRYING submission goes through by itself: no officer's due date.
    dueAt: retrying || due === undefined ? undefined : isoWithOffset(due, offsetMinutes),
    dueRule: DUE_RULE,
    assignee,
    flags,
  };
}

export async function listSubmissions(
  pool: Pool,
  f: ResolvedFilters,
  offsetMinutes: number,
  calendar: WorkingDayCalendar = WEEKENDS_ONLY,
): Promise<InboxItem[] | undefined> {
  return cards(submissionRows(pool, f), (r, assignee) => submissionItem(r, offsetMinutes, calendar, assignee));
}

export async function getSubmission(
  pool: Pool,
  id: string,
  offsetMinutes: number,
  actionsWired: boolean,
  calendar: WorkingDayCalendar = WEEKENDS_ONLY,
): Promise<ItemDetail | undefined> {
  return page(submissionRow(pool, id), async (r, assignee) => {
    // Retry resends a FAILED record as it is; a REJECTED one needs the officer's correction (the workflow's rules).
    // A held correction is approved or refused before anyone corrects it again.
    const approval = await pendingApproval(pool, id);
    const correct = approval ? ['approve-resubmission', 'refuse-resubmission'] : ['resubmit'];
    const action = [
      ...(r.status === 'FAILED' ? ['retry'] : r.status === 'REJECTED' ? correct : []),
      ...(r.counterpart === 'AFM' && NOTICE_STATUSES.includes(r.status) ? ['notice'] : []),
    ];
    return {
      ...submissionItem(r, offsetMinutes, calendar, assignee),
      reason:
        [
          r.reason,
          r.outage_since
            ? `counterpart unreachable since ${isoWithOffset(new Date(r.outage_since).getTime(), offsetMinutes)}`
            : '',
          r.next_attempt_at && r.status === 'RETRYING'
            ? `next attempt ${isoWithOffset(new Date(r.next_attempt_at).getTime(), offsetMinutes)}`
            : '',
          r.corrects_submission_id ? `corrects ${r.corrects_submission_id}` : '',
          r.corrected_by ? `corrected by ${r.corrected_by}` : '',
          ((c) => (c ? caveatText(c, r.status === 'ACKNOWLEDGED' ? "AFM's rejection window" : 'the due date') : ''))(
            submissionCaveats(r, calendar),
          ),
        ]
          .filter(Boolean)
          .join('; ') || undefined,
      payload: r.payload,
      ...(approval
        ? {
            approval: {
              requestedBy: approval.requestedBy,
              requestedAt: approval.requestedAt,
              changes: approval.changes,
              payload: approval.payload,
            },
          }
        : {}),
      timeline: await timeline(pool, [id, ...(r.workflow_id ? [r.workflow_id] : [])]),
      actions: [...(actionsWired ? action : []), 'assign'],
    };
  });
}
