import { createHash } from 'node:crypto';
import { inTransaction, READ_ONLY_SNAPSHOT, type Pool, type PoolClient } from '../db/pool.js';
import { readChainEntries, readChainHead, type ChainRow } from '../store/journal-chain.js';
import { readSeals, sealIsAuthentic, type JournalAnchor, type SealKey } from './journal-seal.js';

/**
 * Verifies the journal's hash chain (db/migrations/004_incidents_console.sql) independently of the database's
 * own hash function: every entry's hash is recomputed here from its stored fields, each entry must name its
 * predecessor's hash, sequence numbers must have no gaps, and the last entry must be the chain head.
 * What it finds:
 *   ALTERED      an entry's content no longer matches its hash;
 *   BROKEN_LINK  an entry does not follow the one before it (the one before was replaced, or re-hashed);
 *   MISSING      sequence numbers are missing (entries removed), including at the end (head ahead of the rows).
 * With the seal key (console/journal-seal.ts), also:
 *   SEAL_MISMATCH  the chain at a sealed position no longer has the sealed hash: entries at or before it were
 *                  changed and re-hashed (or removed and the chain rebuilt);
 *   FORGED_SEAL    a seal (or the anchor given) was not made with our key;
 *   SEAL_MISSING   the anchor given is newer than every seal in the database: seals were removed.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainProblem {
  kind: 'ALTERED' | 'BROKEN_LINK' | 'MISSING' | 'HEAD_MISMATCH' | 'SEAL_MISMATCH' | 'FORGED_SEAL' | 'SEAL_MISSING';
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
  /** Seals checked (none without the seal key), and the newest one. */
  seals: { checked: number; latest?: JournalAnchor };
}

export interface SealCheck {
  key: SealKey;
  /** A head kept outside the database (an export's head file, the auditor's record): checked against the chain. */
  anchor?: JournalAnchor;
}

function field(x: string | null): string {
  return x === null ? 'N;' : `${Buffer.byteLength(x, 'utf8')}:${x};`;
}

/** The hash of one entry, as the database's journal_entry_hash() computes it. */
export function entryHash(row: Omit<ChainRow, 'hash'>): string {
  const text = [
    row.prev_hash,
    row.chain_seq,
    row.id,
    row.started_us,
    row.ended_us,
    row.event,
    row.actor,
    row.record_id,
    row.result,
    row.details,
    row.dedupe_key,
  ]
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
export async function verifyJournal(pool: Pool, seals?: SealCheck): Promise<ChainReport> {
  return inTransaction(pool, (db) => verifyInSnapshot(db, seals), READ_ONLY_SNAPSHOT);
}

async function verifyInSnapshot(db: PoolClient, sealCheck?: SealCheck): Promise<ChainReport> {
  const seals = sealCheck ? await readSeals(db) : [];
  const anchor = sealCheck?.anchor;
  const sealedSeqs = new Set([...seals.map((s) => s.seq), ...(anchor ? [anchor.seq] : [])]);
  const hashAt = new Map<number, string>();
  const headRow = await readChainHead(db);
  const head = { seq: Number(headRow?.seq ?? 0), hash: String(headRow?.hash ?? GENESIS_HASH) };
  const problems: ChainProblem[] = [];
  const report = (p: ChainProblem) => problems.length < MAX_PROBLEMS && problems.push(p);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let firstSeq: number | undefined;
  let after = 0;
  for (;;) {
    const rows = await readChainEntries(db, after, BATCH);
    for (const row of rows) {
      const seq = Number(row.chain_seq);
      firstSeq ??= seq;
      if (seq > expectedSeq) {
        report({
          kind: 'MISSING',
          seq: expectedSeq,
          count: seq - expectedSeq,
          message: `entries ${expectedSeq}…${seq - 1} are missing`,
        });
      }
      if (entryHash(row) !== row.hash) {
        report({
          kind: 'ALTERED',
          seq,
          entryId: row.id,
          message: `entry ${seq} (id ${row.id}, ${row.event}) does not match its hash: its content was changed`,
        });
      }
      if (row.prev_hash !== prevHash && seq === expectedSeq) {
        report({
          kind: 'BROKEN_LINK',
          seq,
          entryId: row.id,
          message: `entry ${seq} does not follow entry ${seq - 1}: the earlier entry was replaced or re-hashed`,
        });
      }
      if (sealedSeqs.has(seq)) hashAt.set(seq, row.hash);
      prevHash = row.hash;
      expectedSeq = seq + 1;
      checked += 1;
    }
    if (rows.length < BATCH) break;
    after = Number(rows[rows.length - 1]!.chain_seq);
  }
  const lastSeq = expectedSeq - 1;
  if (head.seq > lastSeq) {
    report({
      kind: 'MISSING',
      seq: lastSeq + 1,
      count: head.seq - lastSeq,
      message: `the last ${head.seq - lastSeq} entries (up to ${head.seq}) are missing`,
    });
  } else if (head.seq < lastSeq || (checked > 0 && head.hash !== prevHash)) {
    report({
      kind: 'HEAD_MISMATCH',
      seq: lastSeq,
      message: `the chain head (entry ${head.seq}) does not match the last entry (${lastSeq})`,
    });
  }
  if (sealCheck) {
    const check = (seal: JournalAnchor, what: string) => {
      if (!sealIsAuthentic(sealCheck.key, seal)) {
        return report({
          kind: 'FORGED_SEAL',
          seq: seal.seq,
          message: `${what} of entry ${seal.seq} (${seal.sealedAt}) was not made with our seal key "${sealCheck.key.keyId}"`,
        });
      }
      if (seal.seq === 0) return;
      if (seal.seq > lastSeq) {
        return report({
          kind: 'MISSING',
          seq: lastSeq + 1,
          count: seal.seq - lastSeq,
          message: `${what} of ${seal.sealedAt} covers entries up to ${seal.seq}; the chain ends at ${lastSeq}: sealed entries were removed`,
        });
      }
      if (hashAt.get(seal.seq) !== seal.hash) {
        report({
          kind: 'SEAL_MISMATCH',
          seq: seal.seq,
          message: `the chain at entry ${seal.seq} no longer matches ${what} of ${seal.sealedAt}: entries at or before it were changed and re-hashed`,
        });
      }
    };
    for (const seal of seals) check(seal, 'the seal');
    if (anchor) {
      check(anchor, 'the anchor');
      const newest = seals.at(-1);
      if (sealIsAuthentic(sealCheck.key, anchor) && (!newest || newest.seq < anchor.seq)) {
        report({
          kind: 'SEAL_MISSING',
          seq: anchor.seq,
          message: `the anchor of ${anchor.sealedAt} (entry ${anchor.seq}) is newer than every seal in the database: seals were removed`,
        });
      }
    }
  }
  return {
    ok: problems.length === 0,
    checked,
    firstSeq,
    lastSeq: checked ? lastSeq : undefined,
    head,
    problems,
    seals: { checked: seals.length, latest: seals.at(-1) },
  };
}
