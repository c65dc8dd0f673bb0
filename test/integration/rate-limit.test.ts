import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalConfig } from '../../config/temporal.js';
import type { HeldSubmission } from '../../simulators/afm.js';
import { createSagaWorker } from '../../workers/sagas.js';
import { adultIin } from '../support/ids.js';
import { startAfmSubmission } from '../support/submissions.js';
import { eventually, startFileStack } from '../support/stack.js';

/**
 * The outbound rate limit is shared by all workers (a token bucket per counterpart in PostgreSQL): two Worker
 * instances on one task queue, each with its own pool, HTTP clients and limiter, as two processes would have,
 * send AFM submissions as fast as they can; AFM's simulator sees no more than the configured rate.
 */
const PER_HOUR = 3600; // one a second, to keep the test short
const BURST = 2;
const SUBMISSIONS = 14;

let stack: Awaited<ReturnType<typeof startFileStack>>;
let second: Awaited<ReturnType<typeof createSagaWorker>>;
let secondRunning: Promise<void>;
let secondConnection: NativeConnection;
const open: string[] = [];
let sentBySecond = 0;

beforeAll(async () => {
  stack = await startFileStack({
    AFM_RATE_LIMIT_PER_HOUR: String(PER_HOUR),
    OUTBOUND_RATE_LIMIT_BURST: String(BURST),
    // Part of the queue waits inside its activity, the rest fails retryably with the wait as its retry delay.
    OUTBOUND_RATE_LIMIT_MAX_WAIT_MS: '4000',
    SUBMISSION_POLL_INTERVAL: '1h',
    // A round whose attempts all met a full queue pauses briefly before the next (5 minutes by default).
    SUBMISSION_RETRY_PAUSE: '2s',
    // A turned-away round must not be taken for an outage inside a maintenance window (the test may run at night).
    MAINTENANCE_WINDOWS: 'off',
  });
  const temporal = temporalConfig(stack.env);
  secondConnection = await NativeConnection.connect({ address: temporal.address });
  second = await createSagaWorker({
    connection: secondConnection,
    temporal,
    databaseUrl: stack.env.DATABASE_URL!,
    env: stack.env,
    observe: (e) => e.counterpart === 'afm' && (sentBySecond += 1),
  });
  secondRunning = second.worker.run();
});

afterAll(async () => {
  await stack?.endWorkflows(open.map((id) => `Submission:${id}`));
  second?.worker.shutdown();
  await secondRunning;
  await second?.close();
  await secondConnection?.close();
  await stack?.stop();
});

const held = async () =>
  (await (await fetch(new URL('/__admin/submissions', stack.simulators.afm.url))).json()) as HeldSubmission[];

describe('outbound rate limit across workers', () => {
  it(`holds ${PER_HOUR} requests an hour at AFM with two workers sending ${SUBMISSIONS} submissions at once`, async () => {
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: SUBMISSIONS }, async () => {
        const iin = adultIin();
        const { submissionId } = await startAfmSubmission(stack, iin);
        ids.push(submissionId);
        open.push(submissionId);
      }),
    );
    await eventually(
      async () => (await held()).filter((h) => ids.includes(h.submissionId)).length === SUBMISSIONS,
      90_000,
      500,
    );
    // Every request AFM's simulator received (status checks of retried attempts too), by arrival.
    const stats = (await (await fetch(new URL('/__admin/stats', stack.simulators.afm.url))).json()) as {
      arrivals: number[];
    };
    const arrivals = [...stats.arrivals].sort((a, b) => a - b);
    expect(arrivals.length).toBeGreaterThanOrEqual(SUBMISSIONS);
    // AFM holds a submission before its answer reaches the worker, so the journal's acknowledgement follows a moment later.
    const acknowledged = async () =>
      (
        await stack.pool.query(
          `SELECT count(*)::int AS n FROM journal WHERE record_id = ANY($1::text[]) AND event = 'submission.acknowledged'`,
          [ids],
        )
      ).rows[0].n as number;
    await eventually(async () => (await acknowledged()) === SUBMISSIONS, 30_000, 200);
    expect(await acknowledged()).toBe(SUBMISSIONS);
    // Both workers sent: the limit held across them, not inside one.
    expect(sentBySecond).toBeGreaterThan(0);
    expect(sentBySecond).toBeLessThan(arrivals.length);

    // In any window of w seconds AFM saw at most BURST + w × rate requests (a little slack for clocks).
    const perMs = PER_HOUR / 3_600_000;
    for (let i = 0; i < arrivals.length; i++) {
      for (let j = i; j < arrivals.length; j++) {
        const windowMs = arrivals[j]! - arrivals[i]!;
        expect(j - i + 1, `requests ${i}..${j} within ${windowMs} ms`).toBeLessThanOrEqual(
          BURST + Math.ceil((windowMs + 50) * perMs),
        );
      }
    }
    const spanMs = arrivals.at(-1)! - arrivals[0]!;
    expect(spanMs).toBeGreaterThanOrEqual(((arrivals.length - BURST) / perMs) * 0.95);
    console.log(
      `rate limit: ${arrivals.length} AFM requests (${sentBySecond} by the second worker) for ${SUBMISSIONS} submissions from 2 workers over ${spanMs} ms (limit ${PER_HOUR}/h, burst ${BURST}): ${((arrivals.length - 1) / (spanMs / 1000)).toFixed(2)}/s`,
    );
  }, 120_000);
});
