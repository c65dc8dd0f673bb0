import type { Queryable } from './journal.js';

/**
 * The journal's hash chain as PostgreSQL keeps it (migration 004: `chain_seq`, `prev_hash`, `hash` of each entry and
 * the head `journal_chain_head`) and the seals of its head (migration 016, `journal_seals`). Recomputing the chain
 * and making or checking a seal are the console's (console/journal-chain.ts, console/journal-seal.ts); these are
 * their reads and writes, on a pool or inside the caller's transaction.
 */
export interface ChainHead {
  /** The position of the newest entry, as text (a bigint). */
  seq: string;
  hash: string;
}

/** One entry with every field its hash covers, as text the way journal_entry_hash() reads them. */
export interface ChainRow {
  id: string;
  chain_seq: string;
  prev_hash: string;
  hash: string;
  /** Start and end in microseconds since the epoch. */
  started_us: string;
  ended_us: string;
  event: string;
  actor: string;
  record_id: string;
  result: string;
  details: string;
  dedupe_key: string | null;
}

/** A seal of the head as stored: the sealed position and hash, when, under which key, and its HMAC. */
export interface SealRow {
  seq: string;
  hash: string;
  sealed_at: Date;
  key_id: string;
  mac: string;
}

/** The chain head; undefined before the first entry. */
export async function readChainHead(db: Queryable): Promise<ChainHead | undefined> {
  return (await db.query<ChainHead>(`SELECT seq::text AS seq, hash FROM journal_chain_head WHERE id = 1`)).rows[0];
}

/**
 * The chain head, locked until the caller's transaction ends (entries wait to be appended meanwhile); undefined
 * before the first entry.
 */
export async function lockChainHead(db: Queryable): Promise<ChainHead | undefined> {
  return (await db.query<ChainHead>('SELECT seq::text AS seq, hash FROM journal_chain_head WHERE id = 1 FOR UPDATE'))
    .rows[0];
}

/** Up to `limit` entries after chain position `after`, in chain order. */
export async function readChainEntries(db: Queryable, after: number, limit: number): Promise<ChainRow[]> {
  const { rows } = await db.query<ChainRow>(
    `SELECT id::text AS id, chain_seq::text AS chain_seq, prev_hash, hash,
            ((extract(epoch FROM started_at) * 1000000)::bigint)::text AS started_us,
            ((extract(epoch FROM ended_at) * 1000000)::bigint)::text AS ended_us,
            event, actor, record_id, result, details::text AS details, dedupe_key
     FROM journal WHERE journal.chain_seq > $1 ORDER BY journal.chain_seq LIMIT $2`,
    [after, limit],
  );
  return rows;
}

/** Every seal, oldest first. */
export async function readSealRows(db: Queryable): Promise<SealRow[]> {
  const { rows } = await db.query<SealRow>(
    'SELECT seq::text AS seq, hash, sealed_at, key_id, mac FROM journal_seals ORDER BY seq',
  );
  return rows;
}

/** The newest seal; undefined before the first. */
export async function latestSealRow(db: Queryable): Promise<SealRow | undefined> {
  const { rows } = await db.query<SealRow>(
    'SELECT seq::text AS seq, hash, sealed_at, key_id, mac FROM journal_seals ORDER BY seq DESC LIMIT 1',
  );
  return rows[0];
}

/** Stores a seal; a seal already stored for the same position is kept and this one skipped. */
export async function insertSeal(
  db: Queryable,
  seal: { seq: number; hash: string; sealedAt: string; keyId: string; mac: string },
): Promise<void> {
  await db.query(
    'INSERT INTO journal_seals (seq, hash, sealed_at, key_id, mac) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING',
    [seal.seq, seal.hash, seal.sealedAt, seal.keyId, seal.mac],
  );
}
