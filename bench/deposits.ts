import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { withCheckDigit } from '../domain/iin.js';
import { memorySampler, startBenchStack } from './stack.js';

/**
 * `npm run bench -- [N] [concurrency]`: N deposits, then N bets, N settlements and N payouts, `concurrency` in
 * flight at once, against the real stack (dev server, PostgreSQL, simulators, one in-process worker); then N
 * runs of the floor workflow with the same number of no-op activities as a deposit. Prints throughput, latency
 * percentiles, the worker's peak memory and the ratio. Each deposit and payout also starts its AFM submission,
 * which runs on in the background (sent, then waiting out AFM's window). Not part of `npm test`: figures go
 * in the issue note.
 */
const N = Number(process.argv[2] ?? 500);
const CONCURRENCY = Number(process.argv[3] ?? 50);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, run: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const stopSampling = memorySampler();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const t0 = performance.now();
        await run(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const peakRss = stopSampling().rss;
  latencies.sort((a, b) => a - b);
  const result = {
    label,
    perSecond: N / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    peakRssMiB: peakRss / 2 ** 20,
  };
  console.log(
    `${label.padEnd(8)} ${N} runs, ${CONCURRENCY} at once: ${result.perSecond.toFixed(1)}/s  p50 ${result.p50.toFixed(0)} ms  p95 ${result.p95.toFixed(0)} ms  p99 ${result.p99.toFixed(0)} ms  peak RSS ${result.peakRssMiB.toFixed(0)} MiB`,
  );
  return result;
}

async function main(): Promise<void> {
  // Bench bettors are not identified through ЦОИД first; the gate itself is covered by the integration tests.
  const stack = await startBenchStack('sagas', { BETTOR_IDENTIFICATION_REQUIRED: 'false' });
  const { run, temporal, connection, saga, client, esuBridge } = stack;
  const floorQueue = `bench-floor-${run}`;
  const floorWorker = await Worker.create({
    connection,
    taskQueue: floorQueue,
    workflowsPath: fileURLToPath(new URL(`./floor-workflows${path.extname(import.meta.url)}`, import.meta.url)),
    activities: { noop: async () => undefined, noopLocal: async () => undefined },
  });
  const iins = Array.from({ length: 200 }, (_, i) => {
    for (let serial = i * 10; ; serial++) {
      try {
        return withCheckDigit(`9005173${String(serial).padStart(4, '0')}`);
      } catch {
        continue;
      }
    }
  });

  console.log(`esu-bridge benchmark on ${temporal.address} (${N} runs each)`);
  let deposits!: Awaited<ReturnType<typeof measure>>;
  let floor!: Awaited<ReturnType<typeof measure>>;
  await saga.worker.runUntil(async () => {
    deposits = await measure('deposit', (i) =>
      esuBridge.deposit({ depositId: `bench-${run}-${i}`, iin: iins[i % iins.length]!, amountTiyn: 10_000 + i, currency: 'KZT' }),
    );
    // Every bettor now holds at least 10 000 tiyn per deposit: each bet stakes 2 000, each payout takes 1 000.
    await measure('bet', (i) =>
      esuBridge.placeBet({ betId: `bench-${run}-bet-${i}`, iin: iins[i % iins.length]!, stakeTiyn: 2_000, currency: 'KZT', eventId: `match-${i % 20}`, outcome: 'HOME', odds: '1.95' }),
    );
    await measure('settle', (i) => esuBridge.settleBet({ betId: `bench-${run}-bet-${i}`, result: i % 2 ? 'WON' : 'LOST' }));
    await measure('payout', (i) =>
      esuBridge.payout({ payoutId: `bench-${run}-pay-${i}`, iin: iins[i % iins.length]!, amountTiyn: 1_000, currency: 'KZT' }),
    );
  });
  await floorWorker.runUntil(async () => {
    floor = await measure('floor', (i) => client.workflow.execute('floor', { taskQueue: floorQueue, workflowId: `bench-floor-${run}-${i}` }));
  });
  console.log(`ratio    deposit/floor throughput ${(deposits.perSecond / floor.perSecond).toFixed(2)}, p50 latency ${(deposits.p50 / floor.p50).toFixed(2)}x`);

  await stack.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
