import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.js';
import type { MigrationRow, MigrationOutcome } from '../../domain/migration.js';
import {
  migration,
  getMigrationStatusQuery,
  pauseMigrationUpdate,
  resumeMigrationUpdate,
  cancelMigrationUpdate,
  type MigrationInput,
} from '../../workflows/migration.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { fakeActivities, remember, useTidyTimeSkipping, type Activities } from './identification-fakes.js';
import { env, replayHistory, withWorker } from '../support/workflows.js';

useTidyTimeSkipping();

type Row = MigrationRow & { bettorRef: string };

function rows(n: number, prefix = uniqueId('b')): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    position: i + 1,
    bettorId: `${prefix}-${String(i).padStart(4, '0')}`,
    iin: adultIin(),
    phone: '+77011234567',
    consentGivenAt: '2024-05-01T10:00:00+05:00',
    agreementVersion: 'v1',
    photoRef: `photo-${i}`,
    bettorRef: 'b'.repeat(64),
  }));
}

/**
 * A source over `data`, and an outcome list that keeps the first outcome per bettor, as the real table's
 * key does: a local activity may run again when its workflow task is retried. A second, different outcome
 * for a bettor would be a double count and fails the test.
 */
function sourceFakes(data: Row[], recorded: Map<string, MigrationOutcome>): Partial<Activities> {
  return {
    describeMigrationSource: async () => ({ total: data.length }),
    readMigrationBatch: async ({ cursor, limit }) => {
      const from = cursor ? Number(cursor) : 0;
      const batch = data.slice(from, from + limit).map((r, i) => ({ ...r, position: from + i + 1 }));
      return { rows: batch, cursor: String(from + batch.length), exhausted: from + batch.length >= data.length };
    },
    recordMigrationOutcomes: async ({ items }) => {
      for (const item of items) {
        const before = recorded.get(item.bettorId);
        if (before && before !== item.outcome) conflicts.push(`${item.bettorId}: ${before} then ${item.outcome}`);
        if (!before) recorded.set(item.bettorId, item.outcome);
      }
      return items.length;
    },
  };
}

const conflicts: string[] = [];
afterEach(() => {
  expect(conflicts.splice(0)).toEqual([]);
});

function start(taskQueue: string, input: Partial<MigrationInput>) {
  const migrationId = uniqueId('mig');
  return env.client.workflow
    .start(migration, {
      taskQueue,
      workflowId: `Migration:${migrationId}`,
      args: [
        { migrationId, source: { kind: 'table', table: 'migration_bettors' }, requestsPerHour: 10_000_000, ...input },
      ],
    })
    .then(remember);
}

/** A migration of `n` bettors started with `input` on fakes over them (`sourceFakes`): `check` gets its handle. */
async function migrate(
  n: number,
  input: Partial<MigrationInput>,
  check: (
    handle: Awaited<ReturnType<typeof start>>,
    fakes: { a: ReturnType<typeof fakeActivities>; recorded: Map<string, MigrationOutcome> },
  ) => Promise<void>,
): Promise<void> {
  const recorded = new Map<string, MigrationOutcome>();
  const a = fakeActivities(sourceFakes(rows(n), recorded));
  await withWorker(a, async (taskQueue) => check(await start(taskQueue, input), { a, recorded }));
}

describe('bulk migration', () => {
  it('migrates every bettor exactly once across continue-as-new runs, with bounded concurrency and every kind of outcome', async () => {
    const data = rows(30);
    data[4]!.iin = '900517300129'; // bad check digit: INVALID, nothing sent
    const lowScore = new Set([data[7]!.iin, data[21]!.iin]);
    const restricted = data[12]!.iin;
    const already = data[15]!.bettorId;
    const recorded = new Map<string, MigrationOutcome>();
    let active = 0;
    let peak = 0;
    const a = fakeActivities({
      ...sourceFakes(data, recorded),
      matchReferencePhoto: async (r) => {
        peak = Math.max(peak, ++active);
        await new Promise((resolve) => setTimeout(resolve, 15));
        active -= 1;
        return { matchId: r.matchId, scorePercent: lowScore.has(r.iin) ? 60 : 93, matchedAt: new Date().toISOString() };
      },
      registerBettorWithEsu: async (r) => {
        if (r.iin === restricted)
          throw ApplicationFailure.create({
            message: 'BETTOR_RESTRICTED UNDER_21',
            type: ErrorType.EsuRejected,
            nonRetryable: true,
          });
        return { registrationId: r.registrationId, registeredAt: new Date().toISOString() };
      },
      readBettorIdentification: async ({ bettorId }) =>
        bettorId === already
          ? {
              bettorId,
              bettorRef: 'b',
              status: 'IDENTIFIED',
              method: 'TWO_FACTOR',
              blockedUntil: null,
              reason: null,
              identifiedAt: null,
              walletId: bettorId,
              esuRegistrationId: bettorId,
              consentRevokedAt: null,
            }
          : undefined,
    });
    await withWorker(a, async (taskQueue) => {
      const handle = await start(taskQueue, { concurrency: 3, bettorsPerRun: 8, readBatchSize: 4 });
      const result = await handle.result();

      expect(result.status).toBe('COMPLETED');
      expect(result.total).toBe(30);
      expect(result.counts).toEqual({
        IDENTIFIED: 25,
        ALREADY_IDENTIFIED: 1,
        IN_REVIEW: 2,
        REFUSED: 1,
        FAILED: 0,
        INVALID: 1,
        BUSY: 0,
      });
      expect(result).toMatchObject({ settled: 30, done: 26, failed: 2, inReview: 2, remaining: 0, inFlight: 0 });
      expect(result.run).toBeGreaterThanOrEqual(4); // 8 bettors per run: history stays bounded
      expect(recorded.size).toBe(30);
      expect(recorded.get(data[4]!.bettorId)).toBe('INVALID');
      expect(recorded.get(already)).toBe('ALREADY_IDENTIFIED');
      expect(recorded.get(data[7]!.bettorId)).toBe('IN_REVIEW');
      expect(recorded.get(data[12]!.bettorId)).toBe('REFUSED');
      // Each identified bettor is registered and gets a wallet exactly once.
      const registered = (
        a.registerBettorWithEsu as unknown as { mock: { calls: [{ registrationId: string }][] } }
      ).mock.calls.map(([r]) => r.registrationId);
      expect(new Set(registered).size).toBe(registered.length);
      expect(a.openIdentifiedWallet).toHaveBeenCalledTimes(25);
      // Bounded by the concurrency asked for, and really concurrent: a serial run would also stay under 3.
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
      // Migration decides by policy on the reference photo and journals that decision with itself as actor.
      const decision = a.journal.find((e) => e.event === 'identification.decision-recorded');
      expect(decision?.actor).toMatch(/^migration:mig-/);
      expect(a.fetchMatchedPersonalData).toHaveBeenCalledTimes(26);

      const description = await handle.describe();
      const memo = description.memo?.progress as Record<string, unknown>;
      expect(memo).toMatchObject({ status: 'COMPLETED', done: 26, inReview: 2, remaining: 0 });
      expect(description.typedSearchAttributes.get({ name: 'OperationStatus', type: 'KEYWORD' })).toBe('COMPLETED');
      for (const row of data) expect(JSON.stringify(description.memo)).not.toContain(row.iin);
      // The in-review children outlive the migration, waiting for their human decision.
      const inReview = await env.client.workflow.getHandle(`Identification:${data[7]!.bettorId}`).describe();
      expect(inReview.status.name).toBe('RUNNING');
      remember({ workflowId: `Identification:${data[7]!.bettorId}` });
      remember({ workflowId: `Identification:${data[21]!.bettorId}` });
    });
  });

  it('keeps within the rate limit: one bettor per 3 requests at the configured requests per hour', async () => {
    // One bettor per 30 s.
    await migrate(6, { concurrency: 1, requestsPerHour: 360 }, async (handle) => {
      const result = await handle.result();
      // Workflow time, from the run itself (the test server may skip far ahead once nothing is left to run).
      const elapsed = Date.parse(result.updatedAt) - Date.parse(result.startedAt);
      expect(result.done).toBe(6);
      expect(elapsed).toBeGreaterThanOrEqual(5 * 30_000);
      expect(elapsed).toBeLessThan(7 * 30_000);
      expect(result.ratePerHour).toBeGreaterThan(100);
      expect(result.ratePerHour).toBeLessThanOrEqual(120);
    });
  });

  it('pauses, resumes and cancels: nothing starts while paused, and a cancel leaves every started bettor counted', async () => {
    await migrate(40, { concurrency: 2, requestsPerHour: 360 }, async (handle, { a, recorded }) => {
      await env.sleep('2 minutes');
      const paused = await handle.executeUpdate(pauseMigrationUpdate, { args: [{ actor: 'ops.aigerim' }] });
      expect(paused.status).toBe('PAUSED');
      const twice = await handle
        .executeUpdate(pauseMigrationUpdate, { args: [{ actor: 'ops.aigerim' }] })
        .catch((e) => e);
      expect(String((twice as Error).cause ?? twice)).toContain('the migration is PAUSED');
      await env.sleep('5 seconds');
      const before = await handle.query(getMigrationStatusQuery);
      await env.sleep('1 hour');
      const after = await handle.query(getMigrationStatusQuery);
      expect(after.settled).toBe(before.settled);
      expect(after.status).toBe('PAUSED');

      await handle.executeUpdate(resumeMigrationUpdate, { args: [{ actor: 'ops.aigerim' }] });
      await env.sleep('2 minutes');
      const resumed = await handle.query(getMigrationStatusQuery);
      expect(resumed.settled).toBeGreaterThan(after.settled);

      const cancelled = await handle.executeUpdate(cancelMigrationUpdate, { args: [{ actor: 'ops.aigerim' }] });
      expect(cancelled.status).toBe('CANCELLING');
      const result = await handle.result();
      expect(result.status).toBe('CANCELLED');
      expect(result.settled).toBeLessThan(40);
      expect(result.remaining).toBe(40 - result.settled);
      expect(recorded.size).toBe(result.settled);
      expect(a.openIdentifiedWallet).toHaveBeenCalledTimes(result.done);
      const journalled = a.journal.filter((e) => e.event.startsWith('migration.')).map((e) => [e.event, e.actor]);
      expect(journalled).toEqual([
        ['migration.started', 'system'],
        ['migration.paused', 'ops.aigerim'],
        ['migration.resumed', 'ops.aigerim'],
        ['migration.cancel-requested', 'ops.aigerim'],
        ['migration.cancelled', 'system'],
      ]);
      // The cancel's journal entry and the migration's last one are written at the same time: the history must
      // still replay (a query on the closed run, or a worker taking it back, replays it).
      await replayHistory(handle);
    });
  });

  it('replays a cancel whose journal entry is still being written when the migration writes its last one', async () => {
    const data = rows(10);
    const a = fakeActivities(sourceFakes(data, new Map()));
    // Both journal writes in flight at once, the cancel's finishing first: one workflow task holds both.
    const write = a.journalEvent;
    const slower: Record<string, number> = { 'migration.cancel-requested': 300, 'migration.cancelled': 900 };
    a.journalEvent = async (entry) => {
      await new Promise((resolve) => setTimeout(resolve, slower[entry.event] ?? 0));
      return write(entry);
    };
    await withWorker(a, async (taskQueue) => {
      const handle = await start(taskQueue, { concurrency: 1, requestsPerHour: 60 });
      await env.sleep('30 seconds');
      await handle.executeUpdate(pauseMigrationUpdate, { args: [{ actor: 'ops.aigerim' }] });
      await env.sleep('10 minutes'); // the bettor in flight settles: nothing is left to drain
      const cancel = await handle.executeUpdate(cancelMigrationUpdate, { args: [{ actor: 'ops.aigerim' }] });
      expect((await handle.result()).status).toBe('CANCELLED');
      await replayHistory(handle);
      expect(cancel.status).toBe('CANCELLING'); // the last entry waits for the cancel's own
    });
  });

  it('treats a Temporal cancel request (the UI button) as cancel', async () => {
    await migrate(20, { concurrency: 2, requestsPerHour: 360 }, async (handle, { recorded }) => {
      await env.sleep('1 minute');
      await handle.cancel();
      const result = await handle.result();
      expect(result.status).toBe('CANCELLED');
      expect(recorded.size).toBe(result.settled);
      expect(result.settled).toBeGreaterThan(0);
    });
  });
});
