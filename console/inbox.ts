import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import { timelineRows, type AssignedRow, type InboxRow, type InboxRowFilters } from '../store/inboxes.js';

/**
 * What every inbox of the console shares: the filters (status, counterpart, bettor, date), the item shape
 * with its due date from the legal deadline, and the item's timeline read from the event journal.
 * Lists come from PostgreSQL (store/inboxes.ts), never from Temporal visibility.
 */
export const InboxName = z.enum(['submissions', 'incidents', 'reviews', 'reconciliation']);
export type InboxName = z.infer<typeof InboxName>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-10');

export const InboxFilters = z.object({
  status: z
    .string()
    .regex(/^[A-Z_]{2,40}$/, 'must be a status like REJECTED')
    .optional(),
  counterpart: z
    .string()
    .regex(/^[a-z]{2,16}$/, 'must be a counterpart like esu')
    .optional(),
  /** An IIN (hashed on the server, never stored) or a bettor reference (64 hex). */
  bettor: z
    .string()
    .regex(/^(\d{12}|[0-9a-f]{64})$/, 'must be a 12-digit IIN or a 64-hex bettor reference')
    .optional(),
  from: Day.optional(),
  to: Day.optional(),
  assignee: z
    .string()
    .regex(/^[a-z0-9._-]{2,64}$/)
    .optional(),
});
export type InboxFilters = z.infer<typeof InboxFilters>;

/** Filters as the inboxes apply them: the bettor as its reference, the dates as instants. */
export type ResolvedFilters = InboxRowFilters;

export interface InboxItem {
  inbox: InboxName;
  id: string;
  title: string;
  status: string;
  counterpart?: string;
  bettorRef?: string;
  createdAt: string;
  /** When the obligation falls due, and the rule that sets it (AFM order No. 9, item 5(3): 1 working day; National Bank resolution No. 116, item 65: 48 h). */
  dueAt?: string;
  dueRule?: string;
  assignee?: string;
  /** Set once the obligation is met: the card reached both receivers (on time or late). */
  met?: 'ON_TIME' | 'LATE';
  /** Short markers for the list: ESCALATED, LATE, DETECTOR, INCOMPLETE… */
  flags: string[];
}

export interface TimelineEntry {
  seq: number;
  startedAt: string;
  endedAt: string;
  event: string;
  actor: string;
  result: string;
  details: Record<string, unknown>;
}

export interface ItemDetail extends InboxItem {
  reason?: string;
  payload: unknown;
  /** A submission's correction waiting for a second officer's approval: who asked, when, and what changes. */
  approval?: {
    requestedBy: string;
    requestedAt: string;
    changes: { field: string; old: unknown; new: unknown }[];
    payload: unknown;
  };
  timeline: TimelineEntry[];
  /** Actions the item admits now (the console also checks the caller's role). */
  actions: string[];
}

/** An inbox's list: each of its rows (store/inboxes.ts) as a card; undefined while its source is not installed. */
export async function cards(
  rows: Promise<AssignedRow[] | undefined>,
  card: (row: InboxRow, assignee?: string) => InboxItem,
): Promise<InboxItem[] | undefined> {
  return (await rows)?.map(({ row, assignee }) => card(row, assignee));
}

/** An item's page from its row, or undefined when there is no such item. */
export async function page(
  found: Promise<AssignedRow | undefined>,
  detail: (row: InboxRow, assignee?: string) => Promise<ItemDetail>,
): Promise<ItemDetail | undefined> {
  const { row, assignee } = (await found) ?? {};
  return row ? detail(row, assignee) : undefined;
}

/** Journal entries of one or more record ids, oldest first: the item's timeline of attempts and decisions. */
export async function timeline(pool: Pool, recordIds: string[]): Promise<TimelineEntry[]> {
  return (await timelineRows(pool, recordIds)).map(timelineEntry);
}

/** A journal row (chain_seq as text, started_at, ended_at, event, actor, result, details) as the console shows it. */
export function timelineEntry(r: Record<string, any>): TimelineEntry {
  return {
    seq: Number(r.seq),
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at.toISOString(),
    event: r.event,
    actor: r.actor,
    result: r.result,
    details: r.details,
  };
}

export const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : undefined);
