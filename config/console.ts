import { z } from 'zod';
import { IncidentTiming, parseHoursList } from '../domain/incident-deadlines.js';
import { offsetMinutes } from '../domain/incident.js';
import { isProduction, messageSigningConfig } from './index.js';

/**
 * Settings of incidents, the compliance console, the detectors and telemetry, read once from the environment
 *. Development defaults exist for every secret; start-up says when one is in use.
 */
type Env = Record<string, string | undefined>;

function parse<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ReferenceError(`${issue.path.join('.')} environment variable is invalid: ${issue.message}`);
  }
  return result.data;
}

const hours = z.string().regex(/^\d+(h|m)(,\s*\d+(h|m))*$/, 'must be durations like 24h or 90m, comma-separated');
const offset = z.string().regex(/^[+-]\d{2}:\d{2}$/, 'must be a UTC offset like +05:00');

export const DEV_SESSION_SECRET = 'dev-only-console-session-secret-change-me-please';
/** Development users: one per role, password = login. Set CONSOLE_USERS in any real deployment. */
export const DEV_CONSOLE_USERS = 'admin:admin:admin,officer:officer:officer,auditor:auditor:auditor';

export function incidentTiming(env: Env = process.env): IncidentTiming {
  const e = parse(
    z.object({ INCIDENT_REMINDERS: hours.default('12h,4h,1h'), INCIDENT_INTERNAL_TARGET: hours.default('24h') }),
    env,
  );
  return IncidentTiming.parse({
    reminderOffsetsMs: parseHoursList(e.INCIDENT_REMINDERS),
    internalTargetMs: parseHoursList(e.INCIDENT_INTERNAL_TARGET)[0],
  });
}

/** How the bookmaker is named to the receivers of incident cards (INCIDENT_SENDER); the signer is SIGNING_PKCS12_PATH. */
export function incidentDeliveryConfig(env: Env = process.env) {
  return messageSigningConfig('INCIDENT', env);
}

/** What trips an automatic incident (see activities/detectors.ts). */
export function detectorConfig(env: Env = process.env) {
  const e = parse(
    z.object({
      INCIDENT_DETECTORS: z.enum(['true', 'false']).default('true'),
      INCIDENT_DETECTOR_INTERVAL: hours.default('1m'),
      INCIDENT_DETECT_UNREACHABLE_AFTER: hours.default('15m'),
      INCIDENT_DETECT_AUTH_FAILURES: z.coerce.number().int().positive().default(5),
      INCIDENT_DETECT_AUTH_WINDOW: hours.default('10m'),
      CONSOLE_UTC_OFFSET: offset.default('+05:00'),
    }),
    env,
  );
  return {
    enabled: e.INCIDENT_DETECTORS === 'true',
    intervalMs: parseHoursList(e.INCIDENT_DETECTOR_INTERVAL)[0]!,
    unreachableAfterMs: parseHoursList(e.INCIDENT_DETECT_UNREACHABLE_AFTER)[0]!,
    authFailures: e.INCIDENT_DETECT_AUTH_FAILURES,
    authWindowMs: parseHoursList(e.INCIDENT_DETECT_AUTH_WINDOW)[0]!,
    offsetMinutes: offsetMinutes(e.CONSOLE_UTC_OFFSET),
  };
}

export const ConsoleRole = z.enum(['admin', 'officer', 'auditor']);
export type ConsoleRole = z.infer<typeof ConsoleRole>;

export interface ConsoleUser {
  login: string;
  role: ConsoleRole;
  /** A plain password (development) or `scrypt$N=…:r=…:p=…$<salt hex>$<hash hex>` (see `npm run cli -- console hash-password`). */
  secret: string;
}

/** `login:role:secret[,…]`, roles admin | officer | auditor (National Bank resolution No. 116, item 55(2): at least administrator and user). */
export function parseConsoleUsers(text: string): ConsoleUser[] {
  const users = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [login, role, ...rest] = part.split(':');
      const parsed = z
        .object({
          login: z.string().regex(/^[a-z0-9._-]{2,64}$/, 'logins are 2–64 of a-z 0-9 . _ -'),
          role: ConsoleRole,
          secret: z.string().min(1),
        })
        .safeParse({ login, role, secret: rest.join(':') });
      if (!parsed.success)
        throw new ReferenceError(
          `CONSOLE_USERS environment variable is invalid: "${login}": ${parsed.error.issues[0]!.message}`,
        );
      return parsed.data;
    });
  if (new Set(users.map((u) => u.login)).size !== users.length)
    throw new ReferenceError('CONSOLE_USERS environment variable is invalid: a login appears twice');
  return users;
}

export function consoleConfig(env: Env = process.env) {
  const e = parse(
    z.object({
      CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
      CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
      CONSOLE_USERS: z.string().min(1).default(DEV_CONSOLE_USERS),
      CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_SESSION_SECRET),
      /** A session's absolute lifetime from sign-in, and how long it may go without a request (console/sessions.ts). */
      CONSOLE_SESSION_TTL: hours.default('8h'),
      CONSOLE_SESSION_IDLE: hours.default('30m'),
      /** How long a token issued to `esu-bridge login` holds (console/cli-tokens.ts). */
      CONSOLE_CLI_TOKEN_TTL: hours.refine((v) => !/^0+(h|m)$/.test(v), 'must be longer than 0').default('8h'),
      /** The longest planned maintenance window an administrator may record (domain/maintenance.ts). */
      CONSOLE_MAINTENANCE_MAX_LENGTH: hours.default('12h'),
      CONSOLE_UTC_OFFSET: offset.default('+05:00'),
      /** The Temporal UI's origin, allowed to call /codec/decode with the officer's session (TEMPORAL_CODEC_ENDPOINT). */
      CONSOLE_CODEC_CORS_ORIGIN: z.url().optional(),
      /** Send the session cookie with `Secure` in development too (always so in production). */
      CONSOLE_COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
    }),
    env,
  );
  return {
    codecCorsOrigin: e.CONSOLE_CODEC_CORS_ORIGIN?.replace(/\/$/, ''),
    // Production serves the console over HTTPS only (behind the bookmaker's TLS proxy): the session never travels in clear.
    cookieSecure: isProduction(env) || e.CONSOLE_COOKIE_SECURE === 'true',
    host: e.CONSOLE_HOST,
    port: e.CONSOLE_PORT,
    users: parseConsoleUsers(e.CONSOLE_USERS),
    sessionSecret: e.CONSOLE_SESSION_SECRET,
    sessionTtlMs: parseHoursList(e.CONSOLE_SESSION_TTL)[0]!,
    sessionIdleMs: parseHoursList(e.CONSOLE_SESSION_IDLE)[0]!,
    cliTokenTtlMs: parseHoursList(e.CONSOLE_CLI_TOKEN_TTL)[0]!,
    maintenanceMaxLengthMs: parseHoursList(e.CONSOLE_MAINTENANCE_MAX_LENGTH)[0]!,
    offsetMinutes: offsetMinutes(e.CONSOLE_UTC_OFFSET),
    utcOffset: e.CONSOLE_UTC_OFFSET,
    devUsers: e.CONSOLE_USERS === DEV_CONSOLE_USERS,
    devSessionSecret: e.CONSOLE_SESSION_SECRET === DEV_SESSION_SECRET,
  };
}
export type ConsoleConfig = ReturnType<typeof consoleConfig>;

/** Prometheus scrape address of the worker (`off` disables) and the log format. */
export function telemetryConfig(env: Env = process.env) {
  const e = parse(
    z.object({
      METRICS_BIND_ADDRESS: z
        .string()
        .regex(/^(off|[\w.-]+:\d+)$/, 'must be host:port or off')
        .default('127.0.0.1:9464'),
      LOG_FORMAT: z.enum(['json', 'text']).default('json'),
      LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    }),
    env,
  );
  return {
    metricsBindAddress: e.METRICS_BIND_ADDRESS === 'off' ? undefined : e.METRICS_BIND_ADDRESS,
    logFormat: e.LOG_FORMAT,
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * For start-up summaries: logins and roles, never a secret. Which secrets are still development ones is
 * `developmentSummary` (config/production.ts).
 */
export function consoleSummary(env: Env = process.env): Record<string, unknown> {
  const c = consoleConfig(env);
  return {
    console: `http://${c.host}:${c.port}`,
    users: c.users.map((u) => `${u.login} (${u.role})`),
    cookieSecure: c.cookieSecure,
  };
}
