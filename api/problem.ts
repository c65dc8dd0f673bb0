import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Errors as `application/problem+json` (RFC 9457). Every problem has a stable `type` a caller switches on,
 * and a bad request names each bad field in `errors`. A 500 says only that something failed and which request
 * it was (`instance`): its cause goes to the server log, never to the caller.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'urn:esu-bridge:problem:';

export const FieldError = z.object({
  in: z.enum(['body', 'header', 'path', 'query']),
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    /** Every field that failed validation, where it was and why. */
    errors: z.array(FieldError).optional(),
    /** For refusals: the failure type of domain/errors.ts (IdempotencyConflict, SettlementConflict, …). */
    errorType: z.string().optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthenticated', 'Missing or unknown API key'],
  403: ['forbidden', 'The API key lacks the scope for this operation'],
  404: ['not-found', 'No such resource'],
  405: ['method-not-allowed', 'Method not allowed'],
  406: ['not-acceptable', 'Not acceptable'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Send the body as application/json'],
  422: ['invalid-request', 'The request has invalid fields'],
  429: ['rate-limited', 'Too many requests for this API key'],
  500: ['internal', 'Internal error'],
  503: ['unavailable', 'A service esu-bridge depends on is unavailable'],
};

/** A problem to answer with: thrown by routes and hooks, turned into the response by the error handler. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    detail: string,
    readonly extra: {
      errors?: FieldError[];
      errorType?: string;
      slug?: string;
      title?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
  }

  toProblem(instance: string): Problem {
    const [slug, title] = TITLES[this.status] ?? TITLES[this.status >= 500 ? 500 : 400]!;
    return {
      type: TYPE_BASE + (this.extra.slug ?? slug),
      title: this.extra.title ?? title,
      status: this.status,
      detail: this.message,
      instance,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      ...(this.extra.errorType ? { errorType: this.extra.errorType } : {}),
    };
  }
}

export const invalid = (status: 400 | 422, errors: FieldError[]) =>
  new ProblemError(status, errors.map((e) => `${e.in} ${e.field}: ${e.message}`).join('; '), { errors });

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem.toProblem(`urn:esu-bridge:request:${request.id}`));
}

/** Fastify's own errors (bad JSON, body too large, wrong content type, …) as problems; anything else is a 500. */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  const fastifyError = err as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail =
      fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? 'the request body is not valid JSON'
        : fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'the request body is larger than this API accepts'
          : fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'send the request body as application/json'
            : fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'the request body is empty: send a JSON object'
              : (fastifyError.message ?? 'bad request').slice(0, 200);
    return new ProblemError(status, detail);
  }
  return new ProblemError(500, 'the request could not be completed; quote the instance when asking about it');
}

/** Problem responses every route may give, for its OpenAPI description. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: TITLES[status]?.[1] ?? 'Problem', content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } },
    ]),
  );
}
