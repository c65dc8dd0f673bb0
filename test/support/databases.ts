import { inject } from 'vitest';
import { migrate } from '../../db/migrate.js';
import { createPool, type Pool } from '../../db/pool.js';

/**
 * A new database named `name` on the suite's PostgreSQL, with the whole schema applied: for a file whose counts or
 * journal must not see the rows other files write. Returns its URL; `admin` (a pool on the suite's database) drops it.
 */
export async function createMigratedDatabase(admin: Pool, name: string): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  const own = createPool(url.toString(), 1);
  await migrate(own).finally(() => own.end());
  return url.toString();
}
