import type { FastifyReply, FastifyRequest } from 'fastify';
import { findRegisteredOperation } from '../store/operation-registry.js';
import type { Pool } from '../db/pool.js';
import { ErrorType } from '../domain/errors.js';
import type { OperationKind } from '../domain/ids.js';
import { invalid, ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operation (or bettor, migration, incident) the call is about, once validated: the journal's record id. */
    recordId?: string;
    /** True when a POST answered an operation started before with the same key and body. */
    replayed?: boolean;
  }
  interface FastifyInstance {
    /** Aborted once the API starts closing (api/server.ts). */
    closing?: AbortSignal;
  }
}

/** The longest `Prefer: wait=N` honoured: longer waits are cut to this. */
export const MAX_WAIT_SECONDS = 30;

/** `Prefer: wait=N` (RFC 7240): seconds to wait for the final state; other preferences are ignored. */
export function preferredWait(header: string | undefined): number | undefined {
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(header ?? '');
  if (!match) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

/** The start's Idempotency-Key must be the operation id the body names (so a retry can only mean the same operation). */
export function requireKeyIsOperationId(request: FastifyRequest, field: string, operationId: string): void {
  const key = request.headers['idempotency-key'];
  if (key !== operationId) {
    throw invalid(422, [
      {
        in: 'header',
        field: 'Idempotency-Key',
        message: `must equal the operation id ${field} of the body (${operationId})`,
      },
    ]);
  }
  request.recordId = operationId;
}

/**
 * An id the operation registry holds for another kind of operation (a deposit's id sent as a payout's) is refused
 * at once with 409, before anything starts. The saga refuses it too; this only answers sooner.
 */
export async function refuseIdOfAnotherKind(pool: Pool, operationId: string, kind: OperationKind): Promise<void> {
  const registered = await findRegisteredOperation(pool, operationId);
  if (registered && registered.kind !== kind) {
    throw new ProblemError(
      409,
      `the id ${operationId} names a ${registered.kind.toLowerCase()}, not a ${kind.toLowerCase()}: nothing was started`,
      {
        errorType: ErrorType.IdempotencyConflict,
      },
    );
  }
}

interface Started<State> {
  joined: boolean;
  status(): Promise<State>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Polls the workflow's status query until `isFinal` or the deadline: a bounded wait that leaves nothing behind.
 * It ends early when the API is closing (`signal`): the caller gets the current state (202) at once instead of
 * holding the shutdown for up to MAX_WAIT_SECONDS.
 */
async function finalWithin<State>(
  started: Started<State>,
  seconds: number,
  isFinal: (s: State) => boolean,
  signal?: AbortSignal,
): Promise<State | undefined> {
  const deadline = Date.now() + seconds * 1000;
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    const state = await started.status().catch(() => undefined);
    if (state && isFinal(state)) return state;
    if (signal?.aborted || Date.now() + pause > deadline) return undefined;
    await sleep(pause, signal);
  }
}

/** A refusal of the operation id itself (the operation registry: the id is another kind's) is a 409, not a resource. */
function refuseConflict(state: unknown): void {
  const failure = (state as { failure?: { type?: string; message?: string } } | undefined)?.failure;
  if (failure?.type === ErrorType.IdempotencyConflict) {
    throw new ProblemError(409, failure.message ?? 'the id is in use by another operation', {
      errorType: ErrorType.IdempotencyConflict,
    });
  }
}

/**
 * The answer to a start: `202 Accepted` with `Location` and the current state, or `200` with the final state when
 * it is reached already or — with `Prefer: wait=N` — within N seconds (a refused operation is a final state, with
 * its failure, not an error).
 * A replay (same key, same body) says so with `Idempotent-Replayed: true`.
 */
export async function startAnswer<State>(
  request: FastifyRequest,
  reply: FastifyReply,
  started: Started<State>,
  { location, provisional, isFinal }: { location: string; provisional: State; isFinal: (s: State) => boolean },
): Promise<{ code: number; body: State }> {
  request.replayed = started.joined;
  reply.header('location', location);
  if (started.joined) reply.header('idempotent-replayed', 'true');
  const wait = preferredWait([request.headers.prefer].flat().join(','));
  if (wait !== undefined) {
    const final = await finalWithin(started, wait, isFinal, request.server.closing);
    if (final) {
      refuseConflict(final);
      reply.header('preference-applied', `wait=${wait}`);
      return { code: 200, body: final };
    }
  }
  const state = await started.status().catch(() => provisional);
  refuseConflict(state);
  return { code: isFinal(state) ? 200 : 202, body: state };
}

export async function answerStart<State>(
  request: FastifyRequest,
  reply: FastifyReply,
  started: Started<State>,
  options: { location: string; provisional: State; isFinal: (s: State) => boolean },
): Promise<FastifyReply> {
  const { code, body } = await startAnswer(request, reply, started, options);
  return reply.code(code).send(body);
}
