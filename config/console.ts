import { z } from 'zod';
import { IncidentTiming } from '../domain/incident-deadlines.js';
import { offsetMinutes } from '../domain/incident.js';
import { boolean, duration, durationList, invalid, isProduction, parseEnv, type Env } from './env.js';

/**
 * Settings of incidents, the compliance console and the detectors, read once from the environment. Development
 * defaults exist for every secret; start-up says when one is in use.
 */
const offset = z.string().regex(/^[+-]\d{2}:\d{2}$/, 'must be a UTC offset like +05:00');

export const DEV_SESSION_SECRET = 'dev-only-console-session-secret-change-me-please';
/** Development users: one per role, password = login. Set CONSOLE_USERS in any real deployment. */
export const DEV_CONSOLE_USERS = 'admin:admin:admin,officer:officer:officer,auditor:auditor:auditor';

const IncidentsEnv = z.object({
  INCIDENT_REMINDERS: durationList.default([12 * 3600_000, 4 * 3600_000, 3600_000]),
  INCIDENT_INTERNAL_TARGET: duration.default(24 * 3600_000),
  // What trips an automatic incident (see activities/detectors.ts).
  INCIDENT_DETECTORS: boolean.default(true),
  INCIDENT_DETECTOR_INTERVAL: duration.default(60_000),
  INCIDENT_DETECT_UNREACHABLE_AFTER: duration.default(15 * 60_000),
  INCIDENT_DETECT_AUTH_FAILURES: z.coerce.number().int().positive().default(5),
  INCIDENT_DETECT_AUTH_WINDOW: duration.default(10 * 60_000),
  CONSOLE_UTC_OFFSET: offset.default('+05:00'),
});

/** Incident cards' reminders and internal target, and the detectors that open incidents by themselves. */
export function incidentsConfig(env: Env = process.env) {
  const e = parseEnv(IncidentsEnv, env);
  return {
    timing: IncidentTiming.parse({
      reminderOffsetsMs: e.INCIDENT_REMINDERS,
      internalTargetMs: e.INCIDENT_INTERNAL_TARGET,
    }),
    detectors: {
      enabled: e.INCIDENT_DETECTORS,
      intervalMs: e.INCIDENT_DETECTOR_INTERVAL,
      unreachableAfterMs: e.INCIDENT_DETECT_UNREACHABLE_AFTER,
      authFailures: e.INCIDENT_DETECT_AUTH_FAILURES,
      authWindowMs: e.INCIDENT_DETECT_AUTH_WINDOW,
      offsetMinutes: offsetMinutes(e.CONSOLE_UTC_OFFSET),
    },
  };
}
export type IncidentsConfig = ReturnType<typeof incidentsConfig>;

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
      if (!parsed.success) throw invalid('CONSOLE_USERS', `"${login}": ${parsed.error.issues[0]!.message}`);
      return parsed.data;
    });
  if (new Set(users.map((u) => u.login)).size !== users.length) throw invalid('CONSOLE_USERS', 'a login appears twice');
  return users;
}

export function consoleConfig(env: Env = process.env) {
  const e = parseEnv(
    z.object({
      CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
      CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
      CONSOLE_USERS: z.string().min(1).default(DEV_CONSOLE_USERS),
      CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_SESSION_SECRET),
      /** A session's absolute lifetime from sign-in, and how long it may go without a request (console/sessions.ts). */
      CONSOLE_SESSION_TTL: duration.default(8 * 3600_000),
      CONSOLE_SESSION_IDLE: duration.default(30 * 60_000),
      /** How long a token issued to `esu-bridge login` holds (console/cli-tokens.ts). */
      CONSOLE_CLI_TOKEN_TTL: duration.default(8 * 3600_000),
      /** The longest planned maintenance window an administrator may record (domain/maintenance.ts). */
      CONSOLE_MAINTENANCE_MAX_LENGTH: duration.default(12 * 3600_000),
      CONSOLE_UTC_OFFSET: offset.default('+05:00'),
      /** The Temporal UI's origin, allowed to call /codec/decode with the officer's session (TEMPORAL_CODEC_ENDPOINT). */
      CONSOLE_CODEC_CORS_ORIGIN: z.url().optional(),
      /** Send the session cookie with `Secure` in development too (always so in production). */
      CONSOLE_COOKIE_SECURE: boolean.default(false),
    }),
    env,
  );
  return {
    codecCorsOrigin: e.CONSOLE_CODEC_CORS_ORIGIN?.replace(/\/$/, ''),
    // Production serves the console over HTTPS only (behind the bookmaker's TLS proxy): the session never travels in clear.
    cookieSecure: isProduction(env) || e.CONSOLE_COOKIE_SECURE,
    host: e.CONSOLE_HOST,
    port: e.CONSOLE_PORT,
    users: parseConsoleUsers(e.CONSOLE_USERS),
    sessionSecret: e.CONSOLE_SESSION_SECRET,
    sessionTtlMs: e.CONSOLE_SESSION_TTL,
    sessionIdleMs: e.CONSOLE_SESSION_IDLE,
    cliTokenTtlMs: e.CONSOLE_CLI_TOKEN_TTL,
    maintenanceMaxLengthMs: e.CONSOLE_MAINTENANCE_MAX_LENGTH,
    offsetMinutes: offsetMinutes(e.CONSOLE_UTC_OFFSET),
    utcOffset: e.CONSOLE_UTC_OFFSET,
    devUsers: e.CONSOLE_USERS === DEV_CONSOLE_USERS,
    devSessionSecret: e.CONSOLE_SESSION_SECRET === DEV_SESSION_SECRET,
  };
}
export type ConsoleConfig = ReturnType<typeof consoleConfig>;

/**
 * For start-up summaries: logins and roles, never a secret. Which secrets are still development ones is
 * `developmentSummary` (config/production.ts).
 */
export function consoleSummary(c: ConsoleConfig): Record<string, unknown> {
  return {
    console: `http://${c.host}:${c.port}`,
    users: c.users.map((u) => `${u.login} (${u.role})`),
    cookieSecure: c.cookieSecure,
  };
}
