import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import {
  IdempotencyConflictError,
  InvalidRequestError,
  OperationFailedError,
  StepRejectedError,
  type EsuBridgeClient,
} from '../client/index.js';
import type { Pool } from '../db/pool.js';
import { ErrorType } from '../domain/errors.js';
import { createAuthenticator } from './auth.js';
import type { ApiConfig } from '../config/api.js';
import { createIdempotencyKeys } from './idempotency.js';
import { journalRequest } from './journal.js';
import { invalid, ProblemError, sendProblem, toProblem } from './problem.js';
import { afmVerdictRoutes } from './routes/afm-verdicts.js';
import { betRoutes } from './routes/bets.js';
import { depositRoutes } from './routes/deposits.js';
import { identificationRoutes } from './routes/identifications.js';
import { incidentRoutes } from './routes/incidents.js';
import { migrationRoutes } from './routes/migrations.js';
import { payoutRoutes } from './routes/payouts.js';
import { submissionRoutes } from './routes/submissions.js';
import { reconciliationRoutes } from './routes/reconciliations.js';
import { validateRequestParts } from './validate.js';
import { createReadiness, LIVE, postgresProbe, type Readiness } from '../stack/health.js';

export interface ApiServerDeps {
  client: EsuBridgeClient;
  pool: Pool;
  config: ApiConfig;
  /** What /readyz checks; PostgreSQL alone when not given. */
  readiness?: Readiness;
}

/** What the client and Temporal raise, as the problem the caller gets. */
export function problemOf(err: unknown): ProblemError {
  if (err instanceof InvalidRequestError)
    return invalid(
      422,
      err.issues.map((i) => ({ in: 'body' as const, field: i.field, message: i.message })),
    );
  if (err instanceof IdempotencyConflictError) {
    return new ProblemError(409, 'this id was used before with another request: use a new id for a new operation', {
      errorType: ErrorType.IdempotencyConflict,
    });
  }
  if (err instanceof OperationFailedError || err instanceof StepRejectedError)
    return new ProblemError(409, err.message, { errorType: err.type });
  if (err instanceof WorkflowNotFoundError) return new ProblemError(404, 'no such operation');
  if (err instanceof ServiceError)
    return new ProblemError(503, 'Temporal did not answer; retry with the same Idempotency-Key');
  return toProblem(err);
}

/**
 * The bookmaker API: a Fastify app whose routes are declared with zod schemas, from which the OpenAPI 3.1
 * document at /openapi.json is generated. Every POST carries an Idempotency-Key; every call is authenticated by
 * an API key with scopes, rate-limited per key and journalled with its caller.
 */
export async function buildApi({
  client,
  pool,
  config,
  readiness = createReadiness({ postgresql: postgresProbe(pool) }),
}: ApiServerDeps): Promise<FastifyInstance> {
  const options = {
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    logger: { level: config.logLevel },
    ...(config.tls
      ? {
          https: {
            cert: config.tls.cert,
            key: config.tls.key,
            ca: config.tls.clientCa,
            requestCert: Boolean(config.tls.clientCa),
            rejectUnauthorized: Boolean(config.tls.clientCa),
          },
        }
      : {}),
  } as FastifyHttpOptions<http.Server>;
  const app = Fastify(options).withTypeProvider<ZodTypeProvider>();
  // Aborted when close() begins: a start waiting for its final state (`Prefer: wait=N`) answers at once.
  const closing = new AbortController();
  app.decorate('closing', closing.signal);
  app.addHook('preClose', async () => closing.abort());
  // An answer given while closing ends its connection: kept alive, the idle socket would hold close() for the whole
  // keep-alive timeout (72 s).
  app.addHook('onSend', async (_request, reply) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
  });
  // Validation runs in one hook over every part of the request (validate.ts), so the compiler lets data through.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'esu-bridge bookmaker API',
        version: '1.0.0',
        description:
          'Deposits, bets, settlements, payouts, bettor identification, migrations and incidents through ESU, Nomapay and AFM. Every POST needs an Idempotency-Key; errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key configured in API_KEYS' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // Order: who calls (onRequest) → the rate limit per key or address (each route's onRequest) → refusal of an
  // unknown key or a missing scope (preParsing), so even refused calls count against the limit.
  const auth = createAuthenticator(config.keys);
  app.addHook('onRequest', auth.identify);
  app.addHook('preParsing', auth.authorize);
  await app.register(rateLimit, {
    hook: 'onRequest',
    timeWindow: 60_000,
    max: (request) => request.caller?.ratePerMinute ?? config.ratePerMinute,
    keyGenerator: (request) => (request.caller ? `key:${request.caller.name}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new ProblemError(429, `more than ${context.max} requests in a minute; retry after ${context.after}`),
        { statusCode: 429 },
      ),
  });
  app.addHook('preValidation', validateRequestParts);
  app.addHook('onResponse', journalRequest(pool));

  app.setErrorHandler((err, request, reply) => {
    const problem = problemOf(err);
    if (problem.status >= 500) request.log.error({ err, requestId: request.id }, 'request failed');
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new ProblemError(404, `${request.method} ${request.url.split('?')[0]} is not an API route`),
    ),
  );

  // Request fingerprints are keyed like the bettor reference, so a body's IIN cannot be guessed from its hash.
  const deps = { client, pool, once: createIdempotencyKeys(pool, client.bettorRef) };
  await app.register(depositRoutes(deps));
  await app.register(betRoutes(deps));
  await app.register(payoutRoutes(deps));
  await app.register(identificationRoutes(deps));
  await app.register(migrationRoutes(deps));
  await app.register(incidentRoutes(deps));
  await app.register(submissionRoutes(deps));
  await app.register(reconciliationRoutes(deps));
  await app.register(afmVerdictRoutes({ client, pool, callback: config.afmCallback }));

  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true }, config: { rateLimit: false } }, async () => ({ status: 'UP' }));
  // Probes: public, outside the OpenAPI document, the rate limit and the journal (journal.ts), logged only when they fail.
  const probe = { schema: { hide: true }, config: { rateLimit: false }, logLevel: 'warn' } as const;
  app.get('/healthz', probe, async () => LIVE);
  app.get('/readyz', probe, async (_request, reply) => {
    const report = await readiness();
    return reply.code(report.status === 'READY' ? 200 : 503).send(report);
  });
  return app;
}

export interface RunningApi {
  url: string;
  openapiUrl: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the API and listens (API_HOST:API_PORT unless `listen` says otherwise; port 0 = any free port). */
export async function startApi(
  deps: ApiServerDeps,
  listen = { host: deps.config.host, port: deps.config.port },
): Promise<RunningApi> {
  const app = await buildApi(deps);
  await app.listen(listen);
  const { port } = app.server.address() as AddressInfo;
  const url = `${deps.config.tls ? 'https' : 'http'}://${listen.host}:${port}`;
  return { url, openapiUrl: `${url}/openapi.json`, app, close: () => app.close() };
}
