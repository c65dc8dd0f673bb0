import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Scope } from '../config/api.js';
import { requireKeyIsOperationId } from './operations.js';
import { problemResponses } from './problem.js';
import { idParam, json, PostHeaders, readResponse } from './schemas.js';

/** The Fastify instance a route plugin registers on. */
export type RouteApp = Parameters<FastifyPluginAsyncZod>[0];

/** A route's tag in the OpenAPI document, and the first half of the scopes it needs (`deposits` → deposits:read). */
export type Resource = ResourceOf<Scope, string>;
type ResourceOf<S, Access extends string> = S extends `${infer R}:${Access}` ? R : never;
type Readable = ResourceOf<Scope, 'read'>;
type Writable = ResourceOf<Scope, 'write'>;

/** The problems a start may answer, a step on a resource (which may not exist: 404) and a read, for OpenAPI. */
export const START_PROBLEMS = problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503);
export const STEP_PROBLEMS = problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503);
export const READ_PROBLEMS = problemResponses(400, 401, 403, 404, 429, 500, 503);

/** What a route says of itself in the OpenAPI document. */
export interface RouteDoc {
  path: string;
  resource: Resource;
  operationId: string;
  summary: string;
  description?: string;
  params?: z.ZodType;
}

/** A request once validate.ts has parsed its parts. */
export type Parsed<Params, Body = unknown> = FastifyRequest & { params: Params; body: Body };

function routeOptions(doc: RouteDoc, access: 'read' | 'write', schema: Record<string, unknown>) {
  const { resource, operationId, summary, description, params } = doc;
  return {
    config: { scope: `${resource}:${access}` as Scope },
    schema: {
      operationId,
      tags: [resource],
      summary,
      ...(description ? { description } : {}),
      ...(params ? { params } : {}),
      ...schema,
    },
  };
}

/**
 * GET of one resource. The journal records it under `recordId` (by default the value of the path's one
 * parameter); `answer` is its 200 schema, or `responses` all of them.
 */
export function getRoute<Params extends Record<string, string>>(
  app: RouteApp,
  doc: RouteDoc & {
    resource: Readable;
    answer?: z.ZodType;
    responses?: Record<number, unknown>;
    recordId?: (params: Params) => string;
  },
  read: (params: Params, request: FastifyRequest) => Promise<unknown>,
): void {
  const response = doc.responses ?? { ...readResponse(doc.answer!), ...READ_PROBLEMS };
  app.get(doc.path, routeOptions(doc, 'read', { response }), async (request) => {
    const params = request.params as Params;
    request.recordId = doc.recordId ? doc.recordId(params) : Object.values(params)[0];
    return read(params, request);
  });
}

/** POST: Idempotency-Key in `headers` (PostHeaders unless given, e.g. `postHeaders(key)` for its example). */
export function postRoute<Params, Body>(
  app: RouteApp,
  doc: RouteDoc & {
    resource: Writable;
    body: z.ZodType;
    responses: Record<number, unknown>;
    headers?: z.ZodType;
    bodyLimit?: number;
  },
  handle: (request: Parsed<Params, Body>, reply: FastifyReply) => Promise<unknown>,
): void {
  const options = routeOptions(doc, 'write', {
    headers: doc.headers ?? PostHeaders,
    body: doc.body,
    response: doc.responses,
  });
  app.post(doc.path, { ...options, ...(doc.bodyLimit ? { bodyLimit: doc.bodyLimit } : {}) }, (request, reply) =>
    handle(request as Parsed<Params, Body>, reply),
  );
}

/**
 * POST /v1/<resource>: starts (or joins) the saga the body's `idField` names. Its Idempotency-Key must equal that id
 * (a 422 otherwise) before `start` runs with it; the OpenAPI description says so before the route's own `description`.
 * Answers the item's route, `/v1/<resource>/:<idField>` with its parameter, for the reads and steps that follow.
 */
export function startRoute<Body extends Record<string, unknown>, R extends Writable>(
  app: RouteApp,
  doc: Omit<RouteDoc, 'path' | 'description'> & {
    resource: R;
    idField: keyof Body & string;
    description: string;
    body: z.ZodType<Body>;
    responses: Record<number, unknown>;
    headers?: z.ZodType;
  },
  start: (id: string, request: Parsed<unknown, Body>, reply: FastifyReply) => Promise<unknown>,
): { path: string; resource: R; params: z.ZodType } {
  const description = `Idempotency-Key must equal ${doc.idField}. ${doc.description}`;
  postRoute<unknown, Body>(app, { ...doc, path: `/v1/${doc.resource}`, description }, async (request, reply) => {
    const id = String(request.body[doc.idField]);
    requireKeyIsOperationId(request, doc.idField, id);
    return start(id, request, reply);
  });
  return { path: `/v1/${doc.resource}/:${doc.idField}`, resource: doc.resource, params: idParam(doc.idField) };
}

/**
 * Steps on a resource named by the path's parameter (`/v1/incidents/:incidentId/closure`): POSTs with any
 * Idempotency-Key of the caller's, each answered once (a replay answers the stored answer).
 */
export function stepRoutes<Step extends { path: string; id: string; summary: string; body: z.ZodType }>(
  app: RouteApp,
  doc: Omit<RouteDoc, 'operationId' | 'summary'> & {
    resource: Writable;
    params: z.ZodType;
    answer: [string, z.ZodType];
  },
  steps: readonly Step[],
  run: (step: Step, id: string, request: Parsed<Record<string, string>>, reply: FastifyReply) => Promise<unknown>,
): void {
  for (const step of steps) {
    const { path, id: operationId, summary, body } = step;
    const responses = { 200: json(...doc.answer), ...STEP_PROBLEMS };
    postRoute<Record<string, string>, unknown>(
      app,
      { ...doc, path: `${doc.path}/${path}`, operationId, summary, body, responses },
      (request, reply) => {
        const resourceId = Object.values(request.params)[0]!;
        request.recordId = resourceId;
        return run(step, resourceId, request, reply);
      },
    );
  }
}
