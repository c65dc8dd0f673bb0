import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { Context, ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { plainTextOf } from '../domain/text.js';
import { CounterpartErrorBody, IDEMPOTENCY_KEY_HEADER, type Counterpart } from '../domain/wire/common.js';
import type { OutboundRateLimiter } from './rate-limit.js';
import type { CounterpartEndpoint, CounterpartTls } from '../config/counterparts.js';

// The endpoint types are configuration's (config/counterparts.ts); the connectors take them as they are.
export type { CounterpartEndpoint, CounterpartTls } from '../config/counterparts.js';

/** undici's / node:tls's connect options for an endpoint: TLS 1.2 at least, our certificate if any, the configured CA. */
export function tlsConnectOptions(tls: CounterpartTls | undefined) {
  return {
    minVersion: 'TLSv1.2' as const,
    ...(tls?.cert || tls?.certPath ? { cert: tls.cert ?? readFileSync(tls.certPath!) } : {}),
    ...(tls?.key || tls?.keyPath ? { key: tls.key ?? readFileSync(tls.keyPath!) } : {}),
    ...(tls?.ca || tls?.caPath ? { ca: tls.ca ?? readFileSync(tls.caPath!) } : {}),
    ...(tls?.serverName ? { servername: tls.serverName } : {}),
  };
}

/** One exchange as the connector saw it: our own send and receive times are the evidence of timeliness (the e-government integration rules §55). */
export interface Exchange {
  counterpart: Counterpart;
  method: string;
  path: string;
  status: number | 'NETWORK_ERROR';
  sentAt: Date;
  receivedAt: Date;
}

export type ExchangeObserver = (exchange: Exchange) => void;

/** Every documented answer is a few kilobytes: 1 MiB leaves room and keeps a runaway answer from taking the worker's memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** The body as text, up to `maxBytes`: reading stops (and the connection is dropped) at the cap. */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  declaredLength: string | string[] | undefined,
): Promise<{ text: string; oversize: boolean }> {
  const declared = Number(Array.isArray(declaredLength) ? declaredLength[0] : declaredLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    return { text: '', oversize: true };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), oversize: true };
    }
    chunks.push(chunk as Buffer);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), oversize: false };
}

/**
 * The one HTTP helper every connector uses. It maps answers so:
 * 2xx → parsed with the counterpart's zod schema; 404 on a GET → `undefined` (the status query's "not there");
 * a documented refusal (422) → non-retryable ApplicationFailure of `rejectionType` with the reason code;
 * 400/401/403/409 → non-retryable (retrying cannot fix them); 5xx, timeouts, resets → a plain Error the policy retries.
 */
export class CounterpartClient {
  private readonly dispatcher: Dispatcher;

  constructor(
    readonly endpoint: CounterpartEndpoint,
    private readonly observe: ExchangeObserver = () => undefined,
    /** The outbound rate limit shared by all workers (rate-limit.ts); none in unit tests. */
    private readonly limiter?: OutboundRateLimiter,
  ) {
    const { tls } = endpoint;
    this.dispatcher = new Agent({
      connections: 64,
      keepAliveTimeout: 10_000,
      // TLS 1.2 at least on every https:// endpoint, whether or not it has certificates of its own.
      connect: tlsConnectOptions(tls),
    });
  }

  async get<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return this.send('GET', path, undefined, undefined, schema, ErrorType.InvalidInput, true);
  }

  async post<T>(
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    schema: z.ZodType<T>,
    rejectionType: ErrorType,
  ): Promise<T> {
    return (await this.send('POST', path, body, idempotencyKey, schema, rejectionType, false)) as T;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    schema: z.ZodType<T>,
    rejectionType: ErrorType,
    notFoundIsUndefined: boolean,
  ): Promise<T | undefined> {
    const { counterpart, baseUrl, apiKey, timeoutMs } = this.endpoint;
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
    const cancellation = currentCancellationSignal();
    // A slot first: the wait for it does not eat into the request's own timeout.
    await this.limiter?.acquire(counterpart, new URL(baseUrl).origin, cancellation);
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (cancellation) signals.push(cancellation);

    const sentAt = new Date();
    let status: number;
    let text: string;
    let oversize: boolean;
    const maxBytes = this.endpoint.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    try {
      const res = await request(new URL(path, baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal: AbortSignal.any(signals),
      });
      status = res.statusCode;
      ({ text, oversize } = await readCapped(res.body, maxBytes, res.headers['content-length']));
    } catch (err) {
      this.observe({ counterpart, method, path, status: 'NETWORK_ERROR', sentAt, receivedAt: new Date() });
      throw new Error(`${counterpart} ${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.observe({ counterpart, method, path, status, sentAt, receivedAt: new Date() });

    if (status >= 200 && status < 300) {
      // The counterpart answered something we do not understand: a contract break, not a transient fault.
      const violation = (what: string) =>
        ApplicationFailure.nonRetryable(
          `${counterpart} ${method} ${path} → ${status} ${what}`,
          ErrorType.CounterpartContractViolation,
        );
      if (oversize) throw violation(`answered more than ${maxBytes} bytes: refused unread`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw violation(`answered a body that is not JSON: ${plainTextOf(text.slice(0, 120))}`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw violation(`answered an unexpected body: ${parsed.error.message}`);
      return parsed.data;
    }
    if (status === 404 && notFoundIsUndefined) return undefined;
    const refusal = parseRefusal(text);
    const summary =
      `${counterpart} ${method} ${path} → ${status} ${refusal?.code ?? ''} ${refusal?.message ?? plainTextOf(text.slice(0, 300))}`.trim();
    if (status === 422) {
      throw ApplicationFailure.create({
        message: summary,
        type: rejectionType,
        nonRetryable: true,
        details: [refusal],
      });
    }
    if (status === 409) {
      throw ApplicationFailure.create({
        message: summary,
        type: ErrorType.IdempotencyConflict,
        nonRetryable: true,
        details: [refusal],
      });
    }
    if (status === 401 || status === 403) {
      throw ApplicationFailure.create({ message: summary, type: ErrorType.CounterpartAuthFailed, nonRetryable: true });
    }
    if (status === 400 || status === 404) {
      throw ApplicationFailure.create({
        message: summary,
        type: ErrorType.InvalidInput,
        nonRetryable: true,
        details: [refusal],
      });
    }
    throw new Error(summary);
  }
}

function parseRefusal(text: string): CounterpartErrorBody['error'] | undefined {
  try {
    const parsed = CounterpartErrorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/** The activity's cancellation signal when called inside an activity, so a cancelled activity stops its request. */
function currentCancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** The refusal code carried in an ApplicationFailure raised by CounterpartClient. */
export function refusalCode(failure: ApplicationFailure): string | undefined {
  const first = failure.details?.[0] as { code?: string } | undefined;
  return first?.code;
}

/**
 * The first of `fields` in which what a counterpart holds under our id differs from what we asked for, or
 * undefined when it is ours: a status query or a refund acts only on its own operation's record.
 */
export function differingField<K extends string>(
  found: Record<K, unknown>,
  ours: Record<K, unknown>,
  fields: readonly K[],
): K | undefined {
  return fields.find((field) => found[field] !== ours[field]);
}

/** Attempt number of the running activity, or 1 outside an activity. */
export function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}
