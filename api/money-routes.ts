import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Pool } from '../db/pool.js';
import type { OperationKind } from '../domain/ids.js';
import { answerStart, refuseIdOfAnotherKind } from './operations.js';
import { readOperation, rowFailure, type ApiDeps, type OperationRow } from './resources.js';
import { getRoute, START_PROBLEMS, startRoute, type RouteApp } from './route.js';
import { postHeaders, startResponses } from './schemas.js';

/** What a money operation's two routes (`POST /v1/<resource>`, `GET /v1/<resource>/:<idField>`) have of their own. */
export interface MoneyRoutes<Body, State> {
  resource: 'deposits' | 'bets' | 'payouts';
  kind: OperationKind;
  /** The body's id: the Idempotency-Key of its start, the path parameter of its GET, the operation registry's id. */
  idField: keyof Body & string;
  /** How the operation is named in a 404 ("deposit X is not known here"). */
  noun: string;
  post: { operationId: string; summary: string; description: string; body: z.ZodType; example: Body };
  /** The GET's documentation: by default `get<Noun>`, "A <noun>’s current or final state". */
  get?: { operationId: string; summary: string; params?: z.ZodType };
  /** The resource's schema, a start's and a GET's answer. */
  answer: z.ZodType;
  workflowId: (id: string) => string;
  start: (body: Body) => Promise<{ joined: boolean; status(): Promise<State> }>;
  query: (id: string) => Promise<State>;
  /** The state answered before the workflow answers its first query. */
  provisional: (body: Body) => State;
  final: readonly string[];
  /** The state from the operations row once Temporal no longer keeps the run (`failure` is added to it). */
  fromRow: (id: string, row: OperationRow) => State | Promise<State>;
}

/**
 * A deposit's or a payout's state (its id, status and amount, no compensation yet) before the workflow answers its
 * first query, and from its operations row once Temporal no longer keeps the run.
 */
export function amountStates<Body extends { amountTiyn: number }, State>(idField: keyof Body & string) {
  return {
    provisional: (body: Body) =>
      ({ [idField]: body[idField], status: 'RECEIVED', amountTiyn: body.amountTiyn, compensations: [] }) as State,
    fromRow: (id: string, row: OperationRow) =>
      ({ [idField]: id, status: row.status, amountTiyn: row.amount_tiyn, compensations: [] }) as State,
  };
}

/**
 * A money operation's start and read. The start's Idempotency-Key must be the body's id, an id the registry holds
 * for another kind is refused (409) before anything starts, and the answer is the final state (200) or the state so
 * far (202, with Location). The read falls back to the operations row in PostgreSQL (resources.ts).
 */
export function moneyRoutes<Body extends Record<string, unknown>, State extends { status: string }>(
  app: RouteApp,
  pool: Pool,
  spec: MoneyRoutes<Body, State>,
): void {
  const { resource, idField, post, answer } = spec;
  const get = spec.get ?? {
    operationId: `get${spec.noun[0]!.toUpperCase()}${spec.noun.slice(1)}`,
    summary: `A ${spec.noun}’s current or final state`,
  };
  const path = `/v1/${resource}`;
  const isFinal = (state: State) => spec.final.includes(state.status);
  const item = startRoute<Body, MoneyRoutes<Body, State>['resource']>(
    app,
    {
      resource,
      idField,
      operationId: post.operationId,
      summary: post.summary,
      description: post.description,
      headers: postHeaders(String(post.example[idField])),
      body: post.body.meta({ examples: [post.example] }) as z.ZodType<Body>,
      responses: { ...startResponses(answer), ...START_PROBLEMS },
    },
    async (id, request, reply) => {
      const body = request.body;
      await refuseIdOfAnotherKind(pool, id, spec.kind);
      const started = await spec.start(body);
      return answerStart(request, reply, started, {
        location: `${path}/${id}`,
        provisional: spec.provisional(body),
        isFinal,
      });
    },
  );
  getRoute<Record<string, string>>(
    app,
    { ...item, ...get, params: get.params ?? item.params, answer },
    (params, request) => {
      const id = params[idField]!;
      return readOperation<State>(
        pool,
        request.log,
        spec.workflowId(id),
        `${spec.noun} ${id}`,
        () => spec.query(id),
        async (row) => ({ ...(await spec.fromRow(id, row)), ...rowFailure(row) }),
      );
    },
  );
}

/** The plugin of an operation that has only its two money routes (deposits, payouts): its spec from the API's deps. */
export function moneyRoutesPlugin<Body extends Record<string, unknown>, State extends { status: string }>(
  spec: (deps: ApiDeps) => MoneyRoutes<Body, State>,
): (deps: ApiDeps) => FastifyPluginAsyncZod {
  return (deps) => async (app) => moneyRoutes(app, deps.pool, spec(deps));
}
