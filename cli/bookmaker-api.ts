import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { ConsoleError, type ConsoleErrorCode } from '../console/audit.js';
import { UsageError } from '../client/cli-commands.js';

/**
 * The bookmaker API (api/) for the CLI's commands that act as a bookmaker service (`esu-bridge migration`):
 * ESU_BRIDGE_API_URL (default the API's own default, http://127.0.0.1:8091) and ESU_BRIDGE_API_KEY, a key
 * `esu-bridge api new-key` made and API_KEYS holds. Every call carries the key (`Authorization: Bearer`), and the
 * server decides who acts: the journal names the key, never a name the caller asserts. The API's problems
 * (`application/problem+json`, RFC 9457) come back as the ConsoleError of their status, so cli/main.ts maps them to
 * the exit codes every command uses.
 */
type Env = Record<string, string | undefined>;

export const DEFAULT_API_URL = 'http://127.0.0.1:8091';

export interface ApiConnection {
  url: string;
  key: string;
}

/**
 * The API to call and the key to send. In production the URL must be https unless the API is on this machine
 * (loopback), so that the key never travels in clear.
 */
export function apiConnection(env: Env = process.env): ApiConnection {
  const key = env.ESU_BRIDGE_API_KEY;
  if (!key)
    throw new UsageError(
      'ESU_BRIDGE_API_KEY is not set: set it to an API key of the bookmaker API with the migrations scopes (esu-bridge api new-key)',
    );
  const raw = env.ESU_BRIDGE_API_URL || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`ESU_BRIDGE_API_URL: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`ESU_BRIDGE_API_URL: "${raw}" is not an http(s) URL`);
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
  if (env.NODE_ENV === 'production' && url.protocol === 'http:' && !loopback)
    throw new UsageError('ESU_BRIDGE_API_URL: must be https in production (the API key would travel in clear)');
  return { url: raw.replace(/\/+$/, ''), key };
}

/**
 * A problem's status as the CLI's error code. A refusal by the resource's state (409: pausing a paused migration)
 * and an invalid request are both invalid input (exit 2), as they were when the CLI called Temporal itself.
 */
const BY_STATUS: Record<number, ConsoleErrorCode> = {
  400: 'INVALID',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'INVALID',
  413: 'INVALID',
  415: 'INVALID',
  422: 'INVALID',
  429: 'TOO_MANY',
  503: 'UNAVAILABLE',
};

/** An answer of the API that is not a 2xx, as the ConsoleError its status stands for, with the problem's detail. */
export function apiProblem(status: number, text: string): ConsoleError {
  let problem: { detail?: unknown; title?: unknown; errorType?: unknown; errors?: unknown } | undefined;
  try {
    problem = JSON.parse(text);
  } catch {
    problem = undefined;
  }
  const said = typeof problem?.detail === 'string' ? problem.detail : problem?.title;
  const message = typeof said === 'string' ? said : `the API answered ${status}: ${text.slice(0, 200)}`;
  const details =
    problem && (problem.errorType !== undefined || problem.errors !== undefined)
      ? { errorType: problem.errorType, errors: problem.errors }
      : undefined;
  return new ConsoleError(BY_STATUS[status] ?? 'FAILED', message, details);
}

export interface ApiAnswer<T> {
  status: number;
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One call of the API: JSON in, JSON out, a problem thrown. A POST carries `idempotencyKey`, else a fresh one (a
 * step the CLI sends once).
 */
export async function apiCall<T>(
  conn: ApiConnection,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; idempotencyKey?: string } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${conn.key}` };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
  }
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(conn.url + path, {
      method,
      headers,
      body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined,
    });
  } catch (err) {
    throw new ConsoleError('FAILED', `the API at ${conn.url} cannot be reached: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  if (res.statusCode >= 400) throw apiProblem(res.statusCode, text);
  return { status: res.statusCode, data: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}
