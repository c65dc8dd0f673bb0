import { describe, expect, it } from 'vitest';
import { isoWithOffset } from '../../domain/incident.js';
import { consoleStack, signedIn, useConsoleStack } from '../support/console.js';
import { withJournalTriggersOff } from '../support/journal.js';

useConsoleStack();
const officer = signedIn('aigerim');
const auditor = signedIn('saule');

interface Row {
  id: string;
  chain_seq: string;
  actor: string;
  details: unknown;
  hash: string;
}

/**
 * Changes the journal the way someone with the database owner's rights could: triggers off, change, triggers on,
 * in one transaction so no other writer ever sees the journal unguarded. Each test puts back what it changed.
 */
async function tamper(sql: string, args: unknown[]): Promise<void> {
  await withJournalTriggersOff(consoleStack.pool, (db) => db.query(sql, args));
}

const COLUMNS =
  'id::text AS id, started_at::text AS started_at, ended_at::text AS ended_at, event, actor, record_id, result, details, dedupe_key, chain_seq::text AS chain_seq, prev_hash, hash';

async function latest(event: string, actor = 'aigerim'): Promise<Row & Record<string, unknown>> {
  const { rows } = await consoleStack.pool.query(
    `SELECT ${COLUMNS} FROM journal WHERE event = $1 AND actor = $2 ORDER BY journal.chain_seq DESC LIMIT 1`,
    [event, actor],
  );
  return rows[0];
}

/** Puts a removed entry back exactly (timestamps as text: a JS Date would drop their microseconds). */
async function restore(row: Record<string, unknown>): Promise<void> {
  await tamper(
    `INSERT INTO journal (id, started_at, ended_at, event, actor, record_id, result, details, dedupe_key, chain_seq, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      row.id,
      row.started_at,
      row.ended_at,
      row.event,
      row.actor,
      row.record_id,
      row.result,
      JSON.stringify(row.details),
      row.dedupe_key,
      row.chain_seq,
      row.prev_hash,
      row.hash,
    ],
  );
}

const verify = async () => (await officer.post('/api/journal/verify')).body;

/** Removes `entry`, expects the verification to name exactly it as missing, puts it back and expects the chain whole. */
async function expectRemovalFound(entry: Record<string, unknown>): Promise<void> {
  await tamper('DELETE FROM journal WHERE id = $1', [entry.id]);
  try {
    const report = await verify();
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'MISSING', seq: Number(entry.chain_seq), count: 1 }),
    ]);
  } finally {
    await restore(entry);
  }
  expect((await verify()).ok).toBe(true);
}

describe('tamper-evident journal', () => {
  it('verifies an untouched chain, and journals the verification with its verdict', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.checked).toBeGreaterThan(0);
    expect(report.head.seq).toBe(report.lastSeq);
    expect(await latest('console.journal-verified')).toMatchObject({ result: 'OK', record_id: 'journal' });
  });

  it('finds an altered entry, and one altered and re-hashed, by the link that breaks after it', async () => {
    await officer.get('/api/inboxes/incidents?status=CLOSED');
    const row = await latest('console.inbox-searched');
    await tamper('UPDATE journal SET actor = $1 WHERE id = $2', ['mallory', row.id]);
    try {
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'ALTERED', seq: Number(row.chain_seq) })]);
      expect(await latest('console.journal-verified')).toMatchObject({ result: 'FAILED' });

      // Someone who also recomputes the entry's own hash is caught by the next entry, which names the old one.
      await tamper(
        `UPDATE journal SET hash = journal_entry_hash(prev_hash, chain_seq, id, started_at, ended_at, event, actor, record_id, result, details, dedupe_key) WHERE id = $1`,
        [row.id],
      );
      const rehashed = await verify();
      expect(rehashed.problems).toEqual([
        expect.objectContaining({ kind: 'BROKEN_LINK', seq: Number(row.chain_seq) + 1 }),
      ]);
    } finally {
      await tamper('UPDATE journal SET actor = $1, hash = $2 WHERE id = $3', [row.actor, row.hash, row.id]);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('finds a removed entry in the middle and at the end', async () => {
    await officer.get('/api/inboxes/incidents?status=SUBMITTED');
    const middle = await latest('console.inbox-searched');
    await officer.get('/api/inboxes/incidents'); // so the removed entry is not the last
    await expectRemovalFound(middle);

    const last = (
      await consoleStack.pool.query(`SELECT ${COLUMNS} FROM journal ORDER BY journal.chain_seq DESC LIMIT 1`)
    ).rows[0];
    await expectRemovalFound(last);
  });

  it('refuses updates and deletes outright', async () => {
    await expect(consoleStack.pool.query(`UPDATE journal SET actor = 'x' WHERE chain_seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(consoleStack.pool.query(`DELETE FROM journal WHERE chain_seq = 1`)).rejects.toThrow(/append-only/);
  });
});

describe('journal export and reading (National Bank resolution No. 116, item 55(7))', () => {
  const today = isoWithOffset(Date.now(), 300).slice(0, 10);

  it('exports one day as CSV with every entry of that day, for an auditor too, and journals the export', async () => {
    await auditor.get('/api/journal?limit=5');
    expect(await latest('console.journal-read', 'saule')).toMatchObject({
      result: 'OK',
      details: expect.objectContaining({ limit: 5 }),
    });

    const from = new Date(Date.parse(`${today}T00:00:00+05:00`));
    const expected = Number(
      (
        await consoleStack.pool.query(`SELECT count(*) FROM journal WHERE started_at >= $1 AND started_at < $2`, [
          from,
          new Date(from.getTime() + 86_400_000),
        ])
      ).rows[0].count,
    );
    const res = await auditor.get(`/api/journal/export?day=${today}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain(`journal-${today}.csv`);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,started_at,event,actor,record_id,ended_at,result,details,hash');
    expect(lines.length - 1).toBe(expected);
    expect(lines.slice(1).every((l) => l.includes(`${today}T`))).toBe(true);
    expect(await latest('console.journal-exported', 'saule')).toMatchObject({
      result: 'OK',
      details: { range: { day: today } },
    });
  });

  it('exports a date range and the whole journal, and refuses a malformed range', async () => {
    const yesterday = isoWithOffset(Date.now() - 86_400_000, 300).slice(0, 10);
    const range = await officer.get(`/api/journal/export?from=${yesterday}&to=${today}`);
    const whole = await officer.get('/api/journal/export');
    expect(range.text.split('\r\n').length).toBeGreaterThan(2);
    expect(whole.text.split('\r\n').length).toBeGreaterThanOrEqual(range.text.split('\r\n').length);
    expect((await officer.get(`/api/journal/export?from=${today}&to=${yesterday}`)).status).toBe(400);
    expect((await officer.get('/api/journal/export?day=10.03.2026')).status).toBe(400);
  });
});
