import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { SecureVersion } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER, type CounterpartErrorBody } from '../domain/wire/common.js';

/**
 * The building block every simulated counterpart shares: API-key check, JSON bodies validated with the
 * same zod schemas the connectors use, idempotency (same key + same body → the stored answer, replayed;
 * same key + other body → 409), faults injected by tests through `/__admin/faults`, latency, and
 * counters of applied mutations so tests can prove "exactly once".
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: CounterpartErrorBody['error']['details'],
  ) {
    super(message);
  }
}

export interface RouteContext {
  params: Record<string, string>;
  /** The query string's parameters (the last value of a repeated one). */
  query: Record<string, string>;
  body: unknown;
  idempotencyKey?: string;
  /** Counts one applied mutation for `key` (GET /__admin/stats). */
  applied(key: string): void;
}

/** What a route answers: a status and a JSON body (none when undefined). */
export interface Answer {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Mutations need an Idempotency-Key and are replayed from the store. */
  idempotent?: boolean;
  handle(ctx: RouteContext): Promise<Answer> | Answer;
}

export const FaultRule = z.object({
  match: z
    .object({ method: z.string().optional(), pathPrefix: z.string().optional(), key: z.string().optional() })
    .default({}),
  kind: z.enum(['error', 'reject', 'delay', 'apply-then-error']),
  status: z.number().int().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  delayMs: z.number().int().nonnegative().optional(),
  /** How many matching requests it hits; 0 = every one. */
  times: z.number().int().nonnegative().default(1),
});
export type FaultRule = z.infer<typeof FaultRule>;

export interface CounterpartServerOptions {
  name: string;
  apiKey: string;
  routes: Route[];
  /** Test-only routes under /__admin (no API key). */
  adminRoutes?: Route[];
  latencyMs?: { min: number; max: number };
  onReset?: () => void;
}

interface StoredAnswer {
  bodyHash: string;
  status: number;
  body: unknown;
}

/**
 * HTTPS instead of plain HTTP, as a real counterpart serves it (the ESU integration plan, item 10; ЦОИД rules
 * §§18–20): the server's certificate and key, and, when `clientCa` is given, mutual TLS: a client certificate
 * signed by that CA is required and anything else is refused in the handshake. TLS 1.2 at least unless a test
 * asks for an older server (`maxVersion`/`minVersion`).
 */
export interface SimulatorTls {
  cert: string | Buffer;
  key: string | Buffer;
  clientCa?: string | Buffer;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

export interface CounterpartServer {
  url: string;
  server: http.Server | https.Server;
  close(): Promise<void>;
}

/** Validates with a schema, answering 400 INVALID_REQUEST with each bad field named (National Bank resolution No. 116 §55.3). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      code: issue.code,
      message: issue.message,
    }));
    throw new HttpError(400, 'INVALID_REQUEST', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  return parsed.data;
}

/** A mutation keyed by an id of its body: the Idempotency-Key must be that id (400 naming the field otherwise). */
export function requireKeyIs(field: string, idempotencyKey: string | undefined, id: string): void {
  if (idempotencyKey === id) return;
  throw new HttpError(400, 'INVALID_REQUEST', `${IDEMPOTENCY_KEY_HEADER} must equal ${field}`, [
    { field, code: 'mismatch', message: `must equal the ${IDEMPOTENCY_KEY_HEADER} header` },
  ]);
}

/** The record the request names, or 404 NOT_FOUND with `message`. */
export function found<T>(record: T | undefined, message: string): T {
  if (record === undefined) throw new HttpError(404, 'NOT_FOUND', message);
  return record;
}

/** A GET answered 200 with what `answer` reads for the request (a `found` in it answers 404). */
export function reading(path: string, answer: (ctx: RouteContext) => unknown): Route {
  return { method: 'GET', path, handle: (ctx) => ({ status: 200, body: answer(ctx) }) };
}

/** An idempotent POST whose body `schema` checks first (400 naming each bad field), then `handle` answers. */
export function mutation<T>(
  path: string,
  schema: z.ZodType<T>,
  handle: (request: T, ctx: RouteContext) => Promise<Answer> | Answer,
): Route {
  return { method: 'POST', path, idempotent: true, handle: (ctx) => handle(parseBody(schema, ctx.body), ctx) };
}

/** A test-only route that takes a setting (a rule, a wallet, a person), keeps it and answers it (201). */
export function settingRoute<T>(path: string, schema: z.ZodType<T>, keep: (setting: T) => void): Route {
  return {
    method: 'POST',
    path,
    handle: ({ body }) => {
      const setting = parseBody(schema, body);
      keep(setting);
      return { status: 201, body: setting };
    },
  };
}

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const regex = new RegExp(
    '^' + path.replace(/:([A-Za-z]+)/g, (_, name: string) => (names.push(name), '([^/]+)')) + '$',
  );
  return { regex, names };
}

function errorBody(
  code: string,
  message: string,
  details?: CounterpartErrorBody['error']['details'],
): CounterpartErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

const MAX_BODY_BYTES = 1 << 20;

export async function startCounterpartServer(
  options: CounterpartServerOptions,
  listen: { host: string; port: number; tls?: SimulatorTls },
): Promise<CounterpartServer> {
  const idempotency = new Map<string, StoredAnswer>();
  let faults: (FaultRule & { hits: number })[] = [];
  const requests = new Map<string, number>();
  const applied = new Map<string, number>();
  /** When each counterpart request (not admin, not probes) arrived, epoch ms, the latest 10 000: rate-limit tests count them. */
  const arrivals: number[] = [];

  const adminRoutes: Route[] = [
    {
      method: 'GET',
      path: '/health',
      handle: () => ({ status: 200, body: { status: 'UP', counterpart: options.name } }),
    },
    // The same probes as every esu-bridge process; a simulator depends on nothing, so it is ready once it listens.
    { method: 'GET', path: '/healthz', handle: () => ({ status: 200, body: { status: 'UP' } }) },
    { method: 'GET', path: '/readyz', handle: () => ({ status: 200, body: { status: 'READY', checks: {} } }) },
    settingRoute('/__admin/faults', FaultRule, (rule) => faults.push({ ...rule, hits: 0 })),
    { method: 'DELETE', path: '/__admin/faults', handle: () => ((faults = []), { status: 204, body: undefined }) },
    {
      method: 'GET',
      path: '/__admin/stats',
      handle: () => ({
        status: 200,
        body: { requests: Object.fromEntries(requests), applied: Object.fromEntries(applied), arrivals },
      }),
    },
    {
      method: 'POST',
      path: '/__admin/reset',
      handle: () => {
        idempotency.clear();
        faults = [];
        requests.clear();
        applied.clear();
        arrivals.length = 0;
        options.onReset?.();
        return { status: 204, body: undefined };
      },
    },
    ...(options.adminRoutes ?? []),
  ];
  const compiled = [
    ...adminRoutes.map((r) => ({ ...r, admin: true })),
    ...options.routes.map((r) => ({ ...r, admin: false })),
  ].map((route) => ({ route, ...compile(route.path) }));

  function takeFault(method: string, path: string, keys: string[]): FaultRule | undefined {
    for (const fault of faults) {
      const { match } = fault;
      if (match.method && match.method !== method) continue;
      if (match.pathPrefix && !path.startsWith(match.pathPrefix)) continue;
      if (match.key && !keys.includes(match.key)) continue;
      if (fault.times !== 0 && fault.hits >= fault.times) continue;
      fault.hits += 1;
      return fault;
    }
    return undefined;
  }

  async function handle(req: http.IncomingMessage, raw: string): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const found = compiled
      .map((c) => ({ ...c, m: c.regex.exec(url.pathname) }))
      .find((c) => c.m && c.route.method === method);
    if (!found) return { status: 404, body: errorBody('NOT_FOUND', `${method} ${url.pathname} is not a route`) };
    const { route } = found;
    const params = Object.fromEntries(found.names.map((name, i) => [name, decodeURIComponent(found.m![i + 1]!)]));
    const routeKey = `${method} ${route.path}`;
    requests.set(routeKey, (requests.get(routeKey) ?? 0) + 1);
    if (!route.path.startsWith('/__admin') && !['/health', '/healthz', '/readyz'].includes(route.path)) {
      arrivals.push(Date.now());
      if (arrivals.length > 10_000) arrivals.shift();
    }

    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return { status: 400, body: errorBody('INVALID_REQUEST', 'body is not JSON') };
    }
    const ctx: RouteContext = {
      params,
      query: Object.fromEntries(url.searchParams),
      body,
      idempotencyKey: req.headers[IDEMPOTENCY_KEY_HEADER] as string | undefined,
      applied: (key) => applied.set(key, (applied.get(key) ?? 0) + 1),
    };
    if (found.route.admin) return route.handle(ctx);

    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return { status: 401, body: errorBody('UNAUTHENTICATED', 'missing or wrong API key') };
    }
    const bodyIds =
      body && typeof body === 'object'
        ? ['operationId', 'transferId', 'messageId', 'submissionId'].map((k) => (body as Record<string, unknown>)[k])
        : [];
    const keys = [ctx.idempotencyKey, ...Object.values(params), ...bodyIds].filter(
      (k): k is string => typeof k === 'string',
    );
    const headerFault = req.headers['x-sim-fault'] as string | undefined;
    const fault = headerFault
      ? FaultRule.parse({ kind: headerFault.split(':')[0], code: headerFault.split(':')[1] })
      : takeFault(method, url.pathname, keys);

    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    if (fault?.kind === 'error') {
      return {
        status: fault.status ?? 503,
        body: errorBody(fault.code ?? 'UNAVAILABLE', fault.message ?? 'simulated outage'),
      };
    }
    if (fault?.kind === 'reject') {
      return {
        status: fault.status ?? 422,
        body: errorBody(fault.code ?? 'REJECTED', fault.message ?? 'simulated refusal'),
      };
    }

    let answer: { status: number; body: unknown };
    if (route.idempotent) {
      if (!ctx.idempotencyKey) {
        return {
          status: 400,
          body: errorBody('INVALID_REQUEST', `${IDEMPOTENCY_KEY_HEADER} header is required`, [
            { field: IDEMPOTENCY_KEY_HEADER, code: 'required', message: 'is required' },
          ]),
        };
      }
      const storeKey = `${routeKey}|${ctx.idempotencyKey}`;
      const bodyHash = createHash('sha256').update(raw).digest('hex');
      const stored = idempotency.get(storeKey);
      if (stored && stored.bodyHash !== bodyHash) {
        return {
          status: 409,
          body: errorBody('IDEMPOTENCY_CONFLICT', `idempotency key ${ctx.idempotencyKey} was used with another body`),
        };
      }
      if (stored) {
        answer = { status: stored.status, body: stored.body };
      } else {
        answer = await route.handle(ctx);
        // Refusals are answers too; only outages are not stored (a retry may succeed).
        if (answer.status < 500) idempotency.set(storeKey, { bodyHash, status: answer.status, body: answer.body });
      }
    } else {
      answer = await route.handle(ctx);
    }
    if (fault?.kind === 'apply-then-error') {
      return {
        status: fault.status ?? 503,
        body: errorBody(fault.code ?? 'UNAVAILABLE', 'simulated lost answer (the operation was applied)'),
      };
    }
    return answer;
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', async () => {
      const latency = options.latencyMs;
      if (latency && latency.max > 0)
        await new Promise((r) => setTimeout(r, latency.min + Math.random() * (latency.max - latency.min)));
      let answer: { status: number; body: unknown };
      try {
        answer = await handle(req, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        answer =
          err instanceof HttpError
            ? { status: err.status, body: errorBody(err.code, err.message, err.details) }
            : { status: 500, body: errorBody('INTERNAL', (err as Error).message) };
      }
      if (answer.body === undefined) {
        res.writeHead(answer.status).end();
      } else {
        const text = JSON.stringify(answer.body);
        res
          .writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
          .end(text);
      }
    });
  };
  const { tls } = listen;
  const server = tls
    ? https.createServer(
        {
          cert: tls.cert,
          key: tls.key,
          minVersion: tls.minVersion ?? 'TLSv1.2',
          ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
          ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        onRequest,
      )
    : http.createServer(onRequest);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://${listen.host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
