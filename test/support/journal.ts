import { inTransaction, type Pool, type PoolClient } from '../../db/pool.js';

/**
 * As the owner, in one transaction: the journal's own triggers off, `fn` (the tampering a test stages), triggers back
 * on; rolled back if anything fails.
 */
export function withJournalTriggersOff(pool: Pool, fn: (db: PoolClient) => Promise<unknown>): Promise<void> {
  return inTransaction(pool, async (db) => {
    await db.query('ALTER TABLE journal DISABLE TRIGGER USER');
    await fn(db);
    await db.query('ALTER TABLE journal ENABLE TRIGGER USER');
  });
}
