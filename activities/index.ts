import type { Pool } from '../db/pool.js';
import { createEsuActivities } from './esu.js';
import { createJournalActivities } from './journal.js';
import { createLedgerActivities } from './ledger.js';
import { createNomapayActivities } from './nomapay.js';
import type { CounterpartClient } from './http.js';

export interface ActivityDeps {
  pool: Pool;
  esu: CounterpartClient;
  nomapay: CounterpartClient;
}

/** Every activity the worker registers, built from real connections. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEsuActivities(deps),
    ...createNomapayActivities(deps),
    ...createLedgerActivities(deps),
    ...createJournalActivities(deps),
  };
}
