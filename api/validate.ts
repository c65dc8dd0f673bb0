import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { fieldProblems } from '../domain/issues.js';
import { invalid, type FieldError } from './problem.js';

type Part = 'params' | 'querystring' | 'headers' | 'body';
const WHERE: Record<Part, FieldError['in']> = { params: 'path', querystring: 'query', headers: 'header', body: 'body' };
const HEADER_NAMES: Record<string, string> = { 'idempotency-key': 'Idempotency-Key', prefer: 'Prefer' };

/** One error per bad field; a field the request does not define is named by its own path ("unknown field"). */
const issuesOf = (part: Part, error: z.ZodError): FieldError[] =>
  fieldProblems(error).map(({ field, message }) => ({
    in: WHERE[part],
    field: part === 'headers' ? (HEADER_NAMES[field] ?? field) : field,
    message,
  }));

/**
 * Text no store takes verbatim: NUL (PostgreSQL's text and jsonb refuse it) and unpaired UTF-16 surrogates (not
 * characters at all). Refused at the door, so a request cannot start a saga whose journal entry can never be written.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badText(value: unknown, path: string[], out: FieldError[]): void {
  const bad = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
  if (typeof value === 'string') {
    if (bad(value))
      out.push({
        in: 'body',
        field: path.join('.') || '(body)',
        message: 'must not contain NUL or unpaired surrogate characters',
      });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => badText(item, [...path, String(i)], out));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (bad(key))
        out.push({
          in: 'body',
          field: [...path, '(key)'].join('.'),
          message: 'keys must not contain NUL or unpaired surrogate characters',
        });
      else badText(item, [...path, key], out);
    }
  }
}

/**
 * Validates every part of the request against the route's zod schemas and reports every bad field at once
 * (Fastify's own validation stops at the first part that fails). Path, query and header problems are 400;
 * a body whose fields fail the domain's rules is 422.
 */
export async function validateRequestParts(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema as Partial<Record<Part, z.ZodType>> | undefined;
  if (!schema) return;
  const parts = request as unknown as Record<Part, unknown>;
  const errors: FieldError[] = [];
  let bodyOnly = true;
  for (const part of ['params', 'querystring', 'headers', 'body'] as const) {
    const partSchema = schema[part];
    if (!partSchema) continue;
    const parsed = partSchema.safeParse(parts[part] ?? (part === 'body' ? undefined : {}));
    if (!parsed.success) {
      errors.push(...issuesOf(part, parsed.error));
      if (part !== 'body') bodyOnly = false;
    } else if (part !== 'headers') {
      parts[part] = parsed.data;
    }
  }
  badText(parts.body, [], errors);
  if (errors.length) throw invalid(bodyOnly ? 422 : 400, errors);
}
