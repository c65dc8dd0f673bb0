import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Pool } from '../db/pool.js';
import type { ConsoleConfig } from '../config/console.js';
import { ConsoleError, journalConsole, toConsoleError } from './audit.js';
import { authenticate, basicCredentials, can, issueSession, readSession, type Actor } from './auth.js';
import { cookies, SECURITY_HEADERS, sessionCookie } from './http.js';
import type { JournalService } from './journal-service.js';
import { jsonBody, registerApiRoutes } from './routes.js';
import type { ConsoleService } from './service.js';
import { createReadiness, LIVE, postgresProbe, type Readiness } from '../stack/health.js';

/**
 * The compliance console: one static page (console/static) and a JSON API, on Fastify like the bookmaker API.
 * Officers sign in with the credentials configured in CONSOLE_USERS; the session is an HMAC-signed cookie
 * (HttpOnly, SameSite=Strict). Scripts may use HTTP Basic instead. Sign-ins, good and bad, are journalled.
 */
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const STATIC: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/card.js': 'card.js', '/dom.js': 'dom.js', '/views.js': 'views.js', '/style.css': 'style.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const COOKIE = 'esu_console';
const MAX_BODY_BYTES = 1 << 20;

/** After this many failed sign-ins a login waits out the lock (per login, in this process). */
const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60_000;

export interface ConsoleServerDeps {
  pool: Pool;
  config: ConsoleConfig;
  service: ConsoleService;
  journal: JournalService;
  /** What /readyz checks; PostgreSQL alone when not given. */
  readiness?: Readiness;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

export async function startConsoleServer({ pool, config, service, journal, readiness = createReadiness({ postgresql: postgresProbe(pool) }) }: ConsoleServerDeps, listen = { host: config.host, port: config.port }): Promise<RunningConsole> {
  const files = Object.fromEntries(await Promise.all(Object.entries(STATIC).map(async ([path, file]) => [path, await readFile(STATIC_DIR + file)] as const)));
  const failures = new Map<string, { count: number; until: number }>();

  function actorOf(request: FastifyRequest): Actor | undefined {
    const token = cookies(request.raw)[COOKIE];
    if (token) return readSession(token, config.sessionSecret, config.users);
    const basic = basicCredentials(request.headers.authorization);
    return basic ? signIn(basic.login, basic.password) : undefined;
  }

  function signIn(login: string, password: string): Actor | undefined {
    const record = failures.get(login);
    if (record && record.count >= MAX_FAILURES && record.until > Date.now()) return undefined;
    const actor = authenticate(config.users, login, password);
    if (actor) failures.delete(login);
    else failures.set(login, { count: (record && record.until > Date.now() ? record.count : 0) + 1, until: Date.now() + LOCK_MS });
    return actor;
  }

  function corsHeaders(request: FastifyRequest): Record<string, string> {
    const origin = request.headers.origin;
    if (!config.codecCorsOrigin || origin !== config.codecCorsOrigin) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type, x-namespace, authorization',
      'access-control-allow-methods': 'POST, OPTIONS',
    };
  }

  const sendError = (reply: FastifyReply, err: ConsoleError) =>
    reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });

  const app = Fastify({ bodyLimit: MAX_BODY_BYTES, logger: false });
  // JSON of any shape (an empty body is {}); other media types reach the route unparsed, which refuses them
  // itself (jsonBody) with the console's own error rather than a bare 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, text ? JSON.parse(String(text)) : {});
    } catch {
      done(new ConsoleError('INVALID', 'the request body is not JSON'), undefined);
    }
  });
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  // Every route but the page, health, sign-in and the codec's preflight needs a signed-in officer.
  app.addHook('preHandler', async (request, reply) => {
    if (request.url.startsWith('/codec/decode')) for (const [name, value] of Object.entries(corsHeaders(request))) reply.header(name, value);
    if (request.routeOptions.config && (request.routeOptions.config as { public?: boolean }).public) return;
    const actor = actorOf(request);
    if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'sign in first');
    request.actor = actor;
  });
  app.setErrorHandler((err, _request, reply) => {
    const code = (err as { code?: string }).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new ConsoleError('INVALID', 'the request body is larger than 1 MB'));
    return sendError(reply, toConsoleError(err));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = actorOf(request) ? new ConsoleError('NOT_FOUND', `${request.method} ${request.url.split('?')[0]} is not a console route`) : new ConsoleError('UNAUTHENTICATED', 'sign in first');
    return sendError(reply, error);
  });

  const open = { config: { public: true } };
  for (const [path, file] of Object.entries(STATIC)) {
    const type = TYPES[file.split('.').pop()!]!;
    app.get(path, open, async (_request, reply) => reply.header('content-type', type).header('cache-control', 'no-cache').send(files[path]));
  }
  app.get('/health', open, async () => ({ status: 'UP' }));
  app.get('/healthz', open, async () => LIVE);
  app.get('/readyz', open, async (_request, reply) => {
    const report = await readiness();
    return reply.code(report.status === 'READY' ? 200 : 503).send(report);
  });
  app.options('/codec/decode', open, async (request, reply) => reply.headers(corsHeaders(request)).code(204).send());

  app.post('/api/login', open, async (request, reply) => {
    const startedAt = new Date();
    const body = jsonBody(request) as { login?: unknown; password?: unknown };
    const login = typeof body.login === 'string' ? body.login.slice(0, 64) : '';
    const actor = signIn(login, typeof body.password === 'string' ? body.password : '');
    await journalConsole(pool, login || '(none)', { event: 'console.signed-in', recordId: `user:${login}` }, actor ? 'OK' : 'REFUSED', startedAt);
    if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'wrong login or password (or too many attempts: wait 15 minutes)');
    const token = issueSession(actor, config.sessionSecret, config.sessionTtlMs);
    return reply.header('set-cookie', sessionCookie(COOKIE, token, Math.floor(config.sessionTtlMs / 1000), config.cookieSecure)).send({ login: actor.login, role: actor.role });
  });
  app.post('/api/logout', async (request, reply) => {
    const actor = request.actor!;
    await journalConsole(pool, actor.login, { event: 'console.signed-out', recordId: `user:${actor.login}` }, 'OK', new Date());
    return reply.header('set-cookie', sessionCookie(COOKIE, '', 0, config.cookieSecure)).send({});
  });
  app.get('/api/me', async (request) => {
    const actor = request.actor!;
    const permissions = (['read', 'act', 'assign-others', 'maintenance', 'decode-payloads'] as const).filter((p) => can(actor, p));
    return { ...actor, permissions, users: service.users(actor), utcOffset: config.utcOffset };
  });
  registerApiRoutes(app, service, journal);

  await app.listen(listen);
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${listen.host}:${port}`, close: () => app.close() };
}
