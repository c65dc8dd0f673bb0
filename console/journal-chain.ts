import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from '../db/pool.js';

/**
 * Verifies the journal's hash chain (db/migrations/004_incidents_console.sql) independently of the database's
 * own hash function: every entry's hash is recomputed here from its stored fields, each entry must name its
 * predecessor's hash, sequence numbers must have no gaps, and the last entry must be the chain head.
 * What it finds:
 *   ALTERED      an entry's content no longer matches its hash;
 *   BROKEN_LINK  an entry does not follow the one before it (the one before was replaced, or re-hashed);
 *   MISSING      sequence numbers are missing (entries removed), including at the end (head ahead of the rows).
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainProblem {
  kind: 'ALTERED' | 'BROKEN_LINK' | 'MISSING' | 'HEAD_MISMATCH';
  /** The chain position concerned (for MISSING: the first missing one). */
  seq: number;
  /** For MISSING: how many consecutive positions are absent. */
  count?: number;
  entryId?: string;
  message: string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstSeq?: number;
  lastSeq?: number;
  head: { seq: number; hash: string };
  problems: ChainProblem[];
}

interface ChainRow {
  id: string;
  chain_seq: string;
  prev_hash: string;
  hash: string;
  started_us: string;
  ended_us: string;
  event: string;
  actor: string;
  record_id: string;
  result: string;
  details: string;
  dedupe_key: string | null;
}

function field(x: string | null): string {
  return x === null ? 'N;' : `${Buffer.byteLength(x, 'utf8')}:${x};`;
}

/** The hash of one entry, as the database's journal_entry_hash() computes it. */
export function entryHash(row: Omit<ChainRow, 'hash'>): string {
  const text = [row.prev_hash, row.chain_seq, row.id, row.started_us, row.ended_us, row.event, row.actor, row.record_id, row.result, row.details, row.dedupe_key]
    .map(field)
    .join('');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const BATCH = 5000;
const MAX_PROBLEMS = 100;

/**
 * Reads the head and every entry in one snapshot (REPEATABLE READ): each append moves the head and adds its
 * entry in one transaction, so in one snapshot they agree however busy the journal is. Read in separate
 * snapshots, an entry committed in between would show as a HEAD_MISMATCH nobody caused.
 */
export async function verifyJournal(pool: Pool): Promise<ChainReport> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const report = await verifyInSnapshot(db);
    await db.query('COMMIT');
    return report;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    db.release();
  }
}

async function verifyInSnapshot(db: PoolClient): Promise<ChainReport> {
  const headRow = (await db.query(`SELECT seq::text AS seq, hash FROM journal_chain_head WHERE id = 1`)).rows[0];
  const head = { seq: Number(headRow?.seq ?? 0), hash: String(headRow?.hash ?? GENESIS_HASH) };
  const problems: ChainProblem[] = [];
  const report = (p: ChainProblem) => problems.length < MAX_PROBLEMS && problems.push(p);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let firstSeq: number | undefined;
  let after = 0;
  for (;;) {
    const { rows } = await db.query<ChainRow>(
      `SELECT id::text AS id, chain_seq::text AS chain_seq, prev_hash, hash,
              ((extract(epoch FROM started_at) * 1000000)::bigint)::text AS started_us,
              ((extract(epoch FROM ended_at) * 1000000)::bigint)::text AS ended_us,
              event, actor, record_id, result, details::text AS details, dedupe_key
       FROM journal WHERE journal.chain_seq > $1 ORDER BY journal.chain_seq LIMIT ${BATCH}`,
      [after],
    );
    for (const row of rows) {
      const seq = Number(row.chain_seq);
      firstSeq ??= seq;
      if (seq > expectedSeq) {
        report({ kind: 'MISSING', seq: expectedSeq, count: seq - expectedSeq, message: `entries ${expectedSeq}…${seq - 1} are missing` });
      }
      if (entryHash(row) !== row.hash) {
        report({ kind: 'ALTERED', seq, entryId: row.id, message: `entry ${seq} (id ${row.id}, ${row.event}) does not match its hash: its content was changed` });
      }
      if (row.prev_hash !== prevHash && seq === expectedSeq) {
        report({ kind: 'BROKEN_LINK', seq, entryId: row.id, message: `entry ${seq} does not follow entry ${seq - 1}: the earlier entry was replaced or re-hashed` });
      }
      prevHash = row.hash;
      expectedSeq = seq + 1;
      checked += 1;
    }
    if (rows.length < BATCH) break;
    after = Number(rows[rows.length - 1]!.chain_seq);
  }
  const lastSeq = expectedSeq - 1;
  if (head.seq > lastSeq) {
    report({ kind: 'MISSING', seq: lastSeq + 1, count: head.seq - lastSeq, message: `the last ${head.seq - lastSeq} entries (up to ${head.seq}) are missing` });
  } else if (head.seq < lastSeq || (checked > 0 && head.hash !== prevHash)) {
    report({ kind: 'HEAD_MISMATCH', seq: lastSeq, message: `the chain head (entry ${head.seq}) does not match the last entry (${lastSeq})` });
  }
  return { ok: problems.length === 0, checked, firstSeq, lastSeq: checked ? lastSeq : undefined, head, problems };
}
