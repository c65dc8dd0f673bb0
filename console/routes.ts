import { once } from 'node:events';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleError } from './audit.js';
import type { Actor } from './auth.js';
import { SECURITY_HEADERS } from './http.js';
import type { JournalService } from './journal-service.js';
import type { ConsoleService } from './service.js';
import { NOTICE_SCAN_MAX_BYTES } from '../domain/submission-notice.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in officer (session cookie or HTTP Basic), set by the console's auth hook. */
    actor?: Actor;
    /** Set when the request came with a CLI token (Authorization: Bearer) rather than a session or a password. */
    cliToken?: { token: string; tokenId: string; expiresAt: string };
  }
}

/**
 * A JSON body. Mutations must be sent as application/json: a cross-site form cannot, so together with the
 * SameSite=Strict session cookie this closes the door to cross-site request forgery.
 */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new ConsoleError('INVALID', 'send the request body as application/json');
  }
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ConsoleError('INVALID', 'body: must be a JSON object');
  return body as Record<string, unknown>;
}

/** Query parameters as a plain object, empty values dropped. */
const query = (request: FastifyRequest) =>
  Object.fromEntries(
    Object.entries((request.query ?? {}) as Record<string, unknown>).filter(
      ([, v]) => typeof v === 'string' && v !== '',
    ),
  ) as Record<string, string>;

type Params = Record<string, string>;
const NOTICE_BODY_LIMIT = Math.ceil((NOTICE_SCAN_MAX_BYTES * 4) / 3) + 64 * 1024;
const actorOf = (request: FastifyRequest) => request.actor!;

/** The console's JSON API: one line per route, each calling the audited service. */
export function registerApiRoutes(app: FastifyInstance, service: ConsoleService, journal: JournalService): void {
  const get = (
    url: string,
    handle: (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => Promise<unknown>,
  ) => app.get(url, handle);
  const post = (
    url: string,
    handle: (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => Promise<unknown>,
  ) => app.post(url, handle);

  get('/api/inboxes/:inbox', async (r) => {
    const q = query(r);
    // A URL ends up in proxies' and browsers' logs: an IIN travels only in a body (POST …/search), here a bettor reference.
    if (q.bettor && !/^[0-9a-f]{64}$/.test(q.bettor))
      throw new ConsoleError(
        'INVALID',
        `bettor: in a query string only a 64-hex bettor reference; send an IIN in the body of POST /api/inboxes/${r.params.inbox}/search`,
      );
    return service.inbox(actorOf(r), r.params.inbox!, q);
  });
  post('/api/inboxes/:inbox/search', async (r) => service.inbox(actorOf(r), r.params.inbox!, jsonBody(r)));
  get('/api/inboxes/:inbox/:id', async (r) => service.item(actorOf(r), r.params.inbox!, r.params.id!));
  post('/api/inboxes/:inbox/:id/assign', async (r) =>
    service.assign(actorOf(r), r.params.inbox!, r.params.id!, String(jsonBody(r).assignee ?? actorOf(r).login)),
  );
  post('/api/incidents', async (r) => {
    const b = jsonBody(r);
    return service.openIncident(actorOf(r), { incidentId: b.incidentId as string | undefined, card: b.card });
  });
  post('/api/incidents/:id/amend', async (r) => service.amendIncident(actorOf(r), r.params.id!, jsonBody(r).patch));
  post('/api/incidents/:id/submit', async (r) => (jsonBody(r), service.submitIncident(actorOf(r), r.params.id!)));
  post('/api/incidents/:id/close', async (r) => {
    const note = jsonBody(r).note;
    return service.closeIncident(actorOf(r), r.params.id!, typeof note === 'string' && note ? note : undefined);
  });
  post('/api/reviews/:id/decide', async (r) => service.decideReview(actorOf(r), r.params.id!, jsonBody(r) as never));
  post('/api/submissions/:id/retry', async (r) => (jsonBody(r), service.retrySubmission(actorOf(r), r.params.id!)));
  // The scan travels base64-encoded in the JSON body: up to 2 MiB decoded, so this route takes up to 3 MB.
  app.post(
    '/api/submissions/:id/notices',
    { bodyLimit: NOTICE_BODY_LIMIT },
    async (r: FastifyRequest<{ Params: Params }>) => service.recordWrittenNotice(actorOf(r), r.params.id!, jsonBody(r)),
  );
  post('/api/submissions/:id/resubmit', async (r) =>
    service.resubmitSubmission(actorOf(r), r.params.id!, jsonBody(r).payload),
  );
  // A correction that changes an amount or a date: a second officer approves or refuses it.
  post('/api/submissions/:id/resubmission/approve', async (r) =>
    service.approveResubmission(actorOf(r), r.params.id!, jsonBody(r)),
  );
  post('/api/submissions/:id/resubmission/refuse', async (r) =>
    service.refuseResubmission(actorOf(r), r.params.id!, jsonBody(r)),
  );

  // Reconciliation (issue 13): resolve a difference; a day's report as JSON, or exported as a CSV or JSON file; run a day now.
  post('/api/reconciliation/:id/resolve', async (r) =>
    service.resolveDifference(actorOf(r), r.params.id!, jsonBody(r)),
  );
  get('/api/reconciliation-days/:day', async (r) => service.reconciliationDay(actorOf(r), r.params.day));
  get('/api/reconciliation-days/:day/export', async (r, reply) => {
    const format = query(r).format === 'json' ? 'json' : 'csv';
    const report = await service.reconciliationDay(actorOf(r), r.params.day, format);
    const day = String(r.params.day);
    reply
      .header('content-disposition', `attachment; filename="reconciliation-${day}.${format}"`)
      .header('cache-control', 'no-store');
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(report);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2));
  });
  post(
    '/api/reconciliation-days/:day/run',
    async (r) => (jsonBody(r), service.runReconciliation(actorOf(r), r.params.day)),
  );

  get('/api/journal', async (r) => journal.entries(actorOf(r), query(r)));
  post('/api/journal/verify', async (r) =>
    journal.verify(actorOf(r), { anchor: (jsonBody(r) as { anchor?: unknown } | undefined)?.anchor }),
  );
  get('/api/journal/head', async (r) => journal.head(actorOf(r)));
  get('/api/journal/export', async (r, reply) => {
    const q = query(r);
    const range = q.day
      ? { day: q.day }
      : q.from || q.to
        ? { from: q.from ?? q.to, to: q.to ?? q.from }
        : { whole: true as const };
    const name = `journal-${q.day ?? (q.from || q.to ? `${q.from ?? q.to}_${q.to ?? q.from}` : 'whole')}.csv`;
    // Streamed as it is read: a whole year's journal never sits in memory. The headers go out with the first
    // chunk, so a refused export (bad range, no permission) is still an ordinary JSON error.
    let started = false;
    const start = () => {
      reply.hijack();
      reply.raw.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      });
      started = true;
    };
    try {
      await journal.exportCsv(actorOf(r), range, async (chunk) => {
        if (!started) start();
        if (!reply.raw.write(chunk)) await once(reply.raw, 'drain');
      });
    } catch (err) {
      if (!started) throw err;
      reply.raw.destroy(err as Error); // the headers are out: cutting the download short is all that is left to say
      return reply;
    }
    if (!started) start();
    reply.raw.end();
    return reply;
  });
  get('/api/availability', async (r) => journal.availability(actorOf(r)));
  post('/api/maintenance', async (r) => journal.addMaintenance(actorOf(r), jsonBody(r)));
  // The Temporal UI's remote codec (https://docs.temporal.io/production-deployment/data-encryption): the UI posts
  // the payloads it shows, with the officer's console session when the UI is configured to include credentials.
  post('/codec/decode', async (r) => {
    const parsed = CodecRequest.safeParse(jsonBody(r));
    if (!parsed.success)
      throw new ConsoleError(
        'INVALID',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      );
    const namespace = String(r.headers['x-namespace'] ?? '').slice(0, 200);
    return { payloads: (await journal.decode(actorOf(r), parsed.data.payloads.map(fromJson), namespace)).map(toJson) };
  });
}

/** Payloads as the Temporal UI's codec protocol carries them: proto3 JSON, bytes in base64. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() });
type JsonPayload = z.infer<typeof JsonPayload>;
const CodecRequest = z.object({ payloads: z.array(JsonPayload).max(1000) });

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}
