import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine } from '../../client/migration-progress.js';
import { emptyCounts, type MigrationProgress } from '../../domain/migration.js';

describe('the CLI progress line', () => {
  const base: MigrationProgress = {
    migrationId: 'm-1',
    status: 'RUNNING',
    total: 1000,
    settled: 250,
    done: 240,
    failed: 6,
    inReview: 4,
    remaining: 750,
    inFlight: 10,
    counts: emptyCounts(),
    ratePerHour: 600,
    etaAt: '2026-11-20T11:15:00.000Z',
    startedAt: '2026-11-20T09:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    run: 2,
  };

  it('shows the bar, the counts, the rate and the ETA', () => {
    const line = progressLine(base, Date.parse('2026-11-20T10:00:00Z'), 20);
    expect(line).toBe(
      '[#####---------------]  25.0% 250/1000  done 240  failed 6  in review 4  remaining 750  in flight 10  600/h  ETA 1 h 15 min  RUNNING',
    );
  });

  it('copes with an unknown total and no ETA yet', () => {
    expect(
      progressLine({ ...base, total: undefined, remaining: undefined, etaAt: undefined, settled: 0 }, 0),
    ).toContain('0/?');
    expect(formatDuration(3 * 24 * 3600_000 + 2 * 3600_000)).toBe('3 d 2 h');
  });
});
