import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Pool } from '../db/pool.js';
import { payloadKeyId } from '../codec/encryption.js';
import { announceMaintenance, loadMaintenance, loadMinuteBuckets } from '../store/availability.js';
import { findJournalEntries } from '../store/journal.js';
import { availability, type AvailabilityReport } from '../domain/availability.js';
import { Counterpart } from '../domain/wire/common.js';
import { plannedNoticeCaveats, plannedWindowProblems } from '../domain/maintenance.js';
import type { WorkingDayCalendar } from '../domain/working-days.js';
import { audited, ConsoleError } from './audit.js';
import type { Actor } from './auth.js';
import { verifyJournal, type ChainReport } from './journal-chain.js';
import { JournalAnchor, sealJournalHead, type SealKey } from './journal-seal.js';
import { Day, exportJournalCsv, JournalRange, rangeBounds } from './journal-export.js';
import { timelineEntry, type TimelineEntry } from './inbox.js';
import { maskPayload } from './personal-data.js';
import { caveatFlags, caveatText } from './inboxes/submissions.js';

/**
 * The journal (read, verify, export) and the availability index, for the console and the CLI. Reading the
 * journal, verifying it and exporting it are each journalled themselves (issue 5; National Bank resolution No. 116, item 55(7)).
 */
const JournalQuery = z.object({
  recordId: z.string().max(160).optional(),
  actor: z.string().max(64).optional(),
  event: z
    .string()
    .regex(/^[a-z0-9.-]{1,64}$/, 'an event name or prefix like incident.')
    .optional(),
  day: Day.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const Maintenance = z
  .object({
    counterpart: Counterpart,
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    note: z.string().max(500).default(''),
  })
  .refine((m) => Date.parse(m.endsAt) > Date.parse(m.startsAt), {
    path: ['endsAt'],
    message: 'must be after startsAt',
  });

const PERIODS = { '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000, '30d': 30 * 24 * 3600_000 } as const;

export interface CounterpartAvailability {
  counterpart: string;
  periods: Record<keyof typeof PERIODS, AvailabilityReport>;
  ongoingOutageSince?: string;
}

/** The value as the schema reads it, or INVALID naming `what` and each problem's field. */
function valid<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConsoleError(
    'INVALID',
    `${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ')}`,
  );
}

export function createJournalService({
  pool,
  offsetMinutes,
  codec,
  bettorRefKey,
  seal,
  calendar,
  maintenanceMaxLengthMs = 12 * 3600_000,
  now = () => Date.now(),
}: {
  pool: Pool;
  offsetMinutes: number;
  codec?: PayloadCodec;
  /** Masks decoded IINs as the console shows bettors (their keyed reference). */
  bettorRefKey?: string;
  /** The key the chain head is sealed with (JOURNAL_SEAL_KEY); without it seals are neither made nor checked. */
  seal?: SealKey;
  /** The working-day calendar: planned maintenance is announced at least 3 working days ahead (the e-government integration rules, item 48). */
  calendar?: () => Promise<WorkingDayCalendar>;
  maintenanceMaxLengthMs?: number;
  now?: () => number;
}) {
  return {
    async entries(actor: Actor, query: unknown): Promise<TimelineEntry[]> {
      const q = valid(JournalQuery, query ?? {}, 'query');
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.journal-read', recordId: 'journal', details: { ...q } },
        async () => {
          const rows = await findJournalEntries(
            pool,
            {
              recordId: q.recordId,
              actor: q.actor,
              eventPrefix: q.event,
              ...(q.day ? rangeBounds({ day: q.day }, offsetMinutes) : {}),
            },
            q.limit,
          );
          return rows.map((r) => ({ ...timelineEntry(r), details: { recordId: r.record_id, ...r.details } }));
        },
      );
    },

    /**
     * Recomputes the whole chain and checks every seal (and `anchor`, a head kept outside the database, when given);
     * journalled with its verdict (FAILED when tampering shows). An intact chain is sealed afresh.
     */
    async verify(actor: Actor, options: { anchor?: unknown } = {}): Promise<ChainReport> {
      const anchor = options.anchor === undefined ? undefined : valid(JournalAnchor, options.anchor, 'anchor');
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.journal-verified', recordId: 'journal', details: anchor ? { anchorSeq: anchor.seq } : {} },
        async () => {
          const report = await verifyJournal(pool, seal ? { key: seal, anchor } : undefined);
          if (report.ok && seal) report.seals.latest = await sealJournalHead(pool, seal, now);
          return report;
        },
        (report) => ({
          result: report.ok ? 'OK' : 'FAILED',
          details: {
            checked: report.checked,
            sealsChecked: report.seals.checked,
            problems: report.problems.slice(0, 20),
          },
        }),
      );
    },

    /** The chain head, sealed now: what an auditor keeps outside the database and verifies against later. */
    async head(actor: Actor): Promise<JournalAnchor> {
      if (!seal) throw new ConsoleError('UNAVAILABLE', 'the journal seal key is not configured (JOURNAL_SEAL_KEY)');
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.journal-head-read', recordId: 'journal' },
        () => sealJournalHead(pool, seal, now),
        (anchor) => ({
          result: 'OK',
          details: { seq: anchor.seq, hash: anchor.hash },
        }),
      );
    },

    /** Streams the CSV through `write`; the export is journalled with its range and row count. */
    async exportCsv(actor: Actor, range: unknown, write: (chunk: string) => void | Promise<void>): Promise<number> {
      const validRange = valid(JournalRange, range, 'range');
      let rows = 0;
      await audited(
        pool,
        actor,
        'read',
        { event: 'console.journal-exported', recordId: 'journal', details: { range: validRange } },
        async () => {
          rows = await exportJournalCsv(pool, validRange, offsetMinutes, write);
        },
      );
      return rows;
    },

    /** (T − P) / T × 100 % per counterpart over the last 24 hours, 7 and 30 days (the e-government integration rules, A7 p.7). */
    async availability(
      actor: Actor,
    ): Promise<{ counterparts: CounterpartAvailability[]; maintenance: Awaited<ReturnType<typeof loadMaintenance>> }> {
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.availability-read', recordId: 'availability' },
        async () => {
          const nowMs = now();
          const fromMs = nowMs - PERIODS['30d'];
          const [buckets, maintenance] = await Promise.all([
            loadMinuteBuckets(pool, fromMs - 24 * 3600_000, nowMs + 60_000),
            loadMaintenance(pool, fromMs, nowMs + 30 * 24 * 3600_000),
          ]);
          const names = [
            ...new Set([
              ...Counterpart.options.filter((c) => buckets.has(c) || c === 'esu' || c === 'nomapay'),
              ...buckets.keys(),
            ]),
          ];
          const counterparts = names.map((counterpart) => {
            const list = buckets.get(counterpart) ?? [];
            const windows = maintenance.filter((m) => m.counterpart === counterpart);
            const periods = Object.fromEntries(
              Object.entries(PERIODS).map(([name, ms]) => [
                name,
                availability(list, { fromMs: nowMs - ms, toMs: nowMs, nowMs }, windows),
              ]),
            ) as CounterpartAvailability['periods'];
            const ongoing = periods['24h'].outages.find((o) => o.ongoing);
            return {
              counterpart,
              periods,
              ...(ongoing ? { ongoingOutageSince: new Date(ongoing.startMs).toISOString() } : {}),
            };
          });
          return { counterparts, maintenance };
        },
      );
    },

    /** Records a counterpart's announced planned maintenance (the e-government integration rules, item 48): administrators only. */
    async addMaintenance(actor: Actor, body: unknown) {
      const m = valid(Maintenance, body, 'maintenance');
      return audited(
        pool,
        actor,
        'maintenance',
        { event: 'console.maintenance-recorded', recordId: `maintenance:${m.counterpart}`, details: m },
        async () => {
          if (!calendar)
            throw new ConsoleError(
              'UNAVAILABLE',
              'no working-day calendar configured: the notice period cannot be checked',
            );
          const days = await calendar();
          const nowMs = now();
          const problems = plannedWindowProblems(
            { startsAtMs: Date.parse(m.startsAt), endsAtMs: Date.parse(m.endsAt) },
            nowMs,
            days,
            maintenanceMaxLengthMs,
          );
          if (problems.length)
            throw new ConsoleError(
              'INVALID',
              `maintenance: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
              problems,
            );
          const id = await announceMaintenance(pool, m, actor.login);
          // Accepted, but the answer says when the 3-working-day count rests on a forecast or runs past the calendar.
          const caveats = plannedNoticeCaveats(nowMs, days);
          return {
            id,
            ...m,
            flags: caveats ? caveatFlags(caveats) : [],
            ...(caveats ? { calendarNotice: caveatText(caveats, 'the 3-working-day notice count') } : {}),
          };
        },
      );
    },

    /**
     * The Temporal UI's codec endpoint: decrypts payloads for officers and administrators and masks the personal
     * data in them as the console does (console/personal-data.ts). The journal entry names the namespace, how many
     * payloads, under which key ids, and the bettors whose data was read (by short reference). Not the workflow:
     * the Temporal UI's codec request carries the namespace (X-Namespace) and the payloads, no workflow or run id.
     */
    async decode(actor: Actor, payloads: Payload[], namespace = ''): Promise<Payload[]> {
      const seen = new Set<string>();
      const keyIds: Record<string, number> = {};
      for (const p of payloads) {
        const id = payloadKeyId(p);
        if (id !== undefined) keyIds[id.slice(0, 64)] = (keyIds[id.slice(0, 64)] ?? 0) + 1;
      }
      const entry = {
        event: 'console.payloads-decoded',
        recordId: `codec:${namespace || '(no namespace)'}`,
        details: { namespace: namespace || null, count: payloads.length, keyIds },
      };
      return audited(
        pool,
        actor,
        'decode-payloads',
        entry,
        async () => {
          if (!codec) throw new ConsoleError('UNAVAILABLE', 'no payload codec configured');
          if (!bettorRefKey)
            throw new ConsoleError(
              'UNAVAILABLE',
              'no bettor reference key configured: personal data could not be masked',
            );
          let decoded: Payload[];
          try {
            decoded = await codec.decode(payloads);
          } catch (err) {
            // What the caller sent cannot be decrypted (unknown key, altered or truncated ciphertext): its fault, not ours.
            throw new ConsoleError('INVALID', `payloads: cannot be decoded (${(err as Error).message.slice(0, 200)})`);
          }
          return decoded.map((payload) => maskPayload(payload, bettorRefKey, seen));
        },
        () => ({ result: 'OK', details: { bettors: [...seen] } }),
      );
    },
  };
}

export type JournalService = ReturnType<typeof createJournalService>;
