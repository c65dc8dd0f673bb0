import { createPool } from '../db/pool.js';
import { planBettors, seedSource } from '../test/support/migration-data.js';
import { processSampler } from './process.js';
import { startBenchStack } from './stack.js';

/**
 * `npx tsx bench/migration.ts [N] [concurrency]`: migrates N existing bettors (default 1000) against the
 * real stack — dev server, PostgreSQL, simulators, the worker in its own process (bench/worker.ts) — with the
 * rate limit lifted, and prints bettors per second, the run count, and the worker process's peak RSS (read from
 * /proc/<pid>/status). Not part of `npm test`: figures go in the issue note.
 */
const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 50);

async function main(): Promise<void> {
  const stack = await startBenchStack('migration');
  const { run, temporal, esuBridge } = stack;
  const pool = createPool(stack.postgresUrl, 2);
  const table = `bench_${run}`;
  try {
    await seedSource(pool, table, planBettors(N, `bench-${run}`));
    console.log(
      `migration benchmark on ${temporal.address}: ${N} bettors, concurrency ${CONCURRENCY}, rate limit lifted`,
    );
    const memory = processSampler({ worker: stack.workers.map((w) => w.pid) });
    const started = performance.now();
    const handle = await esuBridge.startMigration({
      migrationId: `bench-${run}`,
      source: { kind: 'table', table },
      concurrency: CONCURRENCY,
      requestsPerHour: 1_000_000_000,
    });
    const result = await handle.result();
    const seconds = (performance.now() - started) / 1000;
    const { worker } = await memory.stop();
    console.log(
      `migrated ${result.settled} bettors (${result.done} identified) in ${seconds.toFixed(1)} s: ${(result.settled / seconds).toFixed(1)} bettors/s, ` +
        `${result.run} runs; worker RSS peak ${Math.round(worker!.peakMiB)} MiB, end ${Math.round(worker!.endMiB)} MiB`,
    );
    console.log(
      `at the default 1800 requests/hour the same migration paces at 600 bettors/hour: ${(N / 600).toFixed(1)} h for ${N}`,
    );
  } finally {
    await pool.end();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
