import { once } from 'node:events';
import type http from 'node:http';
import type { Payload } from '@temporalio/common';
import { ConsoleError } from './audit.js';
import type { Actor } from './auth.js';
import { queryObject, readJson, sendJson, SECURITY_HEADERS } from './http.js';
import type { JournalService } from './journal-service.js';
import type { ConsoleService } from './service.js';

/** The console's JSON API: one line per route, each calling the audited service. */
export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: Record<string, string>;
  actor: Actor;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  names: string[];
  handle(ctx: RouteContext): Promise<void>;
}

function route(method: ApiRoute['method'], path: string, handle: ApiRoute['handle']): ApiRoute {
  const names: string[] = [];
  const pattern = new RegExp('^' + path.replace(/:([a-zA-Z]+)/g, (_, n: string) => (names.push(n), '([^/]+)')) + '$');
  return { method, pattern, names, handle };
}

const body = async (req: http.IncomingMessage) => (await readJson(req)) as Record<string, unknown>;

export function apiRoutes(service: ConsoleService, journal: JournalService): ApiRoute[] {
  const ok = (res: http.ServerResponse, value: unknown) => sendJson(res, 200, value);
  return [
    route('GET', '/api/inboxes/:inbox', async ({ res, url, params, actor }) => ok(res, await service.inbox(actor, params.inbox!, queryObject(url)))),
    route('GET', '/api/inboxes/:inbox/:id', async ({ res, params, actor }) => ok(res, await service.item(actor, params.inbox!, params.id!))),
    route('POST', '/api/inboxes/:inbox/:id/assign', async ({ req, res, params, actor }) =>
      ok(res, await service.assign(actor, params.inbox!, params.id!, String((await body(req)).assignee ?? actor.login))),
    ),
    route('POST', '/api/incidents', async ({ req, res, actor }) => {
      const b = await body(req);
      ok(res, await service.openIncident(actor, { incidentId: b.incidentId as string | undefined, card: b.card }));
    }),
    route('POST', '/api/incidents/:id/amend', async ({ req, res, params, actor }) => ok(res, await service.amendIncident(actor, params.id!, (await body(req)).patch))),
    route('POST', '/api/incidents/:id/submit', async ({ req, res, params, actor }) => (await body(req), ok(res, await service.submitIncident(actor, params.id!)))),
    route('POST', '/api/incidents/:id/close', async ({ req, res, params, actor }) => {
      const note = (await body(req)).note;
      ok(res, await service.closeIncident(actor, params.id!, typeof note === 'string' && note ? note : undefined));
    }),
    route('POST', '/api/reviews/:id/decide', async ({ req, res, params, actor }) => ok(res, await service.decideReview(actor, params.id!, (await body(req)) as never))),
    route('POST', '/api/submissions/:id/retry', async ({ req, res, params, actor }) => (await body(req), ok(res, await service.retrySubmission(actor, params.id!)))),
    route('POST', '/api/submissions/:id/resubmit', async ({ req, res, params, actor }) => ok(res, await service.resubmitSubmission(actor, params.id!, (await body(req)).payload))),

    route('GET', '/api/journal', async ({ res, url, actor }) => ok(res, await journal.entries(actor, queryObject(url)))),
    route('POST', '/api/journal/verify', async ({ req, res, actor }) => (await body(req), ok(res, await journal.verify(actor)))),
    route('GET', '/api/journal/export', async ({ res, url, actor }) => {
      const q = queryObject(url);
      const range = q.day ? { day: q.day } : q.from || q.to ? { from: q.from ?? q.to, to: q.to ?? q.from } : { whole: true as const };
      const name = `journal-${q.day ?? (q.from || q.to ? `${q.from ?? q.to}_${q.to ?? q.from}` : 'whole')}.csv`;
      let started = false;
      await journal.exportCsv(actor, range, async (chunk) => {
        if (!started) {
          res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });
          started = true;
        }
        if (!res.write(chunk)) await once(res, 'drain');
      });
      res.end();
    }),
    route('GET', '/api/availability', async ({ res, actor }) => ok(res, await journal.availability(actor))),
    route('POST', '/api/maintenance', async ({ req, res, actor }) => ok(res, await journal.addMaintenance(actor, await body(req)))),
    route('POST', '/codec/decode', async ({ req, res, actor }) => {
      const { payloads } = (await body(req)) as { payloads?: JsonPayload[] };
      if (!Array.isArray(payloads)) throw new ConsoleError('INVALID', 'expected { payloads: [...] }');
      ok(res, { payloads: (await journal.decode(actor, payloads.map(fromJson))).map(toJson) });
    }),
  ];
}

/** Payloads as the Temporal UI's codec protocol carries them: proto3 JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}
