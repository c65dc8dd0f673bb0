import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDetectorActivities } from '../../activities/detectors.js';
import { createExchangeRecorder } from '../../activities/availability.js';
import { incidentsConfig } from '../../config/console.js';
import { createPool, type Pool } from '../../db/pool.js';
import type { DetectorSettings } from '../../domain/detectors.js';
import { uniqueId } from '../support/ids.js';

/**
 * The detectors over PostgreSQL: the worker's exchange recorder writes what the connectors saw, and the
 * detector activity reads it. Observations are placed in 2001 (a clock injected into the activity) so they
 * never show in the availability of the other tests' present.
 */
let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 4);
});
afterAll(async () => pool?.end());

const NOW = Date.parse('2001-06-01T12:00:00Z');
const MIN = 60_000;
/** The deployment's defaults, as the worker reads them: unreachable after 15 minutes, Almaty's +05:00 for the ids. */
const settings: DetectorSettings = incidentsConfig({}).detectors;

describe('incident detectors on the recorded observations', () => {
  it('trips on a counterpart unreachable for longer than the setting, but not inside announced maintenance', async () => {
    const counterpart = uniqueId('cp').toLowerCase();
    const recorder = createExchangeRecorder(pool, { flushEveryMs: 60_000 });
    const exchange = (minutesAgo: number, status: number | 'NETWORK_ERROR') =>
      recorder.observe({
        counterpart: counterpart as 'esu',
        method: 'POST',
        path: '/v1/operations',
        status,
        sentAt: new Date(NOW - minutesAgo * MIN),
        receivedAt: new Date(NOW - minutesAgo * MIN + 40),
      });
    exchange(40, 201);
    for (const ago of [20, 19, 12, 5, 1]) exchange(ago, ago % 2 ? 503 : 'NETWORK_ERROR');
    await recorder.close();

    const detect = createDetectorActivities({ pool, now: () => NOW }).detectIncidents;
    const trips = (await detect(settings)).filter((t) => t.counterpart === counterpart);
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({
      detector: 'counterpart-unreachable',
      incidentId: `auto-unreachable-${counterpart}-200106011140`,
    });
    expect(
      (await detect({ ...settings, unreachableAfterMs: 25 * MIN })).filter((t) => t.counterpart === counterpart),
    ).toEqual([]);

    await pool.query(
      `INSERT INTO maintenance_windows (counterpart, starts_at, ends_at, note, announced_by) VALUES ($1, $2, $3, 'release', 'test')`,
      [counterpart, new Date(NOW - 30 * MIN), new Date(NOW + 30 * MIN)],
    );
    expect((await detect(settings)).filter((t) => t.counterpart === counterpart)).toEqual([]);
  });

  it('adds what several workers saw in the same minute', async () => {
    const counterpart = uniqueId('cp').toLowerCase();
    const a = createExchangeRecorder(pool, { flushEveryMs: 60_000 });
    const b = createExchangeRecorder(pool, { flushEveryMs: 60_000 });
    for (const r of [a, a, b])
      r.observe({
        counterpart: counterpart as 'esu',
        method: 'GET',
        path: '/x',
        status: 401,
        sentAt: new Date(NOW),
        receivedAt: new Date(NOW + 5),
      });
    await Promise.all([a.close(), b.close()]);
    const { rows } = await pool.query(
      'SELECT auth_failures, ok FROM counterpart_exchange_minutes WHERE counterpart = $1',
      [counterpart],
    );
    expect(rows).toEqual([{ auth_failures: 3, ok: 0 }]);
  });
});
