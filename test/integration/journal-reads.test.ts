import { beforeAll, describe, expect, it } from 'vitest';
import { verifyJournal } from '../../console/journal-chain.js';
import { exportJournalCsv } from '../../console/journal-export.js';
import type { Pool } from '../../db/pool.js';
import { readChainEntries, readChainHead } from '../../store/journal-chain.js';
import { appendJournal, findJournalEntries, readJournalForExport } from '../../store/journal.js';
import { useOwnDatabases } from '../support/databases.js';

/**
 * The journal's reads in store/ (store/journal.ts, store/journal-chain.ts): an officer's filters, the export's
 * batches and the verification's batches past their size. On a database of its own, so the chain holds only what
 * the migrations and these tests write.
 */
const database = `journal_reads_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const own = useOwnDatabases([database], { poolSize: 2, migrated: true });
let pool: Pool;
beforeAll(() => {
  pool = own.poolOf(database);
});

const at = (iso: string) => Date.parse(iso);

describe('findJournalEntries', () => {
  beforeAll(async () => {
    await appendJournal(pool, [
      {
        startedAt: at('2026-03-01T10:00:00Z'),
        event: 'incident.opened',
        actor: 'aigerim',
        recordId: 'rd-1',
        result: 'OK',
      },
      {
        startedAt: at('2026-03-02T10:00:00Z'),
        event: 'incident.closed',
        actor: 'aigerim',
        recordId: 'rd-1',
        result: 'OK',
      },
      {
        startedAt: at('2026-03-02T11:00:00Z'),
        event: 'review.decided',
        actor: 'saule',
        recordId: 'rd-2',
        result: 'OK',
      },
      {
        startedAt: at('2026-03-03T10:00:00Z'),
        event: 'incident.opened',
        actor: 'saule',
        recordId: 'rd-3',
        result: 'FAILED',
        details: { reason: 'timeout' },
      },
    ]);
  });
  const events = async (filters: Parameters<typeof findJournalEntries>[1], limit = 100) =>
    (await findJournalEntries(pool, filters, limit)).map((r) => `${r.record_id} ${r.event}`);

  it('applies each filter given, together, newest first', async () => {
    expect(await events({ recordId: 'rd-1' })).toEqual(['rd-1 incident.closed', 'rd-1 incident.opened']);
    expect(await events({ actor: 'saule' })).toEqual(['rd-3 incident.opened', 'rd-2 review.decided']);
    expect(await events({ eventPrefix: 'incident.', actor: 'aigerim' })).toEqual([
      'rd-1 incident.closed',
      'rd-1 incident.opened',
    ]);
    expect(await events({ fromMs: at('2026-03-02T00:00:00Z'), toMs: at('2026-03-03T00:00:00Z') })).toEqual([
      'rd-2 review.decided',
      'rd-1 incident.closed',
    ]);
    expect(await events({ recordId: 'rd-1', toMs: at('2026-03-02T00:00:00Z') })).toEqual(['rd-1 incident.opened']);
  });

  it('answers at most `limit` entries, the newest', async () => {
    expect(await events({ eventPrefix: 'incident.' }, 2)).toEqual(['rd-3 incident.opened', 'rd-1 incident.closed']);
  });

  it('answers the fields an officer reads, with the details as stored', async () => {
    const [row] = await findJournalEntries(pool, { recordId: 'rd-3' }, 10);
    expect(row).toMatchObject({
      seq: expect.stringMatching(/^\d+$/),
      started_at: new Date('2026-03-03T10:00:00Z'),
      ended_at: expect.any(Date),
      event: 'incident.opened',
      actor: 'saule',
      record_id: 'rd-3',
      result: 'FAILED',
      details: { reason: 'timeout' },
    });
  });
});

describe('batches past their size', () => {
  const COUNT = 5_050;
  let first: number;

  beforeAll(async () => {
    first = Number((await readChainHead(pool))?.seq ?? 0) + 1;
    await pool.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result, details)
       SELECT timestamptz '2026-04-01T00:00:00Z' + n * interval '1 second', now(), 'test.bulk', 'system',
              'bulk-' || n, 'OK', jsonb_build_object('n', n)
       FROM generate_series(1, $1::int) AS n ORDER BY n`,
      [COUNT],
    );
  });

  it('reads the chain from a position, at most `limit` entries, in chain order', async () => {
    const rows = await readChainEntries(pool, first - 1, 3);
    expect(rows.map((r) => Number(r.chain_seq))).toEqual([first, first + 1, first + 2]);
    expect(rows[0]).toMatchObject({ record_id: 'bulk-1', details: '{"n": 1}', started_us: '1775001601000000' });
    expect(Number((await readChainHead(pool))!.seq)).toBe(first + COUNT - 1);
  });

  it("reads an export's batch from a position and within the range", async () => {
    const rows = await readJournalForExport(
      pool,
      { after: first, fromMs: at('2026-04-01T00:00:03Z'), toMs: at('2026-04-01T00:00:06Z') },
      2,
    );
    expect(rows.map((r) => r.record_id)).toEqual(['bulk-3', 'bulk-4']);
    expect(rows[0]).toMatchObject({ details: '{"n": 3}', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('verifies a chain longer than one batch and exports a day of more entries than one batch', async () => {
    const report = await verifyJournal(pool);
    expect(report).toMatchObject({ ok: true, problems: [], lastSeq: first + COUNT - 1 });
    expect(report.checked).toBeGreaterThan(5_000);
    const lines: string[] = [];
    const written = await exportJournalCsv(pool, { day: '2026-04-01' }, 0, (chunk) => {
      lines.push(...chunk.split('\r\n').filter(Boolean));
    });
    expect(written).toBe(COUNT);
    expect(lines).toHaveLength(COUNT + 1);
    expect(lines.at(-1)).toMatch(new RegExp(`^${first + COUNT - 1},.*,bulk-${COUNT},`));
  });
});
