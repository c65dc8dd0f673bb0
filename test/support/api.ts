import { apiConfig, apiKeyEntry } from '../../config/api.js';
import { startApi } from '../../api/server.js';
import { startFrontedStack } from './stack.js';
import { signingEnv } from './certificates.js';

/** API keys of the tests: one that may do everything, one that may only read deposits, one with a tiny rate limit. */
export const API_KEYS = {
  full: 'it-full-key-0123456789',
  reader: 'it-reader-key-0123456789',
  slow: 'it-slow-key-0123456789',
} as const;

/** A file's stack (startFileStack) with the bookmaker API on an ephemeral loopback port in front of it. */
export async function startApiStack(env: Record<string, string> = {}) {
  const { front: api, ...stack } = await startFrontedStack(env, (stack) =>
    startApi({ client: stack.esuBridge, pool: stack.pool, config: apiTestConfig(env) }, { host: '127.0.0.1', port: 0 }),
  );
  return { ...stack, api };
}

/** The API's configuration for the tests: their keys, AFM's signing trust, then `env`. */
function apiTestConfig(env: Record<string, string>) {
  return apiConfig({
    API_KEYS: [
      apiKeyEntry('it-full', API_KEYS.full, ['*']),
      apiKeyEntry('it-reader', API_KEYS.reader, ['deposits:read']),
      `${apiKeyEntry('it-slow', API_KEYS.slow, ['deposits:read'])}:3`,
    ].join(','),
    // AFM's certificate and CA its pushed verdicts are checked against (the simulator signs with the same test AFM).
    ...signingEnv(),
    ...env,
  });
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: any;
}

/** Plain HTTP, as a PHP, Java, Go or Python backend would call the API: no TypeScript client involved. */
export function httpClient(baseUrl: string, defaultKey: string = API_KEYS.full) {
  return async function http(
    method: 'GET' | 'POST',
    path: string,
    {
      body,
      key = defaultKey,
      headers = {},
    }: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
}
