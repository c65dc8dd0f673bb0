import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from '../../stack/temporal-cli.js';
import { startDevServer } from '../../stack/dev-server.js';
import { startPostgres } from '../../stack/postgres.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';

const execFileAsync = promisify(execFile);

/**
 * Runs `body` with a fresh data directory named after `prefix` and no DATABASE_URL in the environment, so
 * startPostgres starts an embedded PostgreSQL of the test's own; DATABASE_URL is put back after.
 */
async function withOwnPostgresDir(prefix: string, body: (dataDir: string) => Promise<void>) {
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    await body(path.join(await mkdtemp(path.join(tmpdir(), prefix)), 'data'));
  } finally {
    if (saved) process.env.DATABASE_URL = saved;
  }
}

describe('local stack', () => {
  it('uses TEMPORAL_CLI_PATH when it is set, and refuses one that is not executable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-'));
    const fake = path.join(dir, 'temporal');
    await writeFile(fake, '#!/bin/sh\necho fake\n');
    await chmod(fake, 0o755);
    expect(await resolveTemporalCli({ TEMPORAL_CLI_PATH: fake })).toBe(fake);
    await chmod(fake, 0o644);
    await expect(resolveTemporalCli({ TEMPORAL_CLI_PATH: fake })).rejects.toThrow(/not an executable/);
  });

  it('starts PostgreSQL, answers queries, reuses its data directory and stops', () =>
    withOwnPostgresDir('pg-', async (dataDir) => {
      const first = await startPostgres({ dataDir });
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (n int)');
      await client.end();
      await first.stop();

      const second = await startPostgres({ dataDir });
      const again = new pg.Client({ connectionString: second.url });
      await again.connect();
      expect((await again.query("SELECT to_regclass('kept') IS NOT NULL AS kept")).rows[0].kept).toBe(true);
      await again.end();
      await second.stop();
      const refused = new pg.Client({ connectionString: second.url, connectionTimeoutMillis: 2_000 });
      await expect(refused.connect()).rejects.toThrow();
    }));

  it('keeps PostgreSQL out of the caller’s process group when the caller drains on signals, so Ctrl-C cannot stop it first', () =>
    withOwnPostgresDir('pg-own-', async (dataDir) => {
      const postgres = await startPostgres({ dataDir, ownSignals: true });
      const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const group = async (pid: number) =>
        Number((await execFileAsync('ps', ['-o', 'pgid=', '-p', String(pid)])).stdout.trim());
      expect(await group(postmaster)).toBe(postmaster);
      expect(await group(postmaster)).not.toBe(await group(process.pid));
      await postgres.stop();
      await expect(group(postmaster)).rejects.toThrow();
    }));

  it('starts the dev server with the namespace and every custom search attribute registered', async () => {
    const temporal = await startDevServer({ namespace: 'esu-bridge-stack-test' });
    try {
      const connection = await Connection.connect({ address: temporal.address });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: temporal.namespace,
      });
      await connection.close();
      expect(Object.keys(customAttributes ?? {})).toEqual(
        expect.arrayContaining(ALL_SEARCH_ATTRIBUTES.map((k) => k.name)),
      );
      expect((await fetch(temporal.uiUrl)).status).toBe(200);
    } finally {
      await temporal.stop();
    }
  });
});
