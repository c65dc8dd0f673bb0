import type { Pool } from '../db/pool.js';
import {
  credentialsRefusedTrip,
  ledgerMismatchTrip,
  unreachableTrip,
  type DetectorSettings,
  type DetectorTrip,
} from '../domain/detectors.js';
import { loadMaintenance, loadMinuteBuckets } from '../store/availability.js';

const LOOKBACK_MS = 24 * 3600_000;

/**
 * What the incident detector workflow asks every interval: the trips of every detector (domain/detectors.ts)
 * over the connectors' observations and the ledger, minus those that already have an open incident from the
 * same detector and counterpart (one incident per episode, whatever its id).
 */
export function createDetectorActivities({ pool, now = () => Date.now() }: { pool: Pool; now?: () => number }) {
  return {
    async detectIncidents(settings: DetectorSettings): Promise<DetectorTrip[]> {
      const nowMs = now();
      const [buckets, maintenance] = await Promise.all([
        loadMinuteBuckets(pool, nowMs - LOOKBACK_MS, nowMs + 60_000),
        loadMaintenance(pool, nowMs - LOOKBACK_MS, nowMs + 60_000),
      ]);
      const trips: DetectorTrip[] = [];
      for (const [counterpart, list] of buckets) {
        const windows = maintenance.filter((m) => m.counterpart === counterpart);
        const unreachable = unreachableTrip(counterpart, list, windows, nowMs, settings);
        const refused = credentialsRefusedTrip(counterpart, list, nowMs, settings);
        if (unreachable) trips.push(unreachable);
        if (refused) trips.push(refused);
      }
      const ledger = await pool.query(
        `SELECT COALESCE(sum(debits_posted), 0)::bigint AS debits, COALESCE(sum(credits_posted), 0)::bigint AS credits FROM ledger_accounts`,
      );
      const mismatch = ledgerMismatchTrip(ledger.rows[0], nowMs, settings);
      if (mismatch) trips.push(mismatch);
      if (!trips.length) return trips;

      const open = await pool.query(
        `SELECT state->'origin'->>'detector' AS detector, COALESCE(counterpart, '') AS counterpart FROM incidents WHERE origin = 'DETECTOR' AND status <> 'CLOSED'`,
      );
      const busy = new Set(open.rows.map((r) => `${r.detector}|${r.counterpart}`));
      return trips.filter((t) => !busy.has(`${t.detector}|${t.counterpart ?? ''}`));
    },
  };
}

export type DetectorActivities = ReturnType<typeof createDetectorActivities>;
