import { createSubmissionClient } from '../client/submissions.js';
import { createPool } from '../db/pool.js';
import { firstSubmissionId } from '../domain/submission.js';
import { processSampler } from './process.js';
import { startBenchStack } from './stack.js';
import { benchIins } from './stats.js';

/**
 * `npx tsx bench/submissions.ts [N…]` (default 1000 10000): for each N, a fresh stack (dev server, embedded
 * PostgreSQL, simulators) with the worker in **its own process** (bench/worker.ts: the production saga worker,
 * default capacity and workflow cache, on a prebuilt bundle), N AFM submissions opened and acknowledged, then,
 * while they wait in their rejection windows: AFM requests per hour (from the simulator's counters over a
 * measured period), the worker's RSS read from /proc/<pid>/status, and the time from AFM's rejection of a few of
 * them to REJECTED in PostgreSQL. The fetch interval is shortened (AFM_VERDICT_FETCH_INTERVAL, default here 10s)
 * so a few minutes show the rate; the requests per hour are reported for that interval and scaled to the
 * production default (1 minute). The outbound rate limit is lifted for the opening (1 800 an hour would take
 * N / 1 800 hours); the waiting submissions' rate is the verdict reader's, which the limit does not shape.
 */
const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const NS = SIZES.length ? SIZES : [1000, 10000];
const FETCH_INTERVAL_S = Number(process.env.BENCH_FETCH_INTERVAL_S ?? 10);
const MEASURE_S = Number(process.env.BENCH_MEASURE_S ?? 120);
const REJECTIONS = 5;
const OPEN_LANES = Number(process.env.BENCH_OPEN_LANES ?? 20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Valid IINs (check digit) for the records; bettors repeat, submissions do not.
const IINS = benchIins(200);

/** AFM's API requests by route; the simulator's own admin routes (this benchmark's reads of them) do not count. */
async function afmRequests(url: string): Promise<Record<string, number>> {
  const { requests } = (await (await fetch(new URL('/__admin/stats', url))).json()) as {
    requests: Record<string, number>;
  };
  return Object.fromEntries(Object.entries(requests).filter(([route]) => !route.includes('/__admin')));
}
const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

async function benchOne(n: number) {
  const stack = await startBenchStack('submissions', {
    extraEnv: { AFM_VERDICT_FETCH_INTERVAL: `${FETCH_INTERVAL_S}s` },
  });
  const { sims, client } = stack;
  const pool = createPool(stack.postgresUrl, 2);
  const memory = processSampler({ worker: stack.workers.map((w) => w.pid) }, 500);
  const rss = { last: () => memory.current('worker').lastMiB, peak: () => memory.current('worker').peakMiB };
  const submissions = createSubmissionClient({ client, taskQueue: stack.taskQueue });
  try {
    const count = async (status: string) =>
      Number((await pool.query('SELECT count(*) AS c FROM submissions WHERE status = $1', [status])).rows[0].c);
    const t0 = performance.now();
    const run = Date.now().toString(36);
    let next = 0;
    // Opened at the pace the worker acknowledges them (at most OPEN_LANES waiting for their send): started all at
    // once, a loaded machine lets workflow tasks full of local activities time out and start over.
    await Promise.all(
      Array.from({ length: OPEN_LANES }, async () => {
        while (next < n) {
          const i = next++;
          const operationId = `bench-${run}-${i}`;
          const submissionId = firstSubmissionId('AFM', operationId);
          await submissions.startSubmission({
            submissionId,
            operationId,
            operationKind: 'DEPOSIT',
            bettorRef: 'b'.repeat(64),
            attempt: 1,
            payload: {
              counterpart: 'AFM',
              record: { iin: IINS[i % IINS.length]!, receivedAt: new Date().toISOString(), receivedTiyn: 10_000 + i },
            },
          });
          while (
            (await pool.query('SELECT status FROM submissions WHERE submission_id = $1', [submissionId])).rows[0]
              ?.status !== 'ACKNOWLEDGED'
          )
            await sleep(200);
        }
      }),
    );
    for (;;) {
      const acknowledged = await count('ACKNOWLEDGED');
      if (acknowledged >= n) break;
      await sleep(1000);
    }
    const openSeconds = (performance.now() - t0) / 1000;
    const rssOpened = rss.last();

    // While they wait: every request AFM sees over the period, by route.
    const before = await afmRequests(sims.afm.url);
    const m0 = performance.now();
    await sleep(MEASURE_S * 1000);
    const after = await afmRequests(sims.afm.url);
    const measured = (performance.now() - m0) / 1000;
    const byRoute = Object.fromEntries(
      Object.keys(after)
        .map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)])
        .filter(([, v]) => (v as number) > 0),
    );
    const perHour = ((total(after) - total(before)) * 3600) / measured;
    const rssWaiting = rss.last();

    // AFM rejects a few: how long until PostgreSQL says REJECTED.
    const { rows } = await pool.query(
      `SELECT submission_id, message_id FROM submissions WHERE status = 'ACKNOWLEDGED' ORDER BY random() LIMIT ${REJECTIONS}`,
    );
    const latencies: number[] = [];
    await Promise.all(
      rows.map(async (r: { submission_id: string; message_id: string }) => {
        const at = Date.now();
        const res = await fetch(new URL(`/__admin/submissions/${r.message_id}/reject`, sims.afm.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: 'IIN_UNKNOWN', reason: 'bench' }),
        });
        if (!res.ok) throw new Error(`reject ${r.message_id}: ${res.status}`);
        for (;;) {
          const s = (await pool.query('SELECT status FROM submissions WHERE submission_id = $1', [r.submission_id]))
            .rows[0].status;
          if (s === 'REJECTED') break;
          await sleep(100);
        }
        latencies.push(Date.now() - at);
      }),
    );
    latencies.sort((a, b) => a - b);
    const result = {
      n,
      openSeconds: Math.round(openSeconds),
      afmRequestsPerHour: Math.round(perHour),
      afmRequestsPerHourAtDefaultInterval: Math.round((perHour * FETCH_INTERVAL_S) / 60),
      byRoute,
      measuredSeconds: Math.round(measured),
      workerRssMiB: { opened: Math.round(rssOpened), waiting: Math.round(rssWaiting), peak: Math.round(rss.peak()) },
      rejectionToRejectedMs: { min: latencies[0], max: latencies.at(-1), fetchIntervalMs: FETCH_INTERVAL_S * 1000 },
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await memory.stop();
    await pool.end();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const results = [];
  for (const n of NS) results.push(await benchOne(n));
  console.log(
    '\nN       open(s)  AFM req/h (interval ' +
      FETCH_INTERVAL_S +
      's)  at 1m  worker RSS opened/waiting/peak MiB  rejection→REJECTED ms',
  );
  for (const r of results) {
    console.log(
      `${String(r.n).padEnd(8)}${String(r.openSeconds).padEnd(9)}${String(r.afmRequestsPerHour).padEnd(27)}${String(r.afmRequestsPerHourAtDefaultInterval).padEnd(7)}${`${r.workerRssMiB.opened}/${r.workerRssMiB.waiting}/${r.workerRssMiB.peak}`.padEnd(36)}${r.rejectionToRejectedMs.min}–${r.rejectionToRejectedMs.max}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
