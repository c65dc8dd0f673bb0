import { beforeAll, describe, expect, it } from 'vitest';
import { verifyJournal } from '../../console/journal-chain.js';
import { inTransaction, type Pool } from '../../db/pool.js';
import { appendJournal } from '../../store/journal.js';
import { useOwnDatabases } from '../support/databases.js';

/**
 * appendJournal (store/journal.ts) is the one writer of the journal: what it stores of an entry, that the database
 * links it into the hash chain, that a dedupe key writes once, and that an entry written on a transaction's client
 * commits or rolls back with that transaction. On a database of its own, so the chain holds only these rows.
 */
const database = `journal_append_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const own = useOwnDatabases([database], { poolSize: 2, migrated: true });
let pool: Pool;
beforeAll(() => {
  pool = own.poolOf(database);
});

const head = async () =>
  (await pool.query<{ seq: number }>('SELECT seq FROM journal_chain_head WHERE id = 1')).rows[0]!.seq;

describe('appendJournal', () => {
  it('stores the entry as given, with its start in workflow time, and links it into the chain', async () => {
    const before = await head();
    const startedAtMs = Date.parse('2026-03-02T04:05:06.789Z');
    const id = await appendJournal(pool, {
      startedAt: startedAtMs,
      event: 'test.step',
      actor: 'system',
      recordId: 'dep-append-1',
      result: 'OK',
      details: { status: 'CREDITED', workflowId: 'Deposit:dep-append-1' },
      dedupeKey: 'dep-append-1:test.step',
    });
    expect(id).toMatch(/^\d+$/);
    const { rows } = await pool.query(
      `SELECT started_at, ended_at >= started_at AS ended_after, event, actor, record_id, result, details, dedupe_key,
              chain_seq, retain_until IS NOT NULL AS retained
       FROM journal WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({
      started_at: new Date(startedAtMs),
      ended_after: true,
      event: 'test.step',
      actor: 'system',
      record_id: 'dep-append-1',
      result: 'OK',
      details: { status: 'CREDITED', workflowId: 'Deposit:dep-append-1' },
      dedupe_key: 'dep-append-1:test.step',
      chain_seq: before + 1,
      retained: true,
    });
    expect(await head()).toBe(before + 1);
    expect((await verifyJournal(pool)).ok).toBe(true);
  });

  it('starts an entry without a start at the write, with empty details and no dedupe key', async () => {
    const id = await appendJournal(pool, { event: 'test.now', actor: 'officer', recordId: 'r-now', result: 'REFUSED' });
    const { rows } = await pool.query(
      'SELECT started_at = ended_at AS same, details, dedupe_key FROM journal WHERE id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ same: true, details: {}, dedupe_key: null });
  });

  it('writes an entry once per dedupe key and leaves the head where it was the second time', async () => {
    const entry = { event: 'test.once', actor: 'system', recordId: 'r-once', result: 'OK', dedupeKey: 'r-once:1' };
    const first = await appendJournal(pool, entry);
    const seq = await head();
    expect(await appendJournal(pool, { ...entry, details: { again: true } })).toBeUndefined();
    expect(await head()).toBe(seq);
    const { rows } = await pool.query("SELECT id::text AS id FROM journal WHERE dedupe_key = 'r-once:1'");
    expect(rows).toEqual([{ id: first }]);
  });

  it('writes a list in order, one id per entry and undefined for one already there', async () => {
    const before = await head();
    const ids = await appendJournal(pool, [
      { event: 'test.a', actor: 'system', recordId: 'r-list', result: 'OK', dedupeKey: 'r-list:a' },
      { event: 'test.once', actor: 'system', recordId: 'r-once', result: 'OK', dedupeKey: 'r-once:1' },
      { event: 'test.b', actor: 'system', recordId: 'r-list', result: 'OK', dedupeKey: 'r-list:b' },
    ]);
    expect(ids).toHaveLength(3);
    expect(ids[1]).toBeUndefined();
    const { rows } = await pool.query(
      "SELECT id::text AS id, event, chain_seq FROM journal WHERE record_id = 'r-list' ORDER BY id",
    );
    expect(rows).toEqual([
      { id: ids[0], event: 'test.a', chain_seq: before + 1 },
      { id: ids[2], event: 'test.b', chain_seq: before + 2 },
    ]);
    expect((await verifyJournal(pool)).ok).toBe(true);
  });

  it("commits and rolls back with the caller's transaction", async () => {
    const before = await head();
    await expect(
      inTransaction(pool, async (db) => {
        await appendJournal(db, { event: 'test.rolled-back', actor: 'system', recordId: 'r-tx', result: 'OK' });
        throw new Error('the other write failed');
      }),
    ).rejects.toThrow('the other write failed');
    expect(await head()).toBe(before);
    await inTransaction(pool, (db) =>
      appendJournal(db, { event: 'test.committed', actor: 'system', recordId: 'r-tx', result: 'OK' }),
    );
    const { rows } = await pool.query("SELECT event FROM journal WHERE record_id = 'r-tx'");
    expect(rows).toEqual([{ event: 'test.committed' }]);
    expect(await head()).toBe(before + 1);
  });
});
