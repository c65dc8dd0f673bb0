import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../db/pool.js';
import { migrationFiles, pendingMigrations } from '../../db/migrate.js';
import { freePort } from '../../stack/ports.js';
import { databaseUrlOf, useOwnDatabases } from '../support/databases.js';
import { startTsx, testWorkerEnv, type TsxRun } from '../support/processes.js';

/**
 * `npm run migrate` (db/main.ts) on databases of this file's own, and the long-running processes on a schema that
 * is not current: they wait for it, and exit 1 naming the missing migrations when it does not come.
 */
const suffix = Date.now().toString(36);
const databases = [`migrate_fresh_${suffix}`, `migrate_behind_${suffix}`];
useOwnDatabases(databases, { poolSize: 1 });
const children: ChildProcess[] = [];

function start(entry: string, env: Record<string, string | undefined>): TsxRun {
  const run = startTsx(entry, [], env);
  children.push(run.child);
  return run;
}

async function until(
  what: string,
  run: TsxRun,
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(fn()).catch(() => false)) return;
    if (run.child.exitCode !== null)
      throw new Error(`${what}: the process exited (${run.child.exitCode})\n${run.stderr().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Registered after useOwnDatabases, so it runs first: no process of this file is left on a database being dropped.
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run migrate', () => {
  it('applies every migration to an empty database, naming each, then finds nothing to do', async () => {
    const files = await migrationFiles();
    const first = start('db/main.ts', { DATABASE_URL: databaseUrlOf(databases[0]!) });
    expect(await first.exited).toBe(0);
    expect(first.stdout().trim().split('\n')).toEqual([
      ...files.map((f) => `applied ${f}`),
      `schema current: ${files.length} of ${files.length} migrations applied now`,
    ]);
    expect(files).toContain('012_metrics_indexes.sql');

    const again = start('db/main.ts', { DATABASE_URL: databaseUrlOf(databases[0]!) });
    expect(await again.exited).toBe(0);
    expect(again.stdout().trim()).toBe(`schema current: all ${files.length} migrations were already applied`);

    const pool = createPool(databaseUrlOf(databases[0]!), 1);
    try {
      expect(await pendingMigrations(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('names the variable when DATABASE_URL is missing (exit 2), and exits 1 without the password when PostgreSQL does not answer', async () => {
    const missing = start('db/main.ts', {});
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toContain('DATABASE_URL environment variable is not defined');

    const unreachable = start('db/main.ts', {
      DATABASE_URL: `postgres://esu:db-password-not-to-print@127.0.0.1:${await freePort()}/esu`,
      STARTUP_WAIT_SECONDS: '1',
    });
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.stderr()).toMatch(/migrate: PostgreSQL did not answer within 1 s/);
    expect(unreachable.stdout() + unreachable.stderr()).not.toContain('db-password-not-to-print');
    expect(unreachable.stderr()).not.toMatch(/^\s+at /m);
  });
});

describe('a process on a schema that is not current', () => {
  const behind = () => databaseUrlOf(databases[1]!);

  beforeAll(async () => {
    // The database of the previous release: everything but the newest migration.
    const run = start('db/main.ts', { DATABASE_URL: behind() });
    expect(await run.exited).toBe(0);
    const pool = createPool(behind(), 1);
    await pool
      .query(`DELETE FROM schema_migrations WHERE version = '012_metrics_indexes.sql'`)
      .finally(() => pool.end());
  });

  it('exits 1 after STARTUP_WAIT_SECONDS naming the missing migration and `npm run migrate`, without migrating itself', async () => {
    const api = start('api/main.ts', {
      DATABASE_URL: behind(),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      API_HOST: '127.0.0.1',
      API_PORT: String(await freePort()),
      STARTUP_WAIT_SECONDS: '2',
    });
    expect(await api.exited).toBe(1);
    expect(api.stdout()).toContain('"msg":"waiting for the database schema"');
    expect(api.stderr()).toContain('migrations 012_metrics_indexes.sql are not applied. Run `npm run migrate`');
    expect(api.stderr()).not.toMatch(/^\s+at /m);
    const pool = createPool(behind(), 1);
    try {
      expect(await pendingMigrations(pool)).toEqual(['012_metrics_indexes.sql']);
    } finally {
      await pool.end();
    }
  });

  it('a worker waits for the schema, starts once `npm run migrate` ran, and serves the business metrics', async () => {
    const healthPort = await freePort();
    const health = `http://127.0.0.1:${healthPort}`;
    const worker = start(
      'workers/main.ts',
      testWorkerEnv({
        database: behind(),
        address: inject('temporalAddress'),
        namespace: inject('temporalNamespace'),
        queuePrefix: 'migrate',
        healthPort,
      }),
    );
    try {
      await until(
        'two "waiting for the database schema" lines',
        worker,
        () => worker.stdout().split('"msg":"waiting for the database schema"').length > 2,
      );
      const waits = worker
        .stdout()
        .split('\n')
        .filter((l) => l.includes('"msg":"waiting for the database schema"'))
        .map((l) => JSON.parse(l));
      expect(waits[0]).toMatchObject({ level: 'WARN', attempt: 1, retryInMs: 500 });
      expect(waits[0].error).toContain('012_metrics_indexes.sql');
      expect(waits[0].error).toContain('npm run migrate');
      await expect(fetch(`${health}/readyz`)).rejects.toThrow(); // not listening: not ready

      const migrate = start('db/main.ts', { DATABASE_URL: behind() });
      expect(await migrate.exited).toBe(0);
      expect(migrate.stdout()).toContain('applied 012_metrics_indexes.sql');

      await until('/readyz 200', worker, async () => (await fetch(`${health}/readyz`)).status === 200, 150_000);
      const metrics = await fetch(`${health}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('esu_bridge_operations{kind="deposit",outcome="completed"} 0');
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).not.toMatch(/^\s+at /m);
  });
});
