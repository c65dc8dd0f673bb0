import { planBettors, seedSource } from '../test/support/migration-data.js';
import { memorySampler, startBenchStack } from './stack.js';

/**
 * `npx tsx bench/migration.ts [N] [concurrency]`: migrates N existing bettors (default 1000) against the
 * real stack — dev server, PostgreSQL, simulators, one in-process worker — with the rate limit lifted, and
 * prints bettors per second, the run count, and the worker's peak memory (RSS and V8 heap, sampled every
 * 50 ms; the worker shares this process). Not part of `npm test`: figures go in the issue note.
 */
const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 50);

async function main(): Promise<void> {
  const stack = await startBenchStack('migration');
  const { run, temporal, saga, esuBridge } = stack;
  const pool = saga.pool;
  const table = `bench_${run}`;
  await seedSource(pool, table, planBettors(N, `bench-${run}`));

  console.log(`migration benchmark on ${temporal.address}: ${N} bettors, concurrency ${CONCURRENCY}, rate limit lifted`);
  const stopSampling = memorySampler();
  const started = performance.now();
  const result = await saga.worker.runUntil(async () => {
    const handle = await esuBridge.startMigration({
      migrationId: `bench-${run}`,
      source: { kind: 'table', table },
      concurrency: CONCURRENCY,
      requestsPerHour: 1_000_000_000,
    });
    return handle.result();
  });
  const seconds = (performance.now() - started) / 1000;
  const peak = stopSampling();
  console.log(
    `migrated ${result.settled} bettors (${result.done} identified) in ${seconds.toFixed(1)} s: ${(result.settled / seconds).toFixed(1)} bettors/s, ` +
      `${result.run} runs; worker peak RSS ${(peak.rss / 2 ** 20).toFixed(0)} MiB, peak V8 heap ${(peak.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(`at the default 1800 requests/hour the same migration paces at 600 bettors/hour: ${(N / 600).toFixed(1)} h for ${N}`);

  await stack.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
