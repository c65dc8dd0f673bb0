import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Pool } from './pool.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The schema this code expects: db/migrations/*.sql, in the name order they are applied in. */
export async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
}

/**
 * Applies db/migrations/*.sql in name order, each once, under an advisory lock so that two runs started together
 * do not race. Safe to run again: it applies only what is missing. `npm run migrate` (db/main.ts) runs it once per
 * deployment; the long-running processes only check the schema (`pendingMigrations`).
 */
export async function migrate(
  pool: Pool,
  onApplied: (file: string) => void = () => undefined,
  only?: readonly string[],
): Promise<string[]> {
  // `only`: the schema of a backup being restored (db/backup.ts), which may be older than this code.
  const files = (await migrationFiles()).filter((f) => !only || only.includes(f));
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(7301)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(MIGRATIONS_DIR + file, 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
      onApplied(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7301)').catch(() => undefined);
    client.release();
  }
  return applied;
}

/** The migrations of this code that the database has not applied yet, in order (all of them on an empty database). */
export async function pendingMigrations(pool: Pool): Promise<string[]> {
  const files = await migrationFiles();
  const { rows } = await pool.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!rows[0]?.exists) return files;
  const done = new Set(
    (await pool.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
  );
  return files.filter((f) => !done.has(f));
}

export class SchemaNotCurrentError extends Error {
  override readonly name = 'SchemaNotCurrentError';
  constructor(readonly missing: string[]) {
    super(
      `the database schema is not current: ${missing.length} migration(s) not applied (${missing.join(', ')}); run \`npm run migrate\``,
    );
  }
}

/** Throws SchemaNotCurrentError naming the missing migrations, unless the database has every one. */
export async function assertSchemaCurrent(pool: Pool): Promise<void> {
  const missing = await pendingMigrations(pool);
  if (missing.length) throw new SchemaNotCurrentError(missing);
}
