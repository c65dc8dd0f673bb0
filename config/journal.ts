import { z } from 'zod';
import { parseEnv, type Env } from './env.js';

/** Development key of the journal's seals; refused in production (config/production.ts). */
export const DEV_JOURNAL_SEAL_KEY = 'dev-only-journal-seal-key-change-me-0000';

/**
 * The key that seals the journal's chain head (console/journal-seal.ts). It lives with the application, never in
 * PostgreSQL: whoever owns the database can rewrite the chain and re-hash it, but cannot seal the result.
 */
export function journalSealConfig(env: Env = process.env): {
  keyId: string;
  key: string;
  intervalMs: number;
} {
  const c = parseEnv(
    z.object({
      JOURNAL_SEAL_KEY: z.string().min(32, 'must be at least 32 characters').default(DEV_JOURNAL_SEAL_KEY),
      JOURNAL_SEAL_KEY_ID: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,40}$/, 'letters, digits, ".", "_" and "-" only')
        .default('seal-1'),
      JOURNAL_SEAL_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    }),
    env,
  );
  return {
    keyId: c.JOURNAL_SEAL_KEY_ID,
    key: c.JOURNAL_SEAL_KEY,
    intervalMs: c.JOURNAL_SEAL_INTERVAL_MINUTES * 60_000,
  };
}
