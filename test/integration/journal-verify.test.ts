import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyJournal } from '../../console/journal-chain.js';
import { createPool, type Pool, type PoolClient } from '../../db/pool.js';
import { uniqueId } from '../support/ids.js';

/**
 * Verifying the journal while esu-bridge keeps writing to it: every append moves the chain head and adds its
 * entry in one transaction, so a verification that reads both in one snapshot sees them agree. One that reads
 * them in two sees entries the head does not know yet, and reports HEAD_MISMATCH, a tampering alarm (CLI exit 7)
 * nobody caused.
 */
let pool: Pool;
let writer: Pool;

beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 4);
  writer = createPool(inject('databaseUrl'), 2);
});
afterAll(async () => {
  await pool?.end();
  await writer?.end();
});

async function append(recordId: string): Promise<void> {
  await writer.query(
    `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES (now(), now(), 'test.concurrent-append', 'system', $1, 'OK')`,
    [recordId],
  );
}

/**
 * The pool verify reads through, with a writer that commits an entry right after each read of the chain head:
 * the interleaving a busy journal produces now and then, here on every verification.
 */
function appendingAfterHeadReads(recordId: string): Pool {
  const appendAfterHead =
    (query: (...args: unknown[]) => Promise<unknown>) =>
    async (...args: unknown[]) => {
      const result = await query(...args);
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      if (text?.includes('journal_chain_head')) await append(recordId);
      return result;
    };
  const wrapClient = (client: PoolClient): PoolClient =>
    new Proxy(client, {
      get: (target, prop) =>
        prop === 'query' ? appendAfterHead(target.query.bind(target) as never) : Reflect.get(target, prop, target),
    });
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') return appendAfterHead(target.query.bind(target) as never);
      if (prop === 'connect') return async () => wrapClient(await target.connect());
      return Reflect.get(target, prop, target);
    },
  });
}

describe('journal verification under a concurrent writer', () => {
  it('reads the head and the entries in one snapshot: an entry committed in between is not a mismatch', async () => {
    const recordId = uniqueId('verify-between');
    for (let i = 0; i < 3; i++) await append(recordId);
    const before = Number((await pool.query('SELECT seq FROM journal_chain_head WHERE id = 1')).rows[0].seq);
    const report = await verifyJournal(appendingAfterHeadReads(recordId));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.head.seq).toBe(report.lastSeq);
    // The writer did commit while verify ran; the report describes the journal as it was when verify began.
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM journal WHERE record_id = $1', [recordId]);
    expect(rows[0].n).toBeGreaterThan(3);
    expect(report.head.seq).toBe(before);
  });

  it('reports no tampering in any of 10 verifications while a writer keeps appending', async () => {
    const recordId = uniqueId('verify-busy');
    for (let i = 0; i < 20; i++) await append(recordId);
    let verifying = true;
    let appended = 0;
    const writing = (async () => {
      while (verifying) {
        await append(recordId);
        appended += 1;
      }
    })();
    const reports = [];
    try {
      for (let i = 0; i < 10; i++) reports.push(await verifyJournal(pool));
    } finally {
      verifying = false;
      await writing;
    }
    expect(appended).toBeGreaterThan(0);
    expect(reports.flatMap((r) => r.problems.map((p) => p.kind))).toEqual([]);
    for (const report of reports) {
      expect(report.checked).toBeGreaterThanOrEqual(20);
      expect(report.head.seq).toBe(report.lastSeq);
    }
  });
});
