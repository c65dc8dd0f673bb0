import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyJournal } from '../../console/journal-chain.js';
import { readSeals, sealJournalHead, type JournalAnchor } from '../../console/journal-seal.js';
import { createMigratedDatabase } from '../support/databases.js';
import { withJournalTriggersOff } from '../support/journal.js';
import { createPool, type Pool } from '../../db/pool.js';

/**
 * What someone who owns the database can do to the journal, and what the seals find. The chain's hash is unkeyed,
 * so rewriting an entry and re-hashing everything after it, or deleting the newest entries and rewinding the head,
 * leaves a chain that verifies; a seal (the head under a key the database never holds) does not follow along.
 * Each test runs on a database of its own: tampering is meant to stay.
 */
const KEY = { keyId: 'seal-test', key: 'journal-seal-test-key-0123456789abcdef' };
let admin: Pool;
const pools: Pool[] = [];

beforeAll(() => {
  admin = createPool(inject('databaseUrl'), 1);
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await admin?.end();
});

async function freshJournal(entries: number): Promise<Pool> {
  const name = `seals_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const pool = createPool(await createMigratedDatabase(admin, name), 2);
  pools.push(pool);
  for (let i = 1; i <= entries; i++) {
    await pool.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES (now(), now(), 'test.entry', 'system', $1, 'OK')`,
      [`r-${i}`],
    );
  }
  return pool;
}

/** As the owner: triggers off, `sql`, then every entry from `fromSeq` re-linked and re-hashed and the head moved to the end. */
async function rewrite(pool: Pool, sql: string, fromSeq: number): Promise<void> {
  await withJournalTriggersOff(pool, async (db) => {
    await db.query(sql);
    await db.query(
      `DO $$
       DECLARE r journal%ROWTYPE; prev text; n bigint;
       BEGIN
         SELECT COALESCE((SELECT hash FROM journal WHERE chain_seq = ${fromSeq} - 1), repeat('0', 64)) INTO prev;
         n := ${fromSeq} - 1;
         FOR r IN SELECT * FROM journal WHERE chain_seq >= ${fromSeq} ORDER BY chain_seq LOOP
           n := n + 1;
           UPDATE journal SET chain_seq = n, prev_hash = prev,
             hash = journal_entry_hash(prev, n, r.id, r.started_at, r.ended_at, r.event, r.actor, r.record_id, r.result, r.details, r.dedupe_key)
           WHERE id = r.id RETURNING hash INTO prev;
         END LOOP;
         UPDATE journal_chain_head SET seq = n, hash = prev WHERE id = 1;
       END $$`,
    );
  });
}

const kinds = (report: { problems: { kind: string }[] }) => report.problems.map((p) => p.kind);

describe('journal seals', () => {
  it('finds an entry changed and the chain re-hashed after it, which the unkeyed chain alone takes for intact', async () => {
    const pool = await freshJournal(6);
    const seal = await sealJournalHead(pool, KEY);
    expect(seal.seq).toBe(6);
    await rewrite(pool, `UPDATE journal SET actor = 'mallory' WHERE chain_seq = 3`, 3);

    expect((await verifyJournal(pool)).ok).toBe(true); // the defect: re-hashed with the database's own function
    const report = await verifyJournal(pool, { key: KEY });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'SEAL_MISMATCH', seq: 6 })]);
  });

  it('finds the newest entries deleted and the head rewound', async () => {
    const pool = await freshJournal(5);
    await sealJournalHead(pool, KEY);
    await rewrite(pool, 'DELETE FROM journal WHERE chain_seq > 3', 4);

    expect((await verifyJournal(pool)).ok).toBe(true);
    const report = await verifyJournal(pool, { key: KEY });
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'MISSING', seq: 4, count: 2 })]);
  });

  it('refuses a seal not made with our key, and finds seals removed through the anchor kept outside', async () => {
    const pool = await freshJournal(3);
    const anchor: JournalAnchor = await sealJournalHead(pool, KEY);
    const forged = { ...anchor, seq: 2, mac: 'f'.repeat(64) };
    await pool.query('INSERT INTO journal_seals (seq, hash, sealed_at, key_id, mac) VALUES ($1, $2, $3, $4, $5)', [
      forged.seq,
      anchor.hash,
      anchor.sealedAt,
      anchor.keyId,
      forged.mac,
    ]);
    expect(kinds(await verifyJournal(pool, { key: KEY }))).toEqual(['FORGED_SEAL']);
    expect(kinds(await verifyJournal(pool, { key: { ...KEY, key: 'another-key-of-sufficient-length-000' } }))).toEqual([
      'FORGED_SEAL',
      'FORGED_SEAL',
    ]);

    // The seals table is append-only, but its owner can disable that too: the anchor still knows.
    await pool.query(
      'BEGIN; ALTER TABLE journal_seals DISABLE TRIGGER USER; DELETE FROM journal_seals; ALTER TABLE journal_seals ENABLE TRIGGER USER; COMMIT',
    );
    await rewrite(pool, 'DELETE FROM journal WHERE chain_seq = 3', 3);
    expect((await verifyJournal(pool, { key: KEY })).ok).toBe(true); // no seal left to compare with
    expect(kinds(await verifyJournal(pool, { key: KEY, anchor }))).toEqual(['MISSING', 'SEAL_MISSING']);
  });

  it('seals a moved head once, answers the same seal while the head stands, and keeps seals append-only', async () => {
    const pool = await freshJournal(2);
    const first = await sealJournalHead(pool, KEY);
    expect(await sealJournalHead(pool, KEY)).toEqual(first);
    await pool.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES (now(), now(), 'test.entry', 'system', 'r-3', 'OK')`,
    );
    const second = await sealJournalHead(pool, KEY);
    expect(second.seq).toBe(3);
    expect((await readSeals(pool)).map((s) => s.seq)).toEqual([2, 3]);
    await expect(pool.query('DELETE FROM journal_seals WHERE seq = 2')).rejects.toThrow(/append-only/);
    const report = await verifyJournal(pool, { key: KEY, anchor: second });
    expect(report).toMatchObject({ ok: true, seals: { checked: 2, latest: second } });
  });
});
