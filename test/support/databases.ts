import { afterAll, beforeAll, inject } from 'vitest';
import { migrate } from '../../db/migrate.js';
import { createPool, type Pool } from '../../db/pool.js';

/** The URL of the database `name` on the suite's PostgreSQL (the global setup's server, another database name). */
export function databaseUrlOf(name: string): string {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new database named `name` on the suite's PostgreSQL, with the whole schema applied: for a file whose counts or
 * journal must not see the rows other files write. Returns its URL; `admin` (a pool on the suite's database) drops it.
 */
export async function createMigratedDatabase(admin: Pool, name: string): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = databaseUrlOf(name);
  const own = createPool(url, 1);
  await migrate(own).finally(() => own.end());
  return url;
}

/**
 * Databases of the file's own, empty or `migrated` (the whole schema applied), created before its tests (in a `beforeAll` registered here, so before the file's
 * own) and dropped after them, once every pool `poolOf` opened on them (`poolSize` connections each) has ended. Call it at the file's top level.
 */
export function useOwnDatabases(
  names: readonly string[],
  { poolSize, migrated = false }: { poolSize: number; migrated?: boolean },
): { poolOf(name: string): Pool } {
  let admin: Pool | undefined;
  const pools: Pool[] = [];
  beforeAll(async () => {
    admin = createPool(inject('databaseUrl'), 1);
    for (const name of names) {
      if (migrated) await createMigratedDatabase(admin, name);
      else await admin.query(`CREATE DATABASE ${name}`);
    }
  });
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    for (const name of names) await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
  });
  return {
    poolOf(name) {
      const p = createPool(databaseUrlOf(name), poolSize);
      pools.push(p);
      return p;
    },
  };
}
