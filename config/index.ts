import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CounterpartEndpoint } from '../activities/http.js';

/**
 * Configuration is read once, at start, from the environment (STYLE item 31). Temporal variables use the
 * SDK's standard names; every counterpart has a base URL and an API key, and optionally mutual TLS, so a
 * bookmaker swaps the simulators for the real endpoints by setting these and nothing else.
 */
type Env = Record<string, string | undefined>;

const optionalPath = z.string().min(1).optional();
const boolFromEnv = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Development-only secret: start-up warns when it is in use (see `isDevSecret`). */
export const DEV_BETTOR_REF_KEY = 'dev-only-bettor-ref-key-change-me';

const TemporalEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('esu-bridge-sagas'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: boolFromEnv.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalPath,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalPath,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalPath,
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
});

const CounterpartEnv = (prefix: string, defaultUrl: string, defaultKey: string) =>
  z.object({
    [`${prefix}_BASE_URL`]: z.url().default(defaultUrl),
    [`${prefix}_API_KEY`]: z.string().min(1).default(defaultKey),
    [`${prefix}_TIMEOUT_MS`]: z.coerce.number().int().positive().default(10_000),
    [`${prefix}_TLS_CLIENT_CERT_PATH`]: optionalPath,
    [`${prefix}_TLS_CLIENT_KEY_PATH`]: optionalPath,
    [`${prefix}_TLS_SERVER_CA_CERT_PATH`]: optionalPath,
    [`${prefix}_TLS_SERVER_NAME`]: z.string().min(1).optional(),
  });

function parse<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ReferenceError(`${issue.path.join('.')} environment variable is invalid: ${issue.message}`);
  }
  return result.data;
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer; serverNameOverride?: string };
}

export function temporalConfig(env: Env = process.env): TemporalConfig {
  const e = parse(TemporalEnv, env);
  const wantsTls = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_TLS_CLIENT_CERT_PATH || e.TEMPORAL_API_KEY);
  return {
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    apiKey: e.TEMPORAL_API_KEY,
    tls: wantsTls
      ? {
          clientCertPair:
            e.TEMPORAL_TLS_CLIENT_CERT_PATH && e.TEMPORAL_TLS_CLIENT_KEY_PATH
              ? { crt: readFileSync(e.TEMPORAL_TLS_CLIENT_CERT_PATH), key: readFileSync(e.TEMPORAL_TLS_CLIENT_KEY_PATH) }
              : undefined,
          serverRootCACertificate: e.TEMPORAL_TLS_SERVER_CA_CERT_PATH ? readFileSync(e.TEMPORAL_TLS_SERVER_CA_CERT_PATH) : undefined,
          serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
  };
}

function counterpartEndpoint(
  counterpart: CounterpartEndpoint['counterpart'],
  prefix: string,
  defaultUrl: string,
  defaultKey: string,
  env: Env,
): CounterpartEndpoint {
  const e = parse(CounterpartEnv(prefix, defaultUrl, defaultKey), env) as Record<string, string | number | undefined>;
  const get = (name: string) => e[`${prefix}_${name}`] as string | undefined;
  const tlsPaths = {
    certPath: get('TLS_CLIENT_CERT_PATH'),
    keyPath: get('TLS_CLIENT_KEY_PATH'),
    caPath: get('TLS_SERVER_CA_CERT_PATH'),
    serverName: get('TLS_SERVER_NAME'),
  };
  return {
    counterpart,
    baseUrl: get('BASE_URL')!,
    apiKey: get('API_KEY')!,
    timeoutMs: e[`${prefix}_TIMEOUT_MS`] as number,
    tls: Object.values(tlsPaths).some(Boolean) ? tlsPaths : undefined,
  };
}

export const DEFAULT_PORTS = { temporal: 7233, temporalUi: 8233, esu: 7301, nomapay: 7302 } as const;

export function counterpartsConfig(env: Env = process.env) {
  return {
    esu: counterpartEndpoint('esu', 'ESU', `http://127.0.0.1:${DEFAULT_PORTS.esu}`, 'dev-esu-key', env),
    nomapay: counterpartEndpoint('nomapay', 'NOMAPAY', `http://127.0.0.1:${DEFAULT_PORTS.nomapay}`, 'dev-nomapay-key', env),
  };
}

export function databaseUrl(env: Env = process.env): string {
  return parse(z.object({ DATABASE_URL: z.string().min(1, 'is required') }), env).DATABASE_URL;
}

/** Key of the HMAC that turns an IIN into the bettor reference ops filter by. Keep it secret and stable. */
export function bettorRefKey(env: Env = process.env): string {
  return parse(z.object({ BETTOR_REF_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_BETTOR_REF_KEY) }), env)
    .BETTOR_REF_KEY;
}

export function workerCapacity(env: Env = process.env) {
  const e = parse(
    z.object({
      TEMPORAL_WORKER_CAPACITY_ACTIVITIES: z.coerce.number().int().positive().default(200),
      TEMPORAL_WORKER_CAPACITY_WORKFLOW_TASKS: z.coerce.number().int().positive().default(100),
      TEMPORAL_WORKER_CAPACITY_LOCAL_ACTIVITIES: z.coerce.number().int().positive().default(200),
      DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(20),
    }),
    env,
  );
  return {
    maxConcurrentActivityTaskExecutions: e.TEMPORAL_WORKER_CAPACITY_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: e.TEMPORAL_WORKER_CAPACITY_WORKFLOW_TASKS,
    maxConcurrentLocalActivityExecutions: e.TEMPORAL_WORKER_CAPACITY_LOCAL_ACTIVITIES,
    databasePoolSize: e.DATABASE_POOL_SIZE,
  };
}

/** What start-up logs: addresses and whether secrets are set, never the secrets (STYLE item 32). */
export function redactedSummary(env: Env = process.env): Record<string, unknown> {
  const t = temporalConfig(env);
  const c = counterpartsConfig(env);
  return {
    temporal: { address: t.address, namespace: t.namespace, taskQueue: t.taskQueue, tls: Boolean(t.tls), apiKey: Boolean(t.apiKey) },
    database: env.DATABASE_URL ? env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') : undefined,
    esu: { baseUrl: c.esu.baseUrl, tls: Boolean(c.esu.tls) },
    nomapay: { baseUrl: c.nomapay.baseUrl, tls: Boolean(c.nomapay.tls) },
    bettorRefKey: bettorRefKey(env) === DEV_BETTOR_REF_KEY ? 'DEVELOPMENT KEY (set BETTOR_REF_KEY)' : 'set',
  };
}
