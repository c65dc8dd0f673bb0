import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { inTransaction, type Pool } from '../db/pool.js';
import type { Queryable } from '../store/journal.js';
import { insertSeal, latestSealRow, lockChainHead, readSealRows, type SealRow } from '../store/journal-chain.js';

/**
 * Seals of the journal's chain head (db/migrations/016_journal_seals.sql). The chain alone proves order, not
 * authorship: its hash is unkeyed, so whoever owns the database can change an entry and re-hash everything after
 * it, or delete the newest entries and rewind the head. A seal is the head's (seq, hash) under an HMAC whose key
 * only the application holds (JOURNAL_SEAL_KEY), taken every JOURNAL_SEAL_INTERVAL_MINUTES and at each
 * verification, export and head request. Verification then finds every entry changed or removed at or before the
 * newest seal. The newest seal also leaves the database as an anchor (a head file beside each export, printed by
 * `journal head` for the auditor's records): checked against it, removing seals is found too.
 */
export const ANCHOR_FORMAT = 'esu-bridge-journal-head/v1';

export const JournalAnchor = z.strictObject({
  format: z.literal(ANCHOR_FORMAT),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in hex'),
  sealedAt: z.iso.datetime({ offset: true }),
  keyId: z.string().min(1),
  mac: z.string().regex(/^[0-9a-f]{64}$/, 'an HMAC-SHA256 in hex'),
});
export type JournalAnchor = z.infer<typeof JournalAnchor>;

export interface SealKey {
  keyId: string;
  key: string;
}

type Unsealed = Omit<JournalAnchor, 'mac' | 'format'>;

function mac(key: SealKey, a: Unsealed): string {
  return createHmac('sha256', key.key)
    .update([ANCHOR_FORMAT, a.keyId, a.seq, a.hash, a.sealedAt].join('\n'), 'utf8')
    .digest('hex');
}

/** True when the seal was made with this key: its key id and MAC both match. */
export function sealIsAuthentic(key: SealKey, a: JournalAnchor): boolean {
  if (a.keyId !== key.keyId) return false;
  const expected = Buffer.from(mac(key, a), 'hex');
  const given = Buffer.from(a.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const anchorOf = (r: SealRow): JournalAnchor => ({
  format: ANCHOR_FORMAT,
  seq: Number(r.seq),
  hash: r.hash,
  sealedAt: r.sealed_at.toISOString(),
  keyId: r.key_id,
  mac: r.mac,
});

/** Every seal, oldest first, as the verification reads them inside its snapshot. */
export async function readSeals(db: Queryable): Promise<JournalAnchor[]> {
  return (await readSealRows(db)).map(anchorOf);
}

/**
 * Seals the current head, or answers the newest seal when the head has not moved since. The head row is locked for
 * the moment it takes, so the sealed (seq, hash) is one the chain really had.
 */
export async function sealJournalHead(pool: Pool, key: SealKey, now: () => number = Date.now): Promise<JournalAnchor> {
  return inTransaction(pool, async (db) => {
    const head = await lockChainHead(db);
    const seq = Number(head?.seq ?? 0);
    const hash = head?.hash ?? '0'.repeat(64);
    const latest = await latestSealRow(db);
    if (latest && Number(latest.seq) === seq && latest.key_id === key.keyId) return anchorOf(latest);
    const unsealed: Unsealed = { seq, hash, sealedAt: new Date(now()).toISOString(), keyId: key.keyId };
    const anchor: JournalAnchor = { format: ANCHOR_FORMAT, ...unsealed, mac: mac(key, unsealed) };
    await insertSeal(db, anchor);
    return anchor;
  });
}

/** Seals the head every `intervalMs` (the console runs it); a failed seal is logged, and the next one tries again. */
export function sealPeriodically(
  pool: Pool,
  key: SealKey,
  intervalMs: number,
  log: (message: string) => void = console.error,
): () => void {
  const timer = setInterval(() => {
    sealJournalHead(pool, key).catch((err: unknown) => log(`journal seal failed: ${(err as Error).message}`));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
