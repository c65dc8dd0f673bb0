import { request } from 'undici';
import { ConsoleError, type ConsoleErrorCode } from '../console/audit.js';
import type { Actor } from '../console/auth.js';
import type { ConsoleActions, JournalActions } from '../client/cli-commands.js';

/**
 * The console's actions over its HTTP API, for the CLI: every call carries the token the console issued
 * (`Authorization: Bearer`), and the server decides who acts and with which role. The console's problems
 * (`{"error": {"code", "message", "details"}}`) come back as the ConsoleError they were on the server, so the CLI
 * maps them to its exit codes in one place (cli/main.ts) as it did when the actions ran in-process.
 */
const CODES = new Set<ConsoleErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID',
  'REFUSED',
  'TOO_MANY',
  'UNAVAILABLE',
  'FAILED',
]);
const BY_STATUS: Record<number, ConsoleErrorCode> = {
  400: 'INVALID',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'REFUSED',
  413: 'INVALID',
  429: 'TOO_MANY',
  503: 'UNAVAILABLE',
};

/** An HTTP answer of the console that is not a 2xx, as the ConsoleError it stands for. */
export function problemError(status: number, text: string): ConsoleError {
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const code = body?.error?.code;
  const known =
    typeof code === 'string' && CODES.has(code as ConsoleErrorCode) ? (code as ConsoleErrorCode) : undefined;
  const message =
    typeof body?.error?.message === 'string'
      ? body.error.message
      : `the console answered ${status}: ${text.slice(0, 200)}`;
  return new ConsoleError(known ?? BY_STATUS[status] ?? 'FAILED', message, body?.error?.details);
}

export interface ConsoleConnection {
  url: string;
  /** The bearer token; absent only for the sign-in itself. */
  token?: string;
  /** Extra headers (the sign-in's session cookie). */
  headers?: Record<string, string>;
}

type Query = Record<string, unknown>;

/** One call of the console's API: JSON in, JSON out (or the body's chunks to `write`), a problem thrown. */
export async function consoleCall<T>(
  conn: ConsoleConnection,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; query?: Query; write?: (chunk: string) => void | Promise<void> } = {},
): Promise<{ data: T; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(conn.url + path);
  for (const [k, v] of Object.entries(options.query ?? {}))
    if (typeof v === 'string' && v !== '') url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json', ...conn.headers };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  if (method === 'POST') headers['content-type'] = 'application/json';
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method,
      headers,
      body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined,
    });
  } catch (err) {
    throw new ConsoleError('FAILED', `the console at ${conn.url} cannot be reached: ${(err as Error).message}`);
  }
  if (res.statusCode >= 400) throw problemError(res.statusCode, await res.body.text());
  if (options.write) {
    const decoder = new TextDecoder(); // a character split across two chunks is decoded whole
    for await (const chunk of res.body) await options.write(decoder.decode(chunk as Buffer, { stream: true }));
    const rest = decoder.decode();
    if (rest) await options.write(rest);
    return { data: undefined as T, headers: res.headers };
  }
  const text = await res.body.text();
  return { data: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** A path segment: encoded, and required (an empty one would name another route). */
function seg(value: string, name: string): string {
  if (!value) throw new ConsoleError('INVALID', `${name}: is required`);
  return encodeURIComponent(value);
}

/** The console's actions and journal for client/cli-commands.ts, each one call of the console's API. */
export function remoteConsole(conn: ConsoleConnection): {
  me: () => Promise<Actor & { permissions?: string[]; token?: { tokenId: string; expiresAt: string } }>;
  service: ConsoleActions;
  journal: JournalActions;
} {
  const get = async <T>(path: string, query?: Query) => (await consoleCall<T>(conn, 'GET', path, { query })).data;
  const post = async <T>(path: string, body: unknown = {}) => (await consoleCall<T>(conn, 'POST', path, { body })).data;
  const sub = (id: string) => `/api/submissions/${seg(id, 'submissionId')}`;
  const inc = (id: string) => `/api/incidents/${seg(id, 'incidentId')}`;
  const service: ConsoleActions = {
    // POST …/search: the filters (an IIN among them) travel in the body, never in a URL.
    inbox: (_actor, inbox, filters) => post(`/api/inboxes/${seg(inbox, 'inbox')}/search`, filters),
    item: (_actor, inbox, id) => get(`/api/inboxes/${seg(inbox, 'inbox')}/${seg(id, 'id')}`),
    assign: (_actor, inbox, id, assignee) =>
      post(`/api/inboxes/${seg(inbox, 'inbox')}/${seg(id, 'id')}/assign`, { assignee }),
    retrySubmission: (_actor, id) => post(`${sub(id)}/retry`),
    resubmitSubmission: (_actor, id, payload) => post(`${sub(id)}/resubmit`, { payload }),
    approveResubmission: (_actor, id, body) => post(`${sub(id)}/resubmission/approve`, body),
    refuseResubmission: (_actor, id, body) => post(`${sub(id)}/resubmission/refuse`, body),
    recordWrittenNotice: (_actor, id, body) => post(`${sub(id)}/notices`, body),
    decideReview: (_actor, id, decision) => post(`/api/reviews/${seg(id, 'bettorId')}/decide`, decision),
    openIncident: (_actor, body) => post('/api/incidents', body),
    amendIncident: (_actor, id, patch) => post(`${inc(id)}/amend`, { patch }),
    submitIncident: (_actor, id) => post(`${inc(id)}/submit`),
    closeIncident: (_actor, id, note) => post(`${inc(id)}/close`, note ? { note } : {}),
    runReconciliation: (_actor, day) => post(`/api/reconciliation-days/${seg(String(day ?? ''), 'day')}/run`),
    reconciliationDay: (_actor, day) => get(`/api/reconciliation-days/${seg(String(day ?? ''), 'day')}`),
  };
  const journal: JournalActions = {
    entries: (_actor, query) => get('/api/journal', query as Query),
    verify: (_actor, options = {}) => post('/api/journal/verify', options.anchor === undefined ? {} : options),
    head: () => get('/api/journal/head'),
    availability: () => get('/api/availability'),
    async exportCsv(_actor, range, write) {
      // Streamed as the console reads it; the rows are the CSV's records less its header line.
      let newlines = 0;
      await consoleCall(conn, 'GET', '/api/journal/export', {
        query: range as Query,
        write: async (chunk) => {
          newlines += chunk.split('\n').length - 1;
          await write(chunk);
        },
      });
      return Math.max(0, newlines - 1);
    },
  };
  return { me: () => get('/api/me'), service, journal };
}
