import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex, type ApiKey, type Scope } from '../config/api.js';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one (the OpenAPI document, health) are public. */
    scope?: Scope;
  }
  interface FastifyRequest {
    /** The calling service, once its API key is known. */
    caller?: ApiKey;
  }
}

/**
 * API keys: `Authorization: Bearer <key>`. Keys are configured by their SHA-256 only (API_KEYS), so the hash of
 * what the caller presents is compared with each configured hash, in constant time.
 */
export function createAuthenticator(keys: readonly ApiKey[]) {
  const hashes = keys.map((k) => ({ key: k, hash: Buffer.from(k.sha256, 'hex') }));

  function identify(header: string | undefined): ApiKey | undefined {
    const match = /^Bearer ([\x21-\x7e]{8,256})$/.exec(header ?? '');
    if (!match) return undefined;
    const presented = Buffer.from(sha256Hex(match[1]!), 'hex');
    let found: ApiKey | undefined;
    for (const { key, hash } of hashes) if (timingSafeEqual(hash, presented)) found = key;
    return found;
  }

  return {
    /** Who is calling (no refusal yet): the rate limit counts per key, and per address for unknown callers. */
    async identify(request: FastifyRequest): Promise<void> {
      request.caller = identify(request.headers.authorization);
    },
    /** Refuses a route's call without a known key (401) or without the route's scope (403). */
    async authorize(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
      const scope = request.routeOptions.config?.scope;
      if (!scope) return;
      const caller = request.caller;
      if (!caller) {
        throw new ProblemError(401, 'send a valid API key as "Authorization: Bearer <key>"', {
          headers: { 'www-authenticate': 'Bearer realm="esu-bridge"' },
        });
      }
      if (!caller.scopes.has(scope))
        throw new ProblemError(403, `the API key "${caller.name}" lacks the scope ${scope}`);
    },
  };
}
