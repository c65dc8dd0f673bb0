import { z } from 'zod';
import { notDefined, parseEnv, type Env } from './env.js';

export interface DatabaseConfig {
  url: string;
  /**
   * The role the long-running processes (worker, API, console, console CLI) take on every connection:
   * `esu_bridge_app` (migration 018_b), which may append to the journal but not change it, and does not own the
   * tables. Unset: the DATABASE_URL user's own rights (which should then be a login member of esu_bridge_app in
   * production).
   */
  role?: string;
}

const DatabaseEnv = z.object({
  DATABASE_URL: z.string().min(1, 'is required'),
  DATABASE_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain PostgreSQL role name (lower case, digits, _)')
    .optional(),
});

export function databaseConfig(env: Env = process.env): DatabaseConfig {
  if (env.DATABASE_URL === undefined) throw notDefined('DATABASE_URL', 'postgres://user:password@host:5432/database');
  const e = parseEnv(DatabaseEnv, {
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_ROLE: env.DATABASE_ROLE?.trim() || undefined,
  });
  return { url: e.DATABASE_URL, role: e.DATABASE_ROLE };
}

/** The tables' owner, for `npm run migrate`, backup and restore: MIGRATION_DATABASE_URL, else DATABASE_URL. */
export function migrationDatabaseUrl(env: Env = process.env): string {
  return env.MIGRATION_DATABASE_URL?.trim() ? env.MIGRATION_DATABASE_URL.trim() : databaseConfig(env).url;
}

/** postgres://user:password@host/db with the credentials hidden, for start-up summaries. */
export const redactedDatabaseUrl = (url: string) => url.replace(/\/\/[^@]*@/, '//***@');
