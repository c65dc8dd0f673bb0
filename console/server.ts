import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Pool } from '../db/pool.js';
import type { ConsoleConfig } from '../config/console.js';
import { ConsoleError, journalConsole, toConsoleError } from './audit.js';
import { authenticate, basicCredentials, can, issueSession, readSession, type Actor } from './auth.js';
import { cookies, readJson, SECURITY_HEADERS, sendError, sendJson, sessionCookie } from './http.js';
import type { JournalService } from './journal-service.js';
import { apiRoutes } from './routes.js';
import type { ConsoleService } from './service.js';

/**
 * The compliance console: one static page (console/static) and a JSON API on node:http. Officers sign in
 * with the credentials configured in CONSOLE_USERS; the session is an HMAC-signed cookie (HttpOnly,
 * SameSite=Strict). Scripts may use HTTP Basic instead. Sign-ins, good and bad, are journalled.
 */
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const STATIC: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/card.js': 'card.js', '/dom.js': 'dom.js', '/views.js': 'views.js', '/style.css': 'style.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const COOKIE = 'esu_console';

/** After this many failed sign-ins a login waits out the lock (per login, in this process). */
const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60_000;

export interface ConsoleServerDeps {
  pool: Pool;
  config: ConsoleConfig;
  service: ConsoleService;
  journal: JournalService;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

export async function startConsoleServer({ pool, config, service, journal }: ConsoleServerDeps, listen = { host: config.host, port: config.port }): Promise<RunningConsole> {
  const files = Object.fromEntries(await Promise.all(Object.entries(STATIC).map(async ([path, file]) => [path, await readFile(STATIC_DIR + file)] as const)));
  const routes = apiRoutes(service, journal);
  const failures = new Map<string, { count: number; until: number }>();

  function actorOf(req: http.IncomingMessage): Actor | undefined {
    const token = cookies(req)[COOKIE];
    if (token) return readSession(token, config.sessionSecret, config.users);
    const basic = basicCredentials(req.headers.authorization);
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

  function corsHeaders(req: http.IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!config.codecCorsOrigin || origin !== config.codecCorsOrigin) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type, x-namespace, authorization',
      'access-control-allow-methods': 'POST, OPTIONS',
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const method = req.method ?? 'GET';
    if (method === 'GET' && files[url.pathname]) {
      const ext = STATIC[url.pathname]!.split('.').pop()!;
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': TYPES[ext]!, 'cache-control': 'no-cache' });
      res.end(files[url.pathname]);
      return;
    }
    if (method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { status: 'UP' });
    if (method === 'OPTIONS' && url.pathname === '/codec/decode') {
      res.writeHead(204, corsHeaders(req)).end();
      return;
    }
    if (method === 'POST' && url.pathname === '/api/login') {
      const startedAt = new Date();
      const body = (await readJson(req)) as { login?: unknown; password?: unknown };
      const login = typeof body.login === 'string' ? body.login.slice(0, 64) : '';
      const actor = signIn(login, typeof body.password === 'string' ? body.password : '');
      await journalConsole(pool, login || '(none)', { event: 'console.signed-in', recordId: `user:${login}` }, actor ? 'OK' : 'REFUSED', startedAt);
      if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'wrong login or password (or too many attempts: wait 15 minutes)');
      const token = issueSession(actor, config.sessionSecret, config.sessionTtlMs);
      return sendJson(res, 200, { login: actor.login, role: actor.role }, { 'set-cookie': sessionCookie(COOKIE, token, Math.floor(config.sessionTtlMs / 1000), config.cookieSecure) });
    }
    const actor = actorOf(req);
    if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'sign in first');
    if (method === 'POST' && url.pathname === '/api/logout') {
      await journalConsole(pool, actor.login, { event: 'console.signed-out', recordId: `user:${actor.login}` }, 'OK', new Date());
      return sendJson(res, 200, {}, { 'set-cookie': sessionCookie(COOKIE, '', 0, config.cookieSecure) });
    }
    if (method === 'GET' && url.pathname === '/api/me') {
      const permissions = (['read', 'act', 'assign-others', 'maintenance', 'decode-payloads'] as const).filter((p) => can(actor, p));
      return sendJson(res, 200, { ...actor, permissions, users: service.users(actor), utcOffset: config.utcOffset });
    }
    for (const r of routes) {
      const match = r.method === method ? r.pattern.exec(url.pathname) : null;
      if (!match) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
      if (url.pathname === '/codec/decode') for (const [k, v] of Object.entries(corsHeaders(req))) res.setHeader(k, v);
      return r.handle({ req, res, url, params, actor });
    }
    throw new ConsoleError('NOT_FOUND', `${method} ${url.pathname} is not a console route`);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) return void res.destroy(err as Error);
      sendError(res, toConsoleError(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
