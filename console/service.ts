import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import type { EsuBridgeClient } from '../client/index.js';
import { bettorRef } from '../client/bettor-ref.js';
import type { ConsoleUser } from '../config/console.js';
import { IncidentCardDraft, IncidentCardPatch } from '../domain/incident.js';
import { BusinessKey } from '../domain/ids.js';
import { audited, ConsoleError } from './audit.js';
import { can, type Actor } from './auth.js';
import { InboxFilters, InboxName, type InboxItem, type ItemDetail, type ResolvedFilters } from './inbox.js';
import { getIncident, listIncidents } from './inboxes/incidents.js';
import { getReview, listReviews } from './inboxes/reviews.js';
import { getSubmission, listSubmissions, type SubmissionActions } from './inboxes/submissions.js';
import { getDifference, listDifferences } from './inboxes/reconciliation.js';
import { readReconciliationDay, reconciliationCsv, type ReconciliationDay } from '../client/reconciliation.js';
import type { ReconciliationResult } from '../domain/reconciliation.js';
import { ListingDate } from '../domain/wire/listings.js';
import { rangeBounds } from './journal-export.js';
import type { WorkingDayCalendar } from '../domain/working-days.js';
import { fieldProblems } from '../domain/issues.js';
import { SubmissionPayload } from '../domain/submission.js';
import { judgeCorrection, type CorrectionVerdict } from '../domain/submission-correction.js';
import { Text } from '../domain/text.js';
import {
  decideApproval,
  pendingApproval,
  requestApproval,
  submittedRecord,
  type PendingApproval,
} from '../store/resubmissions.js';
import { assignItem, resolveDifference } from '../store/inboxes.js';

/**
 * What officers, administrators and auditors do, for the web console and the CLI alike. Every method takes
 * the acting user, checks the role, goes through the workflows for anything that changes state (never
 * around them), and is journalled (console/audit.ts). Journal and availability live in journal-service.ts.
 */
export interface ConsoleDeps {
  pool: Pool;
  bridge: Pick<EsuBridgeClient, 'openIncident' | 'incident' | 'identification'>;
  /** The submission workflow's retry and resubmit (client/submissions.ts, wired by createConsole). */
  submissionActions?: SubmissionActions;
  /** The Kazakhstan working-day calendar (WORKING_DAY_CALENDAR) for submissions' due dates; weekends only without it. */
  calendar?: () => Promise<WorkingDayCalendar>;
  bettorRefKey: string;
  offsetMinutes: number;
  users: ConsoleUser[];
  /** Runs the reconciliation of a day through its workflow and waits for it (client/reconciliation.ts, wired by createConsole). */
  reconcile?: (day: string) => Promise<ReconciliationResult>;
}

export interface InboxPage {
  inbox: InboxName;
  items: InboxItem[];
  /** Set when the inbox's source is not installed yet (its table is missing). */
  notice?: string;
}

const Decision = z.strictObject({ note: Text(500).optional() });
const ItemId = z
  .string()
  .min(1)
  .max(160)
  .regex(/^[A-Za-z0-9._:-]+$/, 'is not an item id');

/** `nested`: the value is a field of the request named `what`, so its problems are named `what.field`. */
function parse<S extends z.ZodType>(schema: S, value: unknown, what: string, nested = false): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = fieldProblems(parsed.error).map((p) => ({
      field: p.field === '(body)' ? what : nested ? `${what}.${p.field}` : p.field,
      message: p.message,
    }));
    throw new ConsoleError('INVALID', `${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/** An item named by its inbox and id, as a request gives them. */
function itemOf(inboxName: string, rawId: string): { inbox: InboxName; id: string } {
  return { inbox: parse(InboxName, inboxName, 'inbox'), id: parse(ItemId, rawId, 'id') };
}

export function createConsoleService(deps: ConsoleDeps) {
  const { pool, bridge, offsetMinutes } = deps;

  /** The bettor filter as a reference: an IIN is hashed here and never stored or journalled. */
  function resolve(filters: InboxFilters): ResolvedFilters {
    const bounds =
      filters.from || filters.to
        ? rangeBounds({ from: filters.from ?? filters.to!, to: filters.to ?? filters.from! }, offsetMinutes)
        : {};
    const ref =
      filters.bettor && /^\d{12}$/.test(filters.bettor) ? bettorRef(filters.bettor, deps.bettorRefKey) : filters.bettor;
    return {
      status: filters.status,
      counterpart: filters.counterpart,
      bettorRef: ref,
      assignee: filters.assignee,
      ...bounds,
    };
  }

  /** Each inbox's source: its items for the filters (undefined: its table is not installed yet), and one item. */
  const inboxes: Record<
    InboxName,
    {
      list(filters: ResolvedFilters): Promise<InboxItem[] | undefined>;
      get(id: string): Promise<ItemDetail | undefined>;
    }
  > = {
    incidents: { list: (f) => listIncidents(pool, f), get: (id) => getIncident(pool, id) },
    reviews: { list: (f) => listReviews(pool, f), get: (id) => getReview(pool, id) },
    reconciliation: { list: (f) => listDifferences(pool, f), get: (id) => getDifference(pool, id) },
    submissions: {
      list: async (f) => listSubmissions(pool, f, offsetMinutes, await deps.calendar?.()),
      get: async (id) =>
        getSubmission(pool, id, offsetMinutes, Boolean(deps.submissionActions), await deps.calendar?.()),
    },
  };

  async function detail(inbox: InboxName, id: string): Promise<ItemDetail> {
    const found = await inboxes[inbox].get(id);
    if (!found) throw new ConsoleError('NOT_FOUND', `no ${inbox} item ${id}`);
    return found;
  }

  /** The submission workflow's retry and resubmit, or UNAVAILABLE naming what needs them. */
  function submissionActions(what: string): SubmissionActions {
    if (!deps.submissionActions)
      throw new ConsoleError(
        'UNAVAILABLE',
        `${what} needs the submission workflow (AFM submissions), which is not wired yet`,
      );
    return deps.submissionActions;
  }

  /**
   * A decision on a held correction (approve or refuse it): journalled with whose correction it was, what it
   * changed and the note. `decide` finds the correction and acts on it.
   */
  async function decideHeld<T>(
    actor: Actor,
    rawId: string,
    body: unknown,
    event: string,
    decide: (id: string, note: string | undefined) => Promise<{ pending: PendingApproval; answer: T }>,
  ): Promise<T> {
    const id = parse(ItemId, rawId, 'id');
    const { note } = parse(Decision, body ?? {}, 'decision');
    const { answer } = await audited(
      pool,
      actor,
      'act',
      { event, recordId: id },
      () => decide(id, note),
      ({ pending }) => ({
        result: 'OK',
        details: { requestedBy: pending.requestedBy, changes: pending.changes, ...(note ? { note } : {}) },
      }),
    );
    return answer;
  }

  const NOT_INSTALLED: Record<InboxName, string> = {
    submissions: 'the submissions table (migration 005, regulator submissions) is not installed yet',
    reviews: 'the identification tables (migration 003) are not installed yet',
    incidents: '',
    reconciliation: 'the reconciliation tables (migration 017) are not installed yet',
  };

  return {
    /** Logins and roles (never secrets), for the assignment list. */
    users: (actor: Actor) => (can(actor, 'read') ? deps.users.map((u) => ({ login: u.login, role: u.role })) : []),

    async inbox(actor: Actor, inboxName: string, rawFilters: unknown): Promise<InboxPage> {
      const inbox = parse(InboxName, inboxName, 'inbox');
      const filters = parse(InboxFilters, rawFilters ?? {}, 'filters');
      const resolved = resolve(filters);
      // The search is journalled with its criteria (National Bank resolution No. 116, item 55(4), G12), the bettor only as its reference.
      const criteria = { inbox, ...filters, bettor: resolved.bettorRef };
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.inbox-searched', recordId: `inbox:${inbox}`, details: criteria },
        async () => {
          const items = await inboxes[inbox].list(resolved);
          return items ? { inbox, items } : { inbox, items: [], notice: NOT_INSTALLED[inbox] };
        },
      );
    },

    async item(actor: Actor, inboxName: string, rawId: string): Promise<ItemDetail> {
      const { inbox, id } = itemOf(inboxName, rawId);
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.item-viewed', recordId: id, details: { inbox } },
        async () => {
          const found = await detail(inbox, id);
          if (!can(actor, 'act')) found.actions = [];
          // The officer who corrected it is not offered the approval of their own correction.
          if (found.approval?.requestedBy === actor.login)
            found.actions = found.actions.filter((a) => a !== 'approve-resubmission');
          return found;
        },
      );
    },

    /** Takes an item (an officer, for themself) or hands it to someone (an administrator). */
    async assign(actor: Actor, inboxName: string, rawId: string, assignee: string): Promise<ItemDetail> {
      const { inbox, id } = itemOf(inboxName, rawId);
      const permission = assignee === actor.login ? 'act' : 'assign-others';
      return audited(
        pool,
        actor,
        permission,
        { event: 'console.item-assigned', recordId: id, details: { inbox, assignee } },
        async () => {
          const target = deps.users.find((u) => u.login === assignee);
          if (!target || target.role === 'auditor')
            throw new ConsoleError('INVALID', `${assignee} is not an officer or administrator`);
          await detail(inbox, id);
          await assignItem(pool, inbox, id, assignee, actor.login);
          return detail(inbox, id);
        },
      );
    },

    async openIncident(actor: Actor, body: { incidentId?: string; card: unknown }) {
      const incidentId =
        body.incidentId === undefined || body.incidentId === ''
          ? undefined
          : parse(BusinessKey, body.incidentId, 'incidentId');
      const card = parse(IncidentCardDraft, body.card, 'card');
      return audited(
        pool,
        actor,
        'act',
        {
          event: 'console.incident-opened',
          recordId: incidentId ?? '(new)',
          details: { name: card.name, detectedAt: card.detectedAt },
        },
        async () => {
          const handle = await bridge.openIncident({ incidentId, card, openedBy: actor.login });
          return { incidentId: handle.incidentId, joined: handle.joined, state: await handle.status() };
        },
      );
    },

    async amendIncident(actor: Actor, rawId: string, patch: unknown) {
      const id = parse(BusinessKey, rawId, 'id');
      const valid = parse(IncidentCardPatch, patch, 'patch');
      return audited(
        pool,
        actor,
        'act',
        { event: 'console.incident-amended', recordId: id, details: { rows: Object.keys(valid) } },
        () => bridge.incident(id).amend({ patch: valid, amendedBy: actor.login }),
      );
    },

    async submitIncident(actor: Actor, rawId: string) {
      const id = parse(BusinessKey, rawId, 'id');
      return audited(pool, actor, 'act', { event: 'console.incident-submitted', recordId: id }, () =>
        bridge.incident(id).submit({ submittedBy: actor.login }),
      );
    },

    async closeIncident(actor: Actor, rawId: string, note?: string) {
      const id = parse(BusinessKey, rawId, 'id');
      return audited(pool, actor, 'act', { event: 'console.incident-closed', recordId: id }, () =>
        bridge.incident(id).close({ closedBy: actor.login, note }),
      );
    },

    /** The offline check's outcome (ЦОИД rules §16), through the identification workflow. */
    async decideReview(actor: Actor, rawId: string, decision: { approved: boolean; note?: string }) {
      const id = parse(BusinessKey, rawId, 'id');
      const { approved, note } = parse(
        z.object({ approved: z.boolean(), note: z.string().max(500).optional() }),
        decision,
        'decision',
      );
      return audited(pool, actor, 'act', { event: 'console.review-decided', recordId: id, details: { approved } }, () =>
        bridge.identification(id).decideReview({ approved, reviewer: actor.login, note }),
      );
    },

    async retrySubmission(actor: Actor, rawId: string) {
      const id = parse(ItemId, rawId, 'id');
      return audited(pool, actor, 'act', { event: 'console.submission-retried', recordId: id }, async () =>
        submissionActions('retrying submissions').retry(id, actor.login),
      );
    },

    /** AFM's written notice (AFM order No. 9, item 5(3)), with the scan of the letter; journalled with its reference. */
    async recordWrittenNotice(actor: Actor, rawId: string, body: unknown) {
      const id = parse(ItemId, rawId, 'id');
      const reference = (body as { afmReference?: unknown } | undefined)?.afmReference;
      const details = typeof reference === 'string' ? { afmReference: reference.slice(0, 64) } : {};
      return audited(
        pool,
        actor,
        'act',
        { event: 'console.submission-notice-recorded', recordId: id, details },
        async () => {
          if (!deps.submissionActions?.notice)
            throw new ConsoleError(
              'UNAVAILABLE',
              'recording AFM notices needs the submission workflow, which is not wired yet',
            );
          return deps.submissionActions.notice(id, body ?? {}, actor.login);
        },
      );
    },

    /**
     * Correct and resubmit (AFM order No. 9, item 5(3)). The bettor, the operation's id and kind stay pinned
     * (domain/submission-correction.ts); what changed is journalled with its old and new values; a change of an
     * amount, currency or date waits for a second officer's approval (`approveResubmission`) instead of being sent.
     */
    async resubmitSubmission(actor: Actor, rawId: string, payload: unknown) {
      const id = parse(ItemId, rawId, 'id');
      let verdict: CorrectionVerdict | undefined;
      return audited(
        pool,
        actor,
        'act',
        { event: 'console.submission-resubmitted', recordId: id },
        async () => {
          const actions = submissionActions('resubmitting');
          if (payload === undefined || payload === null)
            throw new ConsoleError('INVALID', 'payload: the corrected payload is required', [
              { field: 'payload', message: 'is required' },
            ]);
          const corrected = parse(SubmissionPayload, payload, 'payload', true);
          const original = await submittedRecord(pool, id);
          if (!original) throw new ConsoleError('NOT_FOUND', `no submission ${id}`);
          const pending = await pendingApproval(pool, id);
          if (pending)
            throw new ConsoleError(
              'REFUSED',
              `${id}: a correction by ${pending.requestedBy} awaits a second officer's approval; approve or refuse it first`,
              { field: 'approval' },
            );
          verdict = judgeCorrection(
            original.payload,
            corrected,
            { bettorRef: original.bettorRef, operationId: original.operationId },
            (iin) => bettorRef(iin, deps.bettorRefKey),
          );
          if (verdict.problems.length) {
            throw new ConsoleError(
              'INVALID',
              `payload: ${verdict.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
              verdict.problems,
            );
          }
          if (!verdict.needsApproval) return actions.resubmit(id, corrected, actor.login);
          if (original.status !== 'REJECTED')
            throw new ConsoleError(
              'REFUSED',
              `only a REJECTED submission can be corrected and resubmitted; ${id} is ${original.status}`,
            );
          const held = await requestApproval(pool, id, corrected, verdict.changes, actor.login);
          if (!held)
            throw new ConsoleError(
              'REFUSED',
              `${id}: another correction awaits a second officer's approval; approve or refuse it first`,
              { field: 'approval' },
            );
          return {
            status: 'AWAITING_APPROVAL',
            submissionId: id,
            approval: { requestedBy: held.requestedBy, requestedAt: held.requestedAt, changes: held.changes },
          };
        },
        () => ({
          result: 'OK',
          details: { changes: verdict?.changes ?? [], awaitingApproval: verdict?.needsApproval ?? false },
        }),
      );
    },

    /** A second officer (not the one who corrected it) sends a held correction through the submission workflow. */
    async approveResubmission(actor: Actor, rawId: string, body: unknown) {
      return decideHeld(actor, rawId, body, 'console.submission-resubmission-approved', async (id, note) => {
        const actions = submissionActions('resubmitting');
        const pending = await pendingApproval(pool, id);
        if (!pending) throw new ConsoleError('NOT_FOUND', `no correction of ${id} awaits approval`);
        if (pending.requestedBy === actor.login) {
          throw new ConsoleError(
            'REFUSED',
            `approver: ${actor.login} corrected ${id} and cannot approve their own correction; a second officer must`,
            { field: 'approver' },
          );
        }
        // The workflow sends a correction once (its id is derived from the chain), so approving twice sends nothing twice.
        const answer = await actions.resubmit(id, pending.payload, pending.requestedBy);
        await decideApproval(pool, pending.approvalId, 'APPROVED', actor.login, note);
        return { pending, answer };
      });
    },

    /** Any officer refuses a held correction (the one who made it withdraws it the same way); the submission stays REJECTED. */
    async refuseResubmission(actor: Actor, rawId: string, body: unknown) {
      return decideHeld(actor, rawId, body, 'console.submission-resubmission-refused', async (id, note) => {
        const pending = await pendingApproval(pool, id);
        if (!pending || !(await decideApproval(pool, pending.approvalId, 'REFUSED', actor.login, note)))
          throw new ConsoleError('NOT_FOUND', `no correction of ${id} awaits approval`);
        const answer = {
          status: 'REFUSED',
          submissionId: id,
          requestedBy: pending.requestedBy,
          refusedBy: actor.login,
        };
        return { pending, answer };
      });
    },

    /** A day's reconciliation: its latest run and every difference (the report the console exports as JSON or CSV). */
    async reconciliationDay(
      actor: Actor,
      rawDay: unknown,
      format: 'json' | 'csv' = 'json',
    ): Promise<ReconciliationDay | string> {
      const day = parse(ListingDate, rawDay, 'day');
      return audited(
        pool,
        actor,
        'read',
        { event: 'console.reconciliation-read', recordId: `reconciliation:${day}`, details: { format } },
        async () => {
          const report = await readReconciliationDay(pool, day);
          return format === 'csv' ? reconciliationCsv(report) : report;
        },
      );
    },

    /** Runs the reconciliation of a day now (its workflow), and answers the day's result. */
    async runReconciliation(actor: Actor, rawDay: unknown): Promise<ReconciliationDay> {
      const day = parse(ListingDate, rawDay, 'day');
      return audited(
        pool,
        actor,
        'act',
        { event: 'console.reconciliation-run', recordId: `reconciliation:${day}` },
        async () => {
          if (!deps.reconcile)
            throw new ConsoleError('UNAVAILABLE', 'running a reconciliation needs Temporal, which is not wired here');
          await deps.reconcile(day);
          return readReconciliationDay(pool, day);
        },
      );
    },

    /** Resolves an open difference with the officer's reason (journalled with it). */
    async resolveDifference(actor: Actor, rawId: string, body: unknown): Promise<ItemDetail> {
      const id = parse(ItemId, rawId, 'id');
      const { reason } = parse(
        z.strictObject({ reason: z.string().trim().min(3, 'say why the difference is resolved').max(1000) }),
        body ?? {},
        'resolution',
      );
      return audited(
        pool,
        actor,
        'act',
        { event: 'console.reconciliation-resolved', recordId: id, details: { inbox: 'reconciliation', reason } },
        async () => {
          const found = await getDifference(pool, id);
          if (!found) throw new ConsoleError('NOT_FOUND', `no reconciliation item ${id}`);
          if (!(await resolveDifference(pool, id, actor.login, reason)))
            throw new ConsoleError('REFUSED', `${id} is already resolved`);
          return (await getDifference(pool, id))!;
        },
      );
    },
  };
}

export type ConsoleService = ReturnType<typeof createConsoleService>;
