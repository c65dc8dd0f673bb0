import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { Context, ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { plainTextOf } from '../domain/text.js';
import { CounterpartErrorBody, IDEMPOTENCY_KEY_HEADER, type Counterpart } from '../domain/wire/common.js';
import type { OutboundRateLimiter } from './rate-limit.js';

/** How to reach one counterpart: its base URL, API key and, where it asks for it, mutual TLS (seed 000 item 10; seed 002 §§18–20). */
export interface CounterpartEndpoint {
  counterpart: Counterpart;
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; shorter than the activities' startToCloseTimeout so a retry gets a chance. */
  timeoutMs: number;
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
}

/** One exchange as the connector saw it: our own send and receive times are the evidence of timeliness (seed 004 §55). */
export interface Exchange {
  counterpart: Counterpart;
  method: string;
  path: string;
  status: number | 'NETWORK_ERROR';
  sentAt: Date;
  receivedAt: Date;
}

export type ExchangeObserver = (exchange: Exchange) => void;

/**
 * The one HTTP helper every connector uses. It maps answers the way STYLE item 20 says:
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
      connect: tls
        ? {
            cert: tls.certPath ? readFileSync(tls.certPath) : undefined,
            key: tls.keyPath ? readFileSync(tls.keyPath) : undefined,
            ca: tls.caPath ? readFileSync(tls.caPath) : undefined,
            servername: tls.serverName,
            minVersion: 'TLSv1.2',
          }
        : undefined,
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
    try {
      const res = await request(new URL(path, baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal: AbortSignal.any(signals),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      this.observe({ counterpart, method, path, status: 'NETWORK_ERROR', sentAt, receivedAt: new Date() });
      throw new Error(`${counterpart} ${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.observe({ counterpart, method, path, status, sentAt, receivedAt: new Date() });

    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        // The counterpart answered something we do not understand: a contract break, not a transient fault.
        throw ApplicationFailure.nonRetryable(
          `${counterpart} ${method} ${path} answered an unexpected body: ${parsed.error.message}`,
          ErrorType.InvalidInput,
        );
      }
      return parsed.data;
    }
    if (status === 404 && notFoundIsUndefined) return undefined;
    const refusal = parseRefusal(text);
    const summary = `${counterpart} ${method} ${path} → ${status} ${refusal?.code ?? ''} ${refusal?.message ?? plainTextOf(text.slice(0, 300))}`.trim();
    if (status === 422) {
      throw ApplicationFailure.create({ message: summary, type: rejectionType, nonRetryable: true, details: [refusal] });
    }
    if (status === 409) {
      throw ApplicationFailure.create({ message: summary, type: ErrorType.IdempotencyConflict, nonRetryable: true, details: [refusal] });
    }
    if (status === 401 || status === 403) {
      throw ApplicationFailure.create({ message: summary, type: ErrorType.CounterpartAuthFailed, nonRetryable: true });
    }
    if (status === 400 || status === 404) {
      throw ApplicationFailure.create({ message: summary, type: ErrorType.InvalidInput, nonRetryable: true, details: [refusal] });
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
export function differingField<K extends string>(found: Record<K, unknown>, ours: Record<K, unknown>, fields: readonly K[]): K | undefined {
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
