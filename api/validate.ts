import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { invalid, type FieldError } from './problem.js';

type Part = 'params' | 'querystring' | 'headers' | 'body';
const WHERE: Record<Part, FieldError['in']> = { params: 'path', querystring: 'query', headers: 'header', body: 'body' };
const HEADER_NAMES: Record<string, string> = { 'idempotency-key': 'Idempotency-Key', prefer: 'Prefer' };

const issuesOf = (part: Part, error: z.ZodError): FieldError[] =>
  error.issues.map((issue) => {
    const path = issue.path.map(String);
    const field = part === 'headers' && path[0] ? (HEADER_NAMES[path[0]] ?? path[0]) : path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(body)');
    return { in: WHERE[part], field, message: issue.message };
  });

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
  if (errors.length) throw invalid(bodyOnly ? 422 : 400, errors);
}
