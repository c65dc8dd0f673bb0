import { WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from '../db/pool.js';
import { InvalidRequestError, StepRejectedError } from '../client/index.js';
import { can, type Actor, type Permission } from './auth.js';
import { appendJournal } from '../store/journal.js';

/**
 * Every console and CLI action — reading included — goes through `audited`: the role is checked, a change is
 * journalled as requested before it runs, the action runs, and a journal entry records its outcome with the attributes of National Bank resolution No. 116, item 55(11) (start, event, acting user,
 * record id, end, result). A refusal by role or by rule is journalled as REFUSED, a fault as FAILED.
 */
export type ConsoleErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID' | 'REFUSED' | 'TOO_MANY' | 'UNAVAILABLE' | 'FAILED';

const HTTP_STATUS: Record<ConsoleErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID: 400,
  REFUSED: 409,
  TOO_MANY: 429,
  UNAVAILABLE: 503,
  FAILED: 500,
};

export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
    /** For REFUSED: the workflow's failure type (ErrorType); for INVALID: the fields. */
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function toConsoleError(err: unknown): ConsoleError {
  if (err instanceof ConsoleError) return err;
  if (err instanceof InvalidRequestError) return new ConsoleError('INVALID', err.message, err.issues);
  if (err instanceof StepRejectedError) return new ConsoleError('REFUSED', err.message, { type: err.type });
  if (err instanceof WorkflowNotFoundError) return new ConsoleError('NOT_FOUND', err.message);
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown } | undefined;
  // PostgreSQL's data exceptions (class 22: a NUL in a string, a value out of range) come from what was sent.
  if (typeof e?.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code))
    return new ConsoleError('INVALID', 'a value in the request cannot be stored (a NUL character, or out of range)');
  // Fastify's own refusals (a malformed URL or escape, a bad header) are the client's.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return new ConsoleError('INVALID', `the request is malformed: ${String(e.message ?? '').slice(0, 200)}`);
  return new ConsoleError('FAILED', (err as Error)?.message ?? String(err));
}

/** What an officer sees of a 5xx: the code and a plain sentence; the internal text goes to the log only. */
export function publicError(err: ConsoleError): ConsoleError {
  if (err.code !== 'FAILED') return err;
  return new ConsoleError('FAILED', 'the console could not complete this request (the fault is logged)');
}

export interface AuditEntry {
  event: string;
  recordId: string;
  details?: Record<string, unknown>;
}

export async function journalConsole(
  pool: Pool,
  actor: string,
  entry: AuditEntry,
  result: 'OK' | 'REFUSED' | 'FAILED' | 'REQUESTED',
  startedAt: Date,
): Promise<void> {
  await appendJournal(pool, {
    startedAt,
    event: entry.event,
    actor,
    recordId: entry.recordId,
    result,
    details: entry.details,
  });
}

/**
 * Where a failed journal write is raised: one JSON log line at ERROR with `alert: "ConsoleJournalWriteFailed"`
 * (docs/operations.md has the log-based alert rule). Never the entry's details: they may hold an IIN reference.
 */
export type JournalAlert = (line: Record<string, unknown>) => void;
let journalAlert: JournalAlert = (line) => console.error(JSON.stringify(line));
export function setJournalAlert(alert: JournalAlert): JournalAlert {
  const previous = journalAlert;
  journalAlert = alert;
  return previous;
}
const raiseJournalAlert = (phase: 'request' | 'outcome', actor: string, event: string, err: unknown) =>
  journalAlert({
    level: 'ERROR',
    alert: 'ConsoleJournalWriteFailed',
    msg: `the journal refused the ${phase} entry of a console action`,
    phase,
    actor,
    event,
    error: String((err as Error)?.message ?? err).slice(0, 200),
  });

/**
 * `outcome` may turn a completed action's value into its journalled result (a verification that found tampering is FAILED).
 * An action that changes anything (every permission but `read`) is journalled twice: its request before it runs
 * (result REQUESTED) and its outcome after. When the request entry cannot be written the action does not run:
 * no change without its record. A read is journalled once, after it, and its answer is withheld when that fails.
 */
export async function audited<T>(
  pool: Pool,
  actor: Actor,
  permission: Permission,
  entry: AuditEntry,
  run: () => Promise<T>,
  outcome?: (value: T) => { result: 'OK' | 'FAILED'; details?: Record<string, unknown> },
): Promise<T> {
  const startedAt = new Date();
  if (!can(actor, permission)) {
    await journalConsole(
      pool,
      actor.login,
      { ...entry, details: { ...entry.details, refused: `role ${actor.role} lacks ${permission}` } },
      'REFUSED',
      startedAt,
    );
    throw new ConsoleError(
      'FORBIDDEN',
      `${actor.login} is ${actor.role === 'auditor' ? 'an auditor (read-only)' : `an ${actor.role}`}: ${entry.event} needs the "${permission}" permission`,
    );
  }
  const changes = permission !== 'read';
  if (changes) {
    try {
      await journalConsole(
        pool,
        actor.login,
        { ...entry, details: { ...entry.details, phase: 'requested' } },
        'REQUESTED',
        startedAt,
      );
    } catch (err) {
      raiseJournalAlert('request', actor.login, entry.event, err);
      throw new ConsoleError(
        'UNAVAILABLE',
        `the journal cannot record ${entry.event} now, so it was not done: try again later`,
      );
    }
  }
  let value: T;
  try {
    value = await run();
  } catch (err) {
    const error = toConsoleError(err);
    const result = error.status >= 500 ? 'FAILED' : 'REFUSED';
    await journalConsole(
      pool,
      actor.login,
      { ...entry, details: { ...entry.details, error: error.message.slice(0, 500) } },
      result,
      startedAt,
    ).catch((e) => raiseJournalAlert('outcome', actor.login, entry.event, e));
    throw error;
  }
  const described = outcome?.(value);
  try {
    await journalConsole(
      pool,
      actor.login,
      { ...entry, details: { ...entry.details, ...described?.details } },
      described?.result ?? 'OK',
      startedAt,
    );
  } catch (err) {
    raiseJournalAlert('outcome', actor.login, entry.event, err);
    // A change is done and its request is on record: say so rather than pretend it failed. A read is withheld.
    if (!changes)
      throw new ConsoleError('UNAVAILABLE', `the journal cannot record ${entry.event} now: try again later`);
  }
  return value;
}
