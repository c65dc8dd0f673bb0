import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Pool } from '../db/pool.js';
import type { ConsoleConfig } from '../config/console.js';
import { z } from 'zod';
import { safeMessage, type LogLine } from '../db/pool.js';
import { ConsoleError, journalConsole, publicError, toConsoleError } from './audit.js';
import { basicCredentials, can, createAuthenticator, TooManySignIns, type Actor } from './auth.js';
import { bearerToken, CLI_TOKEN, createCliTokenStore, TOKEN_REFUSALS } from './cli-tokens.js';
import { createSessionStore } from './sessions.js';
import { createSignInThrottle } from './sign-in-throttle.js';
import { cookies, SECURITY_HEADERS, sessionCookie } from './http.js';
import type { JournalService } from './journal-service.js';
import { jsonBody, registerApiRoutes } from './routes.js';
import type { ConsoleService } from './service.js';
import { createReadiness, LIVE, postgresProbe, type Readiness } from '../stack/health.js';

/**
 * The compliance console: one static page (console/static) and a JSON API, on Fastify like the bookmaker API.
 * Officers sign in with the credentials configured in CONSOLE_USERS; the session is a random token in a cookie
 * (HttpOnly, SameSite=Strict) naming a server-side session (console/sessions.ts). Scripts may use HTTP Basic
 * instead, and the CLI a token the console issued to a signed-in officer (`Authorization: Bearer`, console/cli-tokens.ts).
 * Every sign-in attempt, good and bad, by form, by Basic or by token, is journalled (never the password or token).
 */
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/card.js': 'card.js',
  '/dom.js': 'dom.js',
  '/views.js': 'views.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const COOKIE = 'esu_console';
const MAX_BODY_BYTES = 1 << 20;

/** A login as CONSOLE_USERS allows it (config/console.ts); anything else is refused before any lookup. */
const LoginBody = z.object({
  login: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'must be 1–64 of a-z 0-9 . _ -'),
  password: z.string().min(1, 'is required').max(1024),
});
const stdoutLine: LogLine = (line) => console.log(JSON.stringify(line));

export interface ConsoleServerDeps {
  pool: Pool;
  config: ConsoleConfig;
  service: ConsoleService;
  journal: JournalService;
  /** What /readyz checks; PostgreSQL alone when not given. */
  readiness?: Readiness;
  log?: LogLine;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

export async function startConsoleServer(
  {
    pool,
    config,
    service,
    journal,
    readiness = createReadiness({ postgresql: postgresProbe(pool) }),
    log = stdoutLine,
  }: ConsoleServerDeps,
  listen = { host: config.host, port: config.port },
): Promise<RunningConsole> {
  const files = Object.fromEntries(
    await Promise.all(
      Object.entries(STATIC).map(async ([path, file]) => [path, await readFile(STATIC_DIR + file)] as const),
    ),
  );
  const authenticator = createAuthenticator(() => config.users);
  const sessions = createSessionStore(
    pool,
    { idleMs: config.sessionIdleMs, absoluteMs: config.sessionTtlMs },
    () => config.users,
  );
  const throttle = createSignInThrottle();
  const cliTokens = createCliTokenStore(pool, config.cliTokenTtlMs, () => config.users);

  async function actorOf(request: FastifyRequest): Promise<Actor | undefined> {
    const bearer = bearerToken(request.headers.authorization);
    const token = cookies(request.raw)[COOKIE];
    // A bearer that is not one of ours beside a session cookie (the Temporal UI passing its own access token to
    // /codec/decode) leaves the session to speak; otherwise a bearer is a CLI token, good or bad.
    if (bearer !== undefined && (CLI_TOKEN.test(bearer) || !token)) return tokenActor(request, bearer);
    if (token) return sessions.read(token);
    const basic = basicCredentials(request.headers.authorization);
    return basic ? signIn(request, basic.login, basic.password, 'basic') : undefined;
  }

  /** One sign-in attempt: throttled, verified off the event loop, journalled whatever its outcome. */
  async function signIn(
    request: FastifyRequest,
    login: string,
    password: string,
    method: 'password' | 'basic',
  ): Promise<Actor | undefined> {
    const startedAt = new Date();
    const address = request.ip;
    const recordId = `user:${/^[a-z0-9._-]{1,64}$/.test(login) ? login : '(invalid login)'}`;
    const actorName = recordId.slice(5);
    const waitMs = throttle.waitMs(address, actorName);
    if (waitMs > 0) {
      await journalConsole(
        pool,
        actorName,
        { event: 'console.signed-in', recordId, details: { method, address, refused: 'backoff' } },
        'REFUSED',
        startedAt,
      );
      throw new ConsoleError('TOO_MANY', `too many failed sign-ins: wait ${Math.ceil(waitMs / 1000)} s`, {
        retryAfterSeconds: Math.ceil(waitMs / 1000),
      });
    }
    let actor: Actor | undefined;
    try {
      actor = recordId === `user:${login}` ? await authenticator.authenticate(login, password) : undefined;
    } catch (err) {
      if (err instanceof TooManySignIns) throw new ConsoleError('TOO_MANY', err.message, { retryAfterSeconds: 1 });
      throw err;
    }
    if (actor) throttle.succeeded(address, actorName);
    else throttle.failed(address, actorName);
    await journalConsole(
      pool,
      actorName,
      { event: 'console.signed-in', recordId, details: { method, address } },
      actor ? 'OK' : 'REFUSED',
      startedAt,
    );
    return actor;
  }

  /**
   * A CLI token. A bad one (unknown, expired, revoked) counts as a failed sign-in in the sign-ins' throttle (per
   * address, and per login once the token names one), is journalled as one, and is answered 401 naming why; while
   * that address is held back, bad tokens get 429. A good token is never held back.
   */
  async function tokenActor(request: FastifyRequest, token: string): Promise<Actor> {
    const startedAt = new Date();
    const address = request.ip;
    const checked = await cliTokens.check(token);
    if (checked.ok) {
      request.cliToken = { token, tokenId: checked.tokenId, expiresAt: checked.expiresAt };
      return checked.actor;
    }
    const actorName = checked.login ?? '(token)';
    const waitMs = throttle.waitMs(address, actorName);
    const details = {
      method: 'token',
      address,
      refused: waitMs > 0 ? 'backoff' : checked.refused,
      ...(checked.tokenId ? { tokenId: checked.tokenId } : {}),
    };
    if (waitMs <= 0) throttle.failed(address, actorName);
    await journalConsole(
      pool,
      actorName,
      { event: 'console.signed-in', recordId: `user:${actorName}`, details },
      'REFUSED',
      startedAt,
    );
    if (waitMs > 0)
      throw new ConsoleError('TOO_MANY', `too many failed sign-ins: wait ${Math.ceil(waitMs / 1000)} s`, {
        retryAfterSeconds: Math.ceil(waitMs / 1000),
      });
    throw new ConsoleError('UNAUTHENTICATED', `${TOKEN_REFUSALS[checked.refused]}: sign in again (esu-bridge login)`, {
      reason: checked.refused,
    });
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

  const sendError = (reply: FastifyReply, raw: ConsoleError) => {
    const err = publicError(raw);
    if (err.code === 'TOO_MANY')
      reply.header('retry-after', String((err.details as { retryAfterSeconds: number }).retryAfterSeconds));
    return reply
      .code(err.status)
      .send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
  };

  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    logger: false,
    // A URL Fastify cannot decode (a broken %-escape) gets the console's error shape, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .header('content-type', 'application/json; charset=utf-8')
        .send({
          error: { code: 'INVALID', message: `the request's URL is malformed: ${error.message.slice(0, 200)}` },
        });
    },
  });
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
    if (request.url.startsWith('/codec/decode'))
      for (const [name, value] of Object.entries(corsHeaders(request))) reply.header(name, value);
    // State changes come as JSON only: a cross-site form cannot send it (with SameSite=Strict, the CSRF guard); nor
    // can it send a CLI token in a header.
    if (
      request.method === 'POST' &&
      !CLI_TOKEN.test(bearerToken(request.headers.authorization) ?? '') &&
      !String(request.headers['content-type'] ?? '').startsWith('application/json')
    ) {
      throw new ConsoleError('INVALID', 'send the request body as application/json');
    }
    if (request.routeOptions.config && (request.routeOptions.config as { public?: boolean }).public) return;
    const actor = await actorOf(request);
    if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'sign in first');
    request.actor = actor;
  });
  app.setErrorHandler((err, request, reply) => {
    const code = (err as { code?: string }).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, new ConsoleError('INVALID', 'the request body is larger than 1 MB'));
    const error = toConsoleError(err);
    if (error.status >= 500)
      log({
        level: 'ERROR',
        msg: 'console request failed',
        method: request.method,
        route: request.routeOptions.url ?? '(none)',
        error: safeMessage(err),
      });
    return sendError(reply, error);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const error = (await actorOf(request).catch(() => undefined))
      ? new ConsoleError('NOT_FOUND', `${request.method} ${request.url.split('?')[0]} is not a console route`)
      : new ConsoleError('UNAUTHENTICATED', 'sign in first');
    return sendError(reply, error);
  });

  const open = { config: { public: true } };
  for (const [path, file] of Object.entries(STATIC)) {
    const type = TYPES[file.split('.').pop()!]!;
    app.get(path, open, async (_request, reply) =>
      reply.header('content-type', type).header('cache-control', 'no-cache').send(files[path]),
    );
  }
  app.get('/health', open, async () => ({ status: 'UP' }));
  app.get('/healthz', open, async () => LIVE);
  app.get('/readyz', open, async (_request, reply) => {
    const report = await readiness();
    return reply.code(report.status === 'READY' ? 200 : 503).send(report);
  });
  app.options('/codec/decode', open, async (request, reply) => reply.headers(corsHeaders(request)).code(204).send());

  app.post('/api/login', open, async (request, reply) => {
    const parsed = LoginBody.safeParse(jsonBody(request));
    if (!parsed.success) {
      await journalConsole(
        pool,
        '(invalid login)',
        {
          event: 'console.signed-in',
          recordId: 'user:(invalid login)',
          details: { method: 'password', address: request.ip, refused: 'malformed' },
        },
        'REFUSED',
        new Date(),
      );
      throw new ConsoleError(
        'INVALID',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      );
    }
    const actor = await signIn(request, parsed.data.login, parsed.data.password, 'password');
    if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'wrong login or password');
    const token = await sessions.open(actor);
    return reply
      .header('set-cookie', sessionCookie(COOKIE, token, Math.floor(config.sessionTtlMs / 1000), config.cookieSecure))
      .send({ login: actor.login, role: actor.role });
  });
  app.post('/api/logout', async (request, reply) => {
    jsonBody(request);
    const actor = request.actor!;
    const token = cookies(request.raw)[COOKIE];
    const ended = token ? await sessions.end(token) : false;
    await journalConsole(
      pool,
      actor.login,
      { event: 'console.signed-out', recordId: `user:${actor.login}`, details: { sessionEnded: ended } },
      'OK',
      new Date(),
    );
    return reply.header('set-cookie', sessionCookie(COOKIE, '', 0, config.cookieSecure)).send({});
  });
  app.get('/api/me', async (request) => {
    const actor = request.actor!;
    const permissions = (['read', 'act', 'assign-others', 'maintenance', 'decode-payloads'] as const).filter((p) =>
      can(actor, p),
    );
    const token = request.cliToken
      ? { tokenId: request.cliToken.tokenId, expiresAt: request.cliToken.expiresAt }
      : undefined;
    return {
      ...actor,
      permissions,
      users: service.users(actor),
      utcOffset: config.utcOffset,
      ...(token ? { token } : {}),
    };
  });
  // A token for the CLI (esu-bridge login): issued to a signed-in officer (session or password, never another
  // token), shown once; revoked by esu-bridge logout. Both journalled with the actor.
  app.post('/api/cli-tokens', async (request) => {
    jsonBody(request);
    const actor = request.actor!;
    if (request.cliToken)
      throw new ConsoleError('FORBIDDEN', 'a CLI token cannot issue tokens: sign in with a password');
    const issued = await cliTokens.issue(actor);
    await journalConsole(
      pool,
      actor.login,
      {
        event: 'console.cli-token-issued',
        recordId: `user:${actor.login}`,
        details: { tokenId: issued.tokenId, expiresAt: issued.expiresAt, address: request.ip },
      },
      'OK',
      new Date(),
    );
    return issued;
  });
  app.delete('/api/cli-tokens/current', async (request) => {
    const actor = request.actor!;
    const current = request.cliToken;
    if (!current) throw new ConsoleError('INVALID', 'send the token to revoke as Authorization: Bearer');
    const revoked = await cliTokens.revoke(current.token);
    await journalConsole(
      pool,
      actor.login,
      { event: 'console.cli-token-revoked', recordId: `user:${actor.login}`, details: { tokenId: current.tokenId } },
      'OK',
      new Date(),
    );
    return { revoked, tokenId: current.tokenId };
  });
  registerApiRoutes(app, service, journal);

  await app.listen(listen);
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${listen.host}:${port}`, close: () => app.close() };
}
