import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../domain/wire/common.js';
import type { Pool } from '../db/pool.js';
import { ErrorType } from '../domain/errors.js';
import {
  answerIdempotencyKey,
  claimIdempotencyKey,
  heldIdempotencyKey,
  releaseIdempotencyKey,
} from '../store/idempotency-keys.js';
import { ProblemError } from './problem.js';

export interface Answer {
  code: number;
  body: unknown;
}

/**
 * Idempotency keys kept in PostgreSQL (api_idempotency_keys) for calls whose workflow cannot tell a replay by
 * itself. The first call with a key claims it with the request's fingerprint and runs; a later call with the same
 * key and fingerprint is a replay — it gets the stored answer (`stored`) or the resource's current state
 * (`current`) with `Idempotent-Replayed: true`; another request under the same key is a 409. A call that fails
 * releases its key, so the caller may retry it.
 */
export function createIdempotencyKeys(pool: Pool, fingerprintOf: (text: string) => string) {
  return async function once(
    request: FastifyRequest,
    reply: FastifyReply,
    run: () => Promise<Answer>,
    replay: 'stored' | (() => Promise<Answer>) = 'stored',
  ): Promise<FastifyReply> {
    const caller = request.caller?.name ?? '-';
    const key = String(request.headers['idempotency-key']);
    const held = { caller, key };
    const route = request.routeOptions.url ?? request.url;
    const fingerprint = fingerprintOf(
      canonicalJson({ route, params: request.params ?? {}, body: request.body ?? null }),
    );
    // A key released by a failed call between our claim and our read is claimed again (a few times at most).
    for (let attempt = 0; ; attempt++) {
      if (await claimIdempotencyKey(pool, held, route, fingerprint)) break;
      const row = await heldIdempotencyKey(pool, held);
      if (!row && attempt < 3) continue;
      if (!row || row.status_code === null)
        throw new ProblemError(409, 'a request with this Idempotency-Key is in progress: retry shortly', {
          slug: 'in-progress',
          title: 'In progress',
        });
      if (row.fingerprint !== fingerprint) {
        throw new ProblemError(
          409,
          'this Idempotency-Key was used before with another request: use a new key for a new request',
          { errorType: ErrorType.IdempotencyConflict },
        );
      }
      request.replayed = true;
      reply.header('idempotent-replayed', 'true');
      const answer = replay === 'stored' ? { code: row.status_code, body: row.response } : await replay();
      return reply.code(answer.code).send(answer.body);
    }
    let answer: Answer;
    try {
      answer = await run();
    } catch (err) {
      await releaseIdempotencyKey(pool, held).catch(() => undefined);
      throw err;
    }
    await answerIdempotencyKey(pool, held, answer);
    return reply.code(answer.code).send(answer.body);
  };
}

export type IdempotencyKeys = ReturnType<typeof createIdempotencyKeys>;
