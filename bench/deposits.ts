import type { Client } from '@temporalio/client';
import { counterpartOperationId } from '../domain/ids.js';
import { meanBreakdown, timeBreakdown } from './time-breakdown.js';
import { firstSubmissionId, submissionWorkflowId } from '../domain/submission.js';
import { depositWorkflowId, betWorkflowId, settlementWorkflowId, payoutWorkflowId } from '../domain/ids.js';
import { cpuMeter, processSampler } from './process.js';
import { startBenchStack, type BenchServer } from './stack.js';
import {
  benchIins,
  MIX_CYCLE,
  parseBenchArgs,
  percentile,
  resultsTable,
  sideBySideTable,
  summarize,
  verdicts,
  breakdownTable,
  cpuTable,
  filedComparisonTable,
  markdownTable,
  type BenchArgs,
  type KindResult,
} from './stats.js';

/**
 * `npm run bench -- [N] [concurrency] [--server dev|cluster|both] [--workers 1|2] [--mix …]`: the cost of a
 * bettor's operation against Temporal's floor. Against the real stack (Temporal, PostgreSQL, simulators) with the
 * worker(s) in their own processes (bench/worker.ts, the production saga worker with the default capacity), the
 * benchmark is only their client: N deposits, then N bets, N settlements and N payouts, `concurrency` in flight
 * at once; then N runs of the floor workflow (bench/floor-workflows.ts) on floor worker processes. Per kind:
 * throughput, p50/p95/p99, history events and state transitions per operation (its AFM submission included),
 * the worker's and the Temporal server's RSS (peak and end, /proc/<pid>/status); then the ratios to the floor,
 * and a non-zero exit where one misses the goal (≥ 0.9× the floor's throughput, p99 ≤ 1.2× the floor's, worker
 * ≤ 400 MiB). `--mix`: the bettor-day mix at stepped arrival rates instead. Not part of `npm test`.
 */

// Valid IINs (check digit) for the bench's bettors; each deposit funds one.
const IINS = benchIins(200);

type Stack = Awaited<ReturnType<typeof startBenchStack>>;
type Kind = 'deposit' | 'bet' | 'settle' | 'payout' | 'floor';

const workflowIdOf: Record<Kind, (id: string) => string> = {
  deposit: depositWorkflowId,
  bet: betWorkflowId,
  settle: settlementWorkflowId,
  payout: payoutWorkflowId,
  floor: (id) => id,
};

/** The AFM submission a deposit or payout opened: the id its result names, else the one its counterpart id gives. */
function submissionOf(kind: Kind, id: string, result: unknown): string | undefined {
  const named = (result as { afmSubmissionId?: unknown } | undefined)?.afmSubmissionId;
  if (typeof named === 'string') return submissionWorkflowId(named);
  if (kind === 'deposit') return submissionWorkflowId(firstSubmissionId('AFM', counterpartOperationId('DEPOSIT', id)));
  if (kind === 'payout') return submissionWorkflowId(firstSubmissionId('AFM', counterpartOperationId('PAYOUT', id)));
  return undefined;
}

/** History length and state transitions of each workflow (DescribeWorkflowExecution); absent ones count nothing. */
async function historyCost(
  client: Client,
  workflowIds: string[],
): Promise<{ events: number; stateTransitions: number }> {
  let events = 0;
  let stateTransitions = 0;
  for (const workflowId of workflowIds) {
    try {
      const d = await client.workflowService.describeWorkflowExecution({
        namespace: client.options.namespace,
        execution: { workflowId },
      });
      events += Number(d.workflowExecutionInfo?.historyLength ?? 0);
      stateTransitions += Number(d.workflowExecutionInfo?.stateTransitionCount ?? 0);
    } catch {
      // not started (a settlement's ESU submission exists only on a refusal)
    }
  }
  return { events, stateTransitions };
}

/** The processes a kind's figures are read from: the workers that run it, and the Temporal server when it is ours. */
function measuredProcesses(stack: Stack, kind: Kind): Record<string, number[]> {
  const workers = (kind === 'floor' ? stack.floorWorkers : stack.workers).map((w) => w.pid);
  return { worker: workers, ...(stack.temporal.pid ? { temporal: [stack.temporal.pid] } : {}) };
}

function sampler(stack: Stack, kind: Kind) {
  return processSampler(measuredProcesses(stack, kind));
}

async function measure(
  stack: Stack,
  args: BenchArgs,
  kind: Kind,
  run: (i: number) => Promise<{ id: string; result: unknown }>,
): Promise<KindResult> {
  const latencies: number[] = [];
  const sampled: { id: string; result: unknown }[] = [];
  let failed = 0;
  let firstError: unknown;
  let next = 0;
  const memory = sampler(stack, kind);
  const cpu = await cpuMeter(measuredProcesses(stack, kind));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: args.concurrency }, async () => {
      while (next < args.n) {
        const i = next++;
        const t0 = performance.now();
        try {
          const done = await run(i);
          latencies.push(performance.now() - t0);
          if (i < args.sample) sampled.push(done);
        } catch (err) {
          failed++;
          firstError ??= err;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const mem = await memory.stop();
  const cpuUsed = await cpu.stop();
  const perOp = (v: number) => v / Math.max(1, latencies.length);
  const { worker = 0, temporal = 0, bench = 0, machine = 0 } = cpuUsed;
  const cpuMsPerOp = {
    worker: perOp(worker),
    temporal: perOp(temporal),
    bench: perOp(bench),
    rest: perOp(Math.max(0, machine - worker - temporal - bench)),
    machine: perOp(machine),
  };
  if (firstError) console.error(`${kind}: ${failed} failed, the first: ${(firstError as Error).message}`);
  const sagaIds = sampled.map(({ id }) => workflowIdOf[kind](id));
  const submissionIds =
    kind === 'floor'
      ? []
      : sampled.flatMap(({ id, result }) => [submissionOf(kind, id, result)].filter((x): x is string => !!x));
  const cost = await historyCost(stack.client, [...sagaIds, ...submissionIds]);
  const breakdown = async (workflowIds: string[]) =>
    meanBreakdown(
      await Promise.all(
        workflowIds.map(async (w) =>
          timeBreakdown((await stack.client.workflow.getHandle(w).fetchHistory()).events ?? []),
        ),
      ).catch(() => []),
    );
  const saga = await breakdown(sagaIds);
  const submission = kind === 'deposit' || kind === 'payout' ? await breakdown(submissionIds) : undefined;
  const result: KindResult = {
    ...summarize(kind, latencies, seconds, failed),
    events: sampled.length ? cost.events / sampled.length : Number.NaN,
    stateTransitions: sampled.length ? cost.stateTransitions / sampled.length : Number.NaN,
    workerPeakMiB: mem.worker!.peakMiB,
    workerEndMiB: mem.worker!.endMiB,
    ...(mem.temporal ? { temporalPeakMiB: mem.temporal.peakMiB, temporalEndMiB: mem.temporal.endMiB } : {}),
    cpuMsPerOp,
    ...(saga ? { time: saga } : {}),
    ...(submission ? { submissionTime: submission } : {}),
  };
  console.log(
    `${kind.padEnd(8)} ${result.runs} runs, ${args.concurrency} at once: ${result.perSecond.toFixed(1)}/s  p50 ${result.p50.toFixed(0)} ms  p99 ${result.p99.toFixed(0)} ms  ` +
      `${result.events.toFixed(1)} events, ${result.stateTransitions.toFixed(1)} transitions/op  worker RSS ${Math.round(result.workerPeakMiB)}/${Math.round(result.workerEndMiB)} MiB (HWM ${Math.round(mem.worker!.hwmMiB)})`,
  );
  return result;
}

const deposit = (stack: Stack, id: string, iin: string, amountTiyn: number) =>
  stack.esuBridge.deposit({ depositId: id, iin, amountTiyn, currency: 'KZT' });
const bet = (stack: Stack, id: string, iin: string, i: number) =>
  stack.esuBridge.placeBet({
    betId: id,
    iin,
    stakeTiyn: 2_000,
    currency: 'KZT',
    eventId: `match-${i % 20}`,
    outcome: 'HOME',
    odds: '1.95',
  });
const settle = (stack: Stack, betId: string, i: number) =>
  stack.esuBridge.settleBet({ betId, result: i % 2 ? 'WON' : 'LOST' });
const payout = (stack: Stack, id: string, iin: string) =>
  stack.esuBridge.payout({ payoutId: id, iin, amountTiyn: 1_000, currency: 'KZT' });

async function runKinds(stack: Stack, args: BenchArgs): Promise<KindResult[]> {
  const { run } = stack;
  const iin = (i: number) => IINS[i % IINS.length]!;
  const results: KindResult[] = [];
  const op = (id: string, p: Promise<unknown>) => p.then((result) => ({ id, result }));
  if (args.kinds.includes('deposit'))
    results.push(
      await measure(stack, args, 'deposit', (i) =>
        op(`bench-${run}-${i}`, deposit(stack, `bench-${run}-${i}`, iin(i), 10_000 + i)),
      ),
    );
  // Every bettor now holds at least 10 000 tiyn per deposit: each bet stakes 2 000, each payout takes 1 000.
  if (args.kinds.includes('bet'))
    results.push(
      await measure(stack, args, 'bet', (i) =>
        op(`bench-${run}-bet-${i}`, bet(stack, `bench-${run}-bet-${i}`, iin(i), i)),
      ),
    );
  if (args.kinds.includes('settle'))
    results.push(
      await measure(stack, args, 'settle', (i) =>
        op(`bench-${run}-bet-${i}`, settle(stack, `bench-${run}-bet-${i}`, i)),
      ),
    );
  if (args.kinds.includes('payout'))
    results.push(
      await measure(stack, args, 'payout', (i) =>
        op(`bench-${run}-pay-${i}`, payout(stack, `bench-${run}-pay-${i}`, iin(i))),
      ),
    );
  results.push(
    await measure(stack, args, 'floor', (i) =>
      op(
        `bench-floor-${run}-${i}`,
        stack.client.workflow.execute('floor', { taskQueue: stack.floorQueue, workflowId: `bench-floor-${run}-${i}` }),
      ),
    ),
  );
  return results;
}

interface MixStep {
  rate: number;
  arrivals: number;
  completed: number;
  failed: number;
  p50: number;
  p99: number;
  workerPeakMiB: number;
  sustained: boolean;
}

/**
 * The bettor-day mix: arrivals at a fixed rate (open loop: an arrival does not wait for the one before), in the
 * proportions 1 : 20 : 20 : 1 (MIX_CYCLE), for `period`; the rate steps up until a step's p99 reaches 2 s, an
 * operation fails, or the backlog outgrows 20 s of arrivals. A settlement settles a bet that has been placed; with
 * none waiting, the arrival places a bet instead.
 */
async function runMix(stack: Stack, args: BenchArgs): Promise<{ steps: MixStep[]; sustainedRate: number }> {
  const { run } = stack;
  const FUNDED = 50;
  // Bettors funded first (not measured): each can stake thousands of bets.
  await Promise.all(
    Array.from({ length: FUNDED }, (_, i) => deposit(stack, `mix-${run}-fund-${i}`, IINS[i]!, 10_000_000)),
  );
  const placed: string[] = [];
  const steps: MixStep[] = [];
  let k = 0;
  for (let rate = args.mixStartRate; rate <= args.mixMaxRate; rate += args.mixStepRate) {
    const latencies: number[] = [];
    let failed = 0;
    let inFlight = 0;
    let backlogged = false;
    const pending: Promise<void>[] = [];
    const memory = sampler(stack, 'deposit');
    const t0 = performance.now();
    const arrivals = Math.round(rate * args.mixPeriodS);
    for (let a = 0; a < arrivals; a++) {
      const due = t0 + (a * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight > rate * 20) {
        backlogged = true;
        break;
      }
      const i = k++;
      const bettor = IINS[i % FUNDED]!;
      let kind = MIX_CYCLE[i % MIX_CYCLE.length]!;
      const betToSettle = kind === 'settle' ? placed.shift() : undefined;
      if (kind === 'settle' && !betToSettle) kind = 'bet';
      const id = `mix-${run}-${i}`;
      const started = performance.now();
      inFlight++;
      const operation =
        kind === 'deposit'
          ? deposit(stack, id, bettor, 100_000)
          : kind === 'bet'
            ? bet(stack, id, bettor, i)
            : kind === 'settle'
              ? settle(stack, betToSettle!, i)
              : payout(stack, id, bettor);
      pending.push(
        operation
          .then(
            () => {
              latencies.push(performance.now() - started);
              if (kind === 'bet') placed.push(id);
            },
            (err: Error) => {
              failed++;
              if (failed === 1) console.error(`mix ${kind} failed: ${err.message}`);
            },
          )
          .finally(() => inFlight--),
      );
    }
    await Promise.all(pending);
    const mem = await memory.stop();
    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    const step: MixStep = {
      rate,
      arrivals,
      completed: latencies.length,
      failed,
      p50: percentile(latencies, 50),
      p99,
      workerPeakMiB: mem.worker!.peakMiB,
      sustained: !backlogged && failed === 0 && latencies.length === arrivals && p99 < 2000,
    };
    steps.push(step);
    console.log(
      `mix ${rate}/s for ${args.mixPeriodS}s: ${step.completed}/${arrivals} done, ${failed} failed, p50 ${Math.round(step.p50)} ms, p99 ${Math.round(p99)} ms${backlogged ? ', backlog' : ''} → ${step.sustained ? 'sustained' : 'not sustained'}`,
    );
    if (!step.sustained) break;
  }
  return { steps, sustainedRate: Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.rate)) };
}

async function benchOn(server: BenchServer, args: BenchArgs) {
  // Bench bettors are not identified through ЦОИД first; the gate itself is covered by the integration tests.
  const stack = await startBenchStack('sagas', {
    server,
    workers: args.workers,
    floor: !args.mix,
    extraEnv: { BETTOR_IDENTIFICATION_REQUIRED: 'false' },
  });
  try {
    console.log(
      `esu-bridge benchmark on the ${server === 'dev' ? 'dev server' : 'PostgreSQL-backed cluster'} at ${stack.temporal.address}: ${args.workers} worker process(es), pids ${stack.workers.map((w) => w.pid).join(', ')}, Temporal pid ${stack.temporal.pid ?? '(not ours)'}`,
    );
    return args.mix ? { server, mix: await runMix(stack, args) } : { server, results: await runKinds(stack, args) };
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const started = new Date().toISOString();
  const runs = [];
  for (const server of args.servers) runs.push(await benchOn(server, args));
  const label = (server: string) =>
    `${server === 'dev' ? 'dev server' : 'cluster'}, ${args.workers} worker process${args.workers > 1 ? 'es' : ''}`;
  let exitCode = 0;
  console.log(`\n## esu-bridge benchmark, ${started}`);
  for (const r of runs) {
    if (r.mix) {
      console.log(`\n### bettor-day mix (1 : 20 : 20 : 1), ${label(r.server)}, ${args.mixPeriodS} s per rate\n`);
      console.log(
        markdownTable(
          ['rate /s', 'arrivals', 'done', 'failed', 'p50', 'p99', 'worker peak MiB', 'sustained'],
          r.mix.steps.map((s) => [
            s.rate,
            s.arrivals,
            s.completed,
            s.failed,
            `${Math.round(s.p50)} ms`,
            `${Math.round(s.p99)} ms`,
            Math.round(s.workerPeakMiB),
            s.sustained ? 'yes' : 'no',
          ]),
        ),
      );
      console.log(`\nhighest rate sustained for ${args.mixPeriodS} s with p99 under 2 s: ${r.mix.sustainedRate}/s`);
      if (!r.mix.sustainedRate) exitCode = 1;
      continue;
    }
    console.log(`\n### ${label(r.server)}: N=${args.n}, ${args.concurrency} at once\n`);
    console.log(resultsTable(r.results!));
    console.log(`\nCPU per operation (ms; 2 cores give 2 000 ms a second to share):\n\n${cpuTable(r.results!)}`);
    console.log(
      `\nwhere a run's time goes (ms, mean over the sampled runs, from their histories):\n\n${breakdownTable(r.results!)}`,
    );
    console.log(
      `\nbeside the figures the goal was set against (N=300, 30 at once, dev server):\n\n${filedComparisonTable(r.results!)}`,
    );
    const misses = verdicts(r.results!).filter((v) => v.misses.length);
    console.log(
      misses.length
        ? `\ngoal missed (${label(r.server)}):\n${misses.map((v) => `- ${v.kind}: ${v.misses.join('; ')}`).join('\n')}`
        : '\nevery goal met',
    );
    if (misses.length) exitCode = 1;
  }
  const kindRuns = runs.filter((r) => r.results).map((r) => ({ server: r.server, results: r.results! }));
  if (kindRuns.length > 1) console.log(`\n### side by side\n\n${sideBySideTable(kindRuns)}`);
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
