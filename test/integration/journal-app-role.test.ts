import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createPool, type Pool } from '../../db/pool.js';
import { uniqueId } from '../support/ids.js';

/**
 * The application's database role (migration 018_b, issue 14): the worker, the API and the console connect as
 * `esu_bridge_app` (DATABASE_ROLE), which appends to the journal and reads it, and can neither change, delete nor
 * truncate an entry, nor rewind the chain head, nor disable the journal's triggers: it does not own the tables.
 */
let app: Pool;
const quiet = () => undefined;

beforeAll(() => {
  app = createPool(inject('databaseUrl'), 2, quiet, 'esu_bridge_app');
});

afterAll(async () => {
  await app?.end();
});

/** The PostgreSQL error code of a refused statement (42501: insufficient privilege). */
async function refusal(sql: string, args: unknown[] = []): Promise<string | undefined> {
  try {
    await app.query(sql, args);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('the application role', () => {
  it('is the role every connection of the pool takes, and owns none of the tables', async () => {
    const { rows } = await app.query(
      `SELECT current_user AS role, (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'journal') AS owner`,
    );
    expect(rows[0].role).toBe('esu_bridge_app');
    expect(rows[0].owner).not.toBe('esu_bridge_app');
    const owned = await app.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`,
    );
    expect(owned.rows[0].n).toBe(0);
  });

  it('appends to the journal and the chain head follows, though it cannot write the head itself', async () => {
    const recordId = uniqueId('app-role');
    const before = (await app.query(`SELECT seq::int AS seq FROM journal_chain_head WHERE id = 1`)).rows[0]
      .seq as number;
    await app.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result, details) VALUES (now(), now(), 'test.app-role', 'test', $1, 'OK', '{}')`,
      [recordId],
    );
    const entry = (await app.query(`SELECT chain_seq::int AS seq FROM journal WHERE record_id = $1`, [recordId]))
      .rows[0];
    expect(entry.seq).toBeGreaterThan(before);
    const head = (await app.query(`SELECT seq::int AS seq FROM journal_chain_head WHERE id = 1`)).rows[0].seq as number;
    expect(head).toBeGreaterThanOrEqual(entry.seq);
    // A seal locks the head row as it reads it (console/journal-seal.ts): this role may, in a transaction rolled
    // back here so that no seal under a test key lands in the database other files verify.
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query(`SELECT seq::int AS seq FROM journal_chain_head WHERE id = 1 FOR UPDATE`);
      expect(locked.rows[0].seq).toBeGreaterThanOrEqual(entry.seq);
      await client.query(
        `INSERT INTO journal_seals (seq, hash, sealed_at, key_id, mac) SELECT seq, hash, now(), 'it', repeat('a', 64) FROM journal_chain_head WHERE id = 1`,
      );
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('is refused UPDATE, DELETE and TRUNCATE on the journal, and disabling its triggers', async () => {
    expect(await refusal(`UPDATE journal SET result = 'FAILED' WHERE id = (SELECT max(id) FROM journal)`)).toBe(
      '42501',
    );
    expect(await refusal(`DELETE FROM journal WHERE id = (SELECT max(id) FROM journal)`)).toBe('42501');
    expect(await refusal(`TRUNCATE journal`)).toBe('42501');
    expect(await refusal(`ALTER TABLE journal DISABLE TRIGGER journal_append_only`)).toBe('42501');
    expect(await refusal(`ALTER TABLE journal DISABLE TRIGGER ALL`)).toBe('42501');
    expect(await refusal(`SET session_replication_role = replica`)).toBe('42501');
  });

  it('cannot rewind the chain head nor remove seals, nor mark a migration applied', async () => {
    expect(await refusal(`UPDATE journal_chain_head SET seq = seq - 1, hash = repeat('0', 64) WHERE id = 1`)).toBe(
      '42501',
    );
    expect(await refusal(`DELETE FROM journal_seals`)).toBe('42501');
    expect(await refusal(`UPDATE journal_seals SET mac = repeat('0', 64)`)).toBe('42501');
    expect(await refusal(`INSERT INTO schema_migrations (version) VALUES ('999_fake.sql')`)).toBe('42501');
  });

  it('a role the connecting user may not take fails the connection instead of running with the user’s rights', async () => {
    const wrong = createPool(inject('databaseUrl'), 1, quiet, 'no_such_role_here');
    try {
      await expect(wrong.query('SELECT 1')).rejects.toThrow(/no_such_role_here/);
    } finally {
      await wrong.end();
    }
  });
});
