import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from '../db/pool.js';
import { appendJournal } from '../store/journal.js';

/**
 * Every API call is journalled (National Bank resolution No. 116 §55.11: start, event, acting user, record id, end, result): the caller is
 * the API key's name, the record the operation the call is about. No body, header or query text is kept, so no
 * personal data reaches the journal through the API.
 */
/** Liveness and readiness probes come every few seconds and say nothing about an operation. */
const UNJOURNALLED = new Set(['/health', '/healthz', '/readyz']);

export function journalRequest(pool: Pool) {
  return async function journal(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (UNJOURNALLED.has(request.routeOptions.url ?? '')) return;
    const status = reply.statusCode;
    const startedAt = new Date(Date.now() - reply.elapsedTime);
    const details = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      status,
      requestId: request.id,
      ...(request.replayed ? { replayed: true } : {}),
    };
    await appendJournal(pool, {
      startedAt,
      event: 'api.request',
      actor: request.caller?.name ?? '(unauthenticated)',
      recordId: request.recordId ?? '-',
      result: status < 400 ? 'OK' : status < 500 ? 'REFUSED' : 'FAILED',
      details,
    }).catch((err: unknown) => request.log.error({ err, requestId: request.id }, 'journal entry not written'));
  };
}
