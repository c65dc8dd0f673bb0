import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CounterpartEndpoint } from '../activities/http.js';
import type { SignerTrust } from '../crypto/signer.js';
import { afmCertificateTrust } from './signing.js';
import { DEFAULT_MAINTENANCE_WINDOWS, parseMaintenanceWindows } from '../domain/maintenance.js';

/**
 * Configuration is read once, at start, from the environment. Temporal variables use the
 * SDK's standard names; every counterpart has a base URL and an API key, and optionally mutual TLS, so a
 * bookmaker swaps the simulators for the real endpoints by setting these and nothing else.
 */
type Env = Record<string, string | undefined>;

const optionalPath = z.string().min(1).optional();
const boolFromEnv = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Development-only secret: production refuses it and the start-up summary marks it (config/production.ts). */
export const DEV_BETTOR_REF_KEY = 'dev-only-bettor-ref-key-change-me';

/** Production mode is NODE_ENV=production (the Dockerfile sets it); anything else is development. */
export function isProduction(env: Env = process.env): boolean {
  return env.NODE_ENV === 'production';
}

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
  tls?: {
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverRootCACertificate?: Buffer;
    serverNameOverride?: string;
  };
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
              ? {
                  crt: readFileSync(e.TEMPORAL_TLS_CLIENT_CERT_PATH),
                  key: readFileSync(e.TEMPORAL_TLS_CLIENT_KEY_PATH),
                }
              : undefined,
          serverRootCACertificate: e.TEMPORAL_TLS_SERVER_CA_CERT_PATH
            ? readFileSync(e.TEMPORAL_TLS_SERVER_CA_CERT_PATH)
            : undefined,
          serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
  };
}

/** A PEM file a *_TLS_*_PATH variable names, read at start: a missing or unreadable file is an error naming the variable. */
function pemFile(variable: string, path: string, what: 'certificate' | 'key'): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw new ReferenceError(
      `${variable} environment variable is invalid: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const marker = what === 'key' ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/;
  if (!marker.test(text.toString('latin1'))) {
    throw new ReferenceError(
      `${variable} environment variable is invalid: ${path} holds no PEM ${what === 'key' ? 'private key' : 'certificate'}`,
    );
  }
  return text;
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
  // Mutual TLS (the ESU integration plan, item 10; ЦОИД rules §§18–20): a client certificate goes with its key.
  if (tlsPaths.certPath && !tlsPaths.keyPath)
    throw new ReferenceError(
      `${prefix}_TLS_CLIENT_KEY_PATH environment variable is not defined (${prefix}_TLS_CLIENT_CERT_PATH needs its private key)`,
    );
  if (tlsPaths.keyPath && !tlsPaths.certPath)
    throw new ReferenceError(
      `${prefix}_TLS_CLIENT_CERT_PATH environment variable is not defined (${prefix}_TLS_CLIENT_KEY_PATH needs its certificate)`,
    );
  const tls = Object.values(tlsPaths).some(Boolean)
    ? {
        ...tlsPaths,
        ...(tlsPaths.certPath
          ? { cert: pemFile(`${prefix}_TLS_CLIENT_CERT_PATH`, tlsPaths.certPath, 'certificate') }
          : {}),
        ...(tlsPaths.keyPath ? { key: pemFile(`${prefix}_TLS_CLIENT_KEY_PATH`, tlsPaths.keyPath, 'key') } : {}),
        ...(tlsPaths.caPath
          ? { ca: pemFile(`${prefix}_TLS_SERVER_CA_CERT_PATH`, tlsPaths.caPath, 'certificate') }
          : {}),
      }
    : undefined;
  return {
    counterpart,
    baseUrl: get('BASE_URL')!,
    apiKey: get('API_KEY')!,
    timeoutMs: e[`${prefix}_TIMEOUT_MS`] as number,
    tls,
  };
}

export const DEFAULT_PORTS = { temporal: 7233, temporalUi: 8233, esu: 7301, nomapay: 7302, afm: 7303 } as const;

export function counterpartsConfig(env: Env = process.env) {
  return {
    esu: counterpartEndpoint('esu', 'ESU', `http://127.0.0.1:${DEFAULT_PORTS.esu}`, 'dev-esu-key', env),
    nomapay: counterpartEndpoint(
      'nomapay',
      'NOMAPAY',
      `http://127.0.0.1:${DEFAULT_PORTS.nomapay}`,
      'dev-nomapay-key',
      env,
    ),
    /** AFM's submission API (AFM order No. 9; REQ-AFM-23: endpoint and credentials are configuration). */
    afm: counterpartEndpoint('afm', 'AFM', `http://127.0.0.1:${DEFAULT_PORTS.afm}`, 'dev-afm-key', env),
    /**
     * Nomapay's identification API (the ЦОИД participant; ЦОИД rules §45). NOMAPAY_ID_* when it differs (its own
     * host, or mutual TLS with certificates from the operator's CA, §§18–20); otherwise the NOMAPAY_* values.
     */
    nomapayIdentification: counterpartEndpoint(
      'tsoid',
      'NOMAPAY_ID',
      `http://127.0.0.1:${DEFAULT_PORTS.nomapay}`,
      'dev-nomapay-key',
      {
        ...Object.fromEntries(
          Object.entries(env).flatMap(([k, v]) =>
            k.startsWith('NOMAPAY_') ? [[k.replace('NOMAPAY_', 'NOMAPAY_ID_'), v]] : [],
          ),
        ),
        ...env,
      },
    ),
  };
}

export function databaseUrl(env: Env = process.env): string {
  if (env.DATABASE_URL === undefined)
    throw new ReferenceError(
      'DATABASE_URL environment variable is not defined (postgres://user:password@host:5432/database)',
    );
  return parse(z.object({ DATABASE_URL: z.string().min(1, 'is required') }), env).DATABASE_URL;
}

/**
 * The role the long-running processes (worker, API, console, console CLI) take on every connection: `esu_bridge_app`
 * (migration 018_b), which may append to the journal but not change it, and does not own the tables. Unset: the
 * DATABASE_URL user's own rights (which should then be a login member of esu_bridge_app in production).
 */
export function databaseRole(env: Env = process.env): string | undefined {
  const role = env.DATABASE_ROLE?.trim();
  if (!role) return undefined;
  return parse(
    z.object({
      DATABASE_ROLE: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain PostgreSQL role name (lower case, digits, _)'),
    }),
    { DATABASE_ROLE: role },
  ).DATABASE_ROLE;
}

/** The tables' owner, for `npm run migrate`, backup and restore: MIGRATION_DATABASE_URL, else DATABASE_URL. */
export function migrationDatabaseUrl(env: Env = process.env): string {
  return env.MIGRATION_DATABASE_URL?.trim() ? env.MIGRATION_DATABASE_URL.trim() : databaseUrl(env);
}

/** Key of the HMAC that turns an IIN into the bettor reference ops filter by. Keep it secret and stable. */
export function bettorRefKey(env: Env = process.env): string {
  return parse(
    z.object({ BETTOR_REF_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_BETTOR_REF_KEY) }),
    env,
  ).BETTOR_REF_KEY;
}

/**
 * BETTOR_IDENTIFICATION_REQUIRED (default true): deposits and bets are taken only from bettors whose
 * identification through Nomapay (the ESU integration plan, items 6–7) ended IDENTIFIED. Turn it off only for benchmarks or
 * a bookmaker whose bettors are identified by another system of record.
 */
export function identificationRequired(env: Env = process.env): boolean {
  return parse(z.object({ BETTOR_IDENTIFICATION_REQUIRED: z.stringbool().default(true) }), env)
    .BETTOR_IDENTIFICATION_REQUIRED;
}

/** The worker's workflow cache by default (TEMPORAL_WORKER_CACHED_WORKFLOWS); chosen by `npm run bench`, docs/operations.md. */
export const WORKER_CACHED_WORKFLOWS = 20;
/**
 * The Node flag the worker process runs with (package.json `start.worker`, the benchmarks; a deployment passes it to the worker's node): V8's
 * default old space (~4 GiB here) lets garbage pile up between collections; 256 MiB holds the default cache
 * with room to spare and keeps the process's RSS near its live size. Measured in docs/operations.md.
 */
export const WORKER_NODE_OPTIONS = '--max-old-space-size=256';

export function workerCapacity(env: Env = process.env) {
  const e = parse(
    z.object({
      TEMPORAL_WORKER_CAPACITY_ACTIVITIES: z.coerce.number().int().positive().default(200),
      TEMPORAL_WORKER_CAPACITY_WORKFLOW_TASKS: z.coerce.number().int().positive().default(WORKER_CACHED_WORKFLOWS),
      TEMPORAL_WORKER_CAPACITY_LOCAL_ACTIVITIES: z.coerce.number().int().positive().default(200),
      // Submissions stay open for a working day or more: thousands may be waiting at once. The SDK's default
      // cache (by heap size: about 2 300 workflows on a 4 GiB heap) keeps every one of them, ~2 MiB each in the
      // worker's RSS (docs/operations.md). 20 kept the worker under 400 MiB where 40 and 100 did not; an evicted one replays
      // (a few dozen events) when its signal or timer comes. Not below the workflow task slots: the SDK would
      // lower those to it.
      TEMPORAL_WORKER_CACHED_WORKFLOWS: z.coerce
        .number()
        .int()
        .min(2, 'must be at least 2')
        .default(WORKER_CACHED_WORKFLOWS),
      DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(20),
    }),
    env,
  );
  return {
    maxConcurrentActivityTaskExecutions: e.TEMPORAL_WORKER_CAPACITY_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: e.TEMPORAL_WORKER_CAPACITY_WORKFLOW_TASKS,
    maxConcurrentLocalActivityExecutions: e.TEMPORAL_WORKER_CAPACITY_LOCAL_ACTIVITIES,
    maxCachedWorkflows: e.TEMPORAL_WORKER_CACHED_WORKFLOWS,
    databasePoolSize: e.DATABASE_POOL_SIZE,
  };
}

/**
 * What start-up logs: addresses, never a secret. Which secrets are still development ones is
 * `developmentSummary` (config/production.ts).
 */
export function redactedSummary(env: Env = process.env): Record<string, unknown> {
  const t = temporalConfig(env);
  const c = counterpartsConfig(env);
  return {
    temporal: {
      address: t.address,
      namespace: t.namespace,
      taskQueue: t.taskQueue,
      tls: Boolean(t.tls),
      apiKey: Boolean(t.apiKey),
    },
    database: env.DATABASE_URL ? env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') : undefined,
    esu: { baseUrl: c.esu.baseUrl, tls: Boolean(c.esu.tls) },
    nomapay: { baseUrl: c.nomapay.baseUrl, tls: Boolean(c.nomapay.tls) },
    nomapayIdentification: { baseUrl: c.nomapayIdentification.baseUrl, tls: Boolean(c.nomapayIdentification.tls) },
    identificationRequired: identificationRequired(env),
    afm: { baseUrl: c.afm.baseUrl, tls: Boolean(c.afm.tls) },
    submissions: submissionSummary(env),
  };
}

export interface MessageSigning {
  /** How the bookmaker is known to the receiver (its BIN or system name). */
  sender: string;
}

/**
 * `<PREFIX>_SENDER`: how the bookmaker names itself in a kind of signed message. The key and certificate are one
 * for every document: SIGNING_PKCS12_PATH (config/signing.ts).
 */
export function messageSigningConfig(prefix: 'AFM' | 'INCIDENT', env: Env = process.env): MessageSigning {
  const sender = `${prefix}_SENDER`;
  const e = parse(z.object({ [sender]: z.string().min(1).max(64).default('esu-bridge-bookmaker') }), env) as Record<
    string,
    string
  >;
  return { sender: e[sender]! };
}

/** How the bookmaker is known to AFM (AFM_SENDER). */
export function afmSigningConfig(env: Env = process.env): MessageSigning {
  return messageSigningConfig('AFM', env);
}

/**
 * AFM's pushed verdicts (the e-government integration rules §47): the certificate AFM signs them with and its CA
 * (AFM_CERTIFICATE_PATH / AFM_CA_PATH, config/signing.ts) and how old a callback may be before it counts as a
 * replay (AFM_CALLBACK_MAX_AGE).
 */
export function afmCallbackConfig(env: Env = process.env): { trust: SignerTrust; maxAgeMs: number } {
  const e = parse(z.object({ AFM_CALLBACK_MAX_AGE: duration.default(5 * 60_000) }), env);
  return { trust: afmCertificateTrust(env), maxAgeMs: e.AFM_CALLBACK_MAX_AGE };
}

/**
 * The verdict reader (one per counterpart, on the worker's task queue): how often it fetches AFM's messages
 * (AFM_VERDICT_FETCH_INTERVAL, 1 minute) and how many it takes per request (AFM_VERDICT_PAGE_SIZE, 100).
 * AFM_VERDICT_READER=false leaves it to the push channel (and the final check at each window's end).
 */
export function verdictReaderConfig(env: Env = process.env): {
  enabled: boolean;
  intervalMs: number;
  pageSize: number;
} {
  const e = parse(
    z.object({
      AFM_VERDICT_READER: z.enum(['true', 'false']).default('true'),
      AFM_VERDICT_FETCH_INTERVAL: duration.default(60_000),
      AFM_VERDICT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    env,
  );
  return {
    enabled: e.AFM_VERDICT_READER === 'true',
    intervalMs: e.AFM_VERDICT_FETCH_INTERVAL,
    pageSize: e.AFM_VERDICT_PAGE_SIZE,
  };
}

/** The shipped Kazakhstan calendar (config/calendar/kz-working-days.json), to be updated yearly from the decree. */
export const DEFAULT_WORKING_DAY_CALENDAR = fileURLToPath(new URL('./calendar/kz-working-days.json', import.meta.url));

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, 'must be a duration like 1h, 30m, 10s or 500ms')
  .transform((text) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h)$/.exec(text)!;
    return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  })
  .refine((ms) => ms > 0, 'must be longer than zero');

/**
 * Regulator submissions: the working-day calendar file, maintenance windows (the e-government integration rules, item 48), how often AFM's
 * verdict is polled, how long a counterpart may stay unreachable outside maintenance, and the officers' reminder.
 */
export function submissionConfig(env: Env = process.env) {
  const e = parse(
    z.object({
      WORKING_DAY_CALENDAR: z.string().min(1).default(DEFAULT_WORKING_DAY_CALENDAR),
      MAINTENANCE_WINDOWS: z.string().min(1).default(DEFAULT_MAINTENANCE_WINDOWS),
      SUBMISSION_POLL_INTERVAL: duration.default(3600_000),
      // The e-government integration rules, annex 2: a state service recovers within 3 hours; past that an officer looks.
      SUBMISSION_OUTAGE_DEADLINE: duration.default(3 * 3600_000),
      SUBMISSION_RETRY_PAUSE: duration.default(5 * 60_000),
      // Doubling from SUBMISSION_RETRY_PAUSE: one submission sends at most twice an hour through a long outage.
      SUBMISSION_RETRY_PAUSE_MAX: duration.default(30 * 60_000),
      SUBMISSION_REMINDER_AT: z
        .string()
        .regex(/^\d{1,2}%$/, 'must be a percentage of the due time like 50%')
        .default('50%'),
    }),
    env,
  );
  let maintenance;
  try {
    maintenance = parseMaintenanceWindows(e.MAINTENANCE_WINDOWS);
  } catch (err) {
    throw new ReferenceError(`MAINTENANCE_WINDOWS environment variable is invalid: ${(err as Error).message}`);
  }
  const reminderFraction = Number(e.SUBMISSION_REMINDER_AT.slice(0, -1)) / 100;
  if (reminderFraction <= 0)
    throw new ReferenceError('SUBMISSION_REMINDER_AT environment variable is invalid: must be more than 0%');
  return {
    calendarPath: e.WORKING_DAY_CALENDAR,
    maintenance,
    policy: {
      pollIntervalMs: e.SUBMISSION_POLL_INTERVAL,
      outageDeadlineMs: e.SUBMISSION_OUTAGE_DEADLINE,
      retryPauseMs: e.SUBMISSION_RETRY_PAUSE,
      retryPauseMaxMs: Math.max(e.SUBMISSION_RETRY_PAUSE, e.SUBMISSION_RETRY_PAUSE_MAX),
      reminderFraction,
    },
  };
}

function submissionSummary(env: Env): Record<string, unknown> {
  const s = submissionConfig(env);
  return {
    calendar: s.calendarPath,
    maintenanceWindows: env.MAINTENANCE_WINDOWS ?? DEFAULT_MAINTENANCE_WINDOWS,
    ...s.policy,
  };
}

/**
 * STARTUP_WAIT_SECONDS (default 300): how long a process started before PostgreSQL or Temporal waits for them,
 * retrying with backoff, before it exits naming the one that did not answer.
 */
export function startupWaitMs(env: Env = process.env): number {
  return (
    parse(z.object({ STARTUP_WAIT_SECONDS: z.coerce.number().int().positive().default(300) }), env)
      .STARTUP_WAIT_SECONDS * 1000
  );
}

/** The worker's /healthz and /readyz: WORKER_HEALTH_HOST:WORKER_HEALTH_PORT (default 127.0.0.1:9465; 0 = any free port, off = none). */
export function workerHealthListen(env: Env = process.env): { host: string; port: number } | undefined {
  const e = parse(
    z.object({
      WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
      WORKER_HEALTH_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(9465),
    }),
    env,
  );
  return e.WORKER_HEALTH_PORT === 'off' ? undefined : { host: e.WORKER_HEALTH_HOST, port: e.WORKER_HEALTH_PORT };
}

/**
 * How a worker drains on SIGTERM/SIGINT: WORKER_SHUTDOWN_GRACE_SECONDS (default 5) for activities in flight to
 * finish before they are cancelled, WORKER_SHUTDOWN_FORCE_SECONDS (default 20) before it gives up on a task that
 * cannot finish (PostgreSQL already gone) and the process exits 1. Keep both under the orchestrator's own grace
 * period (docker stop: 10 s unless stop_grace_period says otherwise; Kubernetes: 30 s).
 */
export function workerShutdown(env: Env = process.env): { shutdownGraceTime: number; shutdownForceTime: number } {
  const e = parse(
    z.object({
      WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().nonnegative().default(5),
      WORKER_SHUTDOWN_FORCE_SECONDS: z.coerce.number().positive().default(20),
    }),
    env,
  );
  return {
    shutdownGraceTime: e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
    shutdownForceTime: e.WORKER_SHUTDOWN_FORCE_SECONDS * 1000,
  };
}

/** How long a namespace created by `dist/scripts/setup-temporal.js` keeps closed runs (TEMPORAL_NAMESPACE_RETENTION_DAYS, default 30). */
export function namespaceRetentionDays(env: Env = process.env): number {
  return parse(
    z.object({ TEMPORAL_NAMESPACE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30) }),
    env,
  ).TEMPORAL_NAMESPACE_RETENTION_DAYS;
}
