import { parseArgs } from 'node:util';
import { withCheckDigit } from '../domain/iin.js';
import type { TimeBreakdown } from './time-breakdown.js';

/** The pure part of `npm run bench`: its arguments, percentiles, the goals and the Markdown table. */

export interface BenchArgs {
  n: number;
  concurrency: number;
  servers: ('dev' | 'cluster')[];
  workers: 1 | 2;
  mix: boolean;
  mixPeriodS: number;
  mixStartRate: number;
  mixStepRate: number;
  mixMaxRate: number;
  sample: number;
  /** The kinds to run (the floor always runs): bets need deposits, settlements need bets. */
  kinds: ('deposit' | 'bet' | 'settle' | 'payout')[];
}

const USAGE =
  'npm run bench -- [N] [concurrency] [--server dev|cluster|both] [--workers 1|2] [--mix [--period 5m] [--rate-start 5] [--rate-step 5] [--rate-max 200]] [--sample 20] [--kinds deposit,bet,settle,payout]';

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name}: expected a positive whole number, got ${JSON.stringify(value)}\n${USAGE}`);
  return n;
}

/** "300", "300s", "5m", "1h" → seconds. */
export function parseSeconds(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  if (!m || Number(m[1]) <= 0)
    throw new Error(`${name}: expected a duration such as 300s or 5m, got ${JSON.stringify(value)}\n${USAGE}`);
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] ?? 's'] ?? 1);
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string', default: 'dev' },
      workers: { type: 'string', default: '1' },
      mix: { type: 'boolean', default: false },
      period: { type: 'string', default: '5m' },
      'rate-start': { type: 'string', default: '5' },
      'rate-step': { type: 'string', default: '5' },
      'rate-max': { type: 'string', default: '200' },
      sample: { type: 'string', default: '20' },
      kinds: { type: 'string', default: 'deposit,bet,settle,payout' },
    },
  });
  if (positionals.length > 2)
    throw new Error(`at most two positional arguments (N, concurrency), got ${positionals.length}\n${USAGE}`);
  const server = values.server;
  if (server !== 'dev' && server !== 'cluster' && server !== 'both')
    throw new Error(`--server: expected dev, cluster or both, got ${JSON.stringify(server)}\n${USAGE}`);
  const workers = positiveInt('--workers', values.workers, 1);
  if (workers !== 1 && workers !== 2) throw new Error(`--workers: expected 1 or 2, got ${workers}\n${USAGE}`);
  const kinds = values.kinds.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!['deposit', 'bet', 'settle', 'payout'].includes(k))
      throw new Error(`--kinds: expected deposit, bet, settle or payout, got ${JSON.stringify(k)}\n${USAGE}`);
  if (kinds.includes('bet') && !kinds.includes('deposit'))
    throw new Error(`--kinds: bets need deposits first (their stake comes from them)\n${USAGE}`);
  if (kinds.includes('settle') && !kinds.includes('bet'))
    throw new Error(`--kinds: settlements need bets first\n${USAGE}`);
  if (kinds.includes('payout') && !kinds.includes('deposit'))
    throw new Error(`--kinds: payouts need deposits first\n${USAGE}`);
  return {
    kinds: kinds as BenchArgs['kinds'],
    n: positiveInt('N', positionals[0], 300),
    concurrency: positiveInt('concurrency', positionals[1], 30),
    servers: server === 'both' ? ['dev', 'cluster'] : [server],
    workers,
    mix: values.mix,
    mixPeriodS: parseSeconds('--period', values.period),
    mixStartRate: positiveInt('--rate-start', values['rate-start'], 5),
    mixStepRate: positiveInt('--rate-step', values['rate-step'], 5),
    mixMaxRate: positiveInt('--rate-max', values['rate-max'], 200),
    sample: positiveInt('--sample', values.sample, 20),
  };
}

/** Nearest-rank percentile of an ascending array. */
/** `count` valid IINs (check digit) for the benchmarks' bettors, born 17 May 1990: the same ones in every run. */
export function benchIins(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    for (let serial = i * 10; ; serial++) {
      try {
        return withCheckDigit(`9005173${String(serial).padStart(4, '0')}`);
      } catch {
        continue;
      }
    }
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface KindResult {
  kind: string;
  runs: number;
  failed: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** History events per operation, its submission's included (mean over the sample). */
  events: number;
  stateTransitions: number;
  workerPeakMiB: number;
  workerEndMiB: number;
  temporalPeakMiB?: number;
  temporalEndMiB?: number;
  /** Where a run's time went (bench/time-breakdown.ts): the operation's own workflow, and its AFM submission's. */
  time?: TimeBreakdown;
  submissionTime?: TimeBreakdown;
  /**
   * CPU ms per operation: the worker process(es), the Temporal server, the benchmark process (its client and the
   * simulators), the rest of the machine (PostgreSQL, and anything else running), and the machine in all.
   */
  cpuMsPerOp?: { worker: number; temporal: number; bench: number; rest: number; machine: number };
}

export function summarize(
  kind: string,
  latencies: number[],
  seconds: number,
  failed: number,
): Pick<KindResult, 'kind' | 'runs' | 'failed' | 'perSecond' | 'p50' | 'p95' | 'p99'> {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    kind,
    runs: sorted.length,
    failed,
    perSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

export const GOALS = { throughputVsFloor: 0.9, p99VsFloor: 1.2, workerMiB: 400 } as const;

export interface Verdict {
  kind: string;
  throughputRatio: number;
  p99Ratio: number;
  misses: string[];
}

/** The goals for each kind against the floor: ≥ 0.9× its throughput, p99 ≤ 1.2× its, worker ≤ 400 MiB. */
export function verdicts(results: readonly KindResult[]): Verdict[] {
  const floor = results.find((r) => r.kind === 'floor');
  return results.map((r) => {
    const misses: string[] = [];
    const throughputRatio = floor ? r.perSecond / floor.perSecond : Number.NaN;
    const p99Ratio = floor ? r.p99 / floor.p99 : Number.NaN;
    if (r.kind !== 'floor' && floor) {
      if (!(throughputRatio >= GOALS.throughputVsFloor))
        misses.push(`throughput ${throughputRatio.toFixed(2)}× floor < ${GOALS.throughputVsFloor}×`);
      if (!(p99Ratio <= GOALS.p99VsFloor)) misses.push(`p99 ${p99Ratio.toFixed(2)}× floor > ${GOALS.p99VsFloor}×`);
    }
    if (r.workerPeakMiB > GOALS.workerMiB)
      misses.push(`worker RSS peak ${Math.round(r.workerPeakMiB)} MiB > ${GOALS.workerMiB} MiB`);
    if (r.failed) misses.push(`${r.failed} runs failed`);
    return { kind: r.kind, throughputRatio, p99Ratio, misses };
  });
}

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h) => (/^(kind|server)$/.test(h) ? '---' : '---:'))), ...rows.map(line)].join(
    '\n',
  );
}

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '–');
const mib = (peak?: number, end?: number) =>
  peak === undefined ? '–' : `${Math.round(peak)} / ${Math.round(end ?? 0)}`;
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');

/** One server's run: a row per kind, with the ratios to the floor. */
export function resultsTable(results: readonly KindResult[]): string {
  const v = new Map(verdicts(results).map((x) => [x.kind, x]));
  return markdownTable(
    [
      'kind',
      'runs',
      'per second',
      'p50',
      'p95',
      'p99',
      'events/op',
      'state transitions/op',
      'worker RSS peak / end MiB',
      'Temporal RSS peak / end MiB',
      'throughput vs floor',
      'p99 vs floor',
    ],
    results.map((r) => [
      r.kind,
      r.failed ? `${r.runs} (+${r.failed} failed)` : r.runs,
      r.perSecond.toFixed(1),
      ms(r.p50),
      ms(r.p95),
      ms(r.p99),
      r.events.toFixed(1),
      r.stateTransitions.toFixed(1),
      mib(r.workerPeakMiB, r.workerEndMiB),
      mib(r.temporalPeakMiB, r.temporalEndMiB),
      ratio(v.get(r.kind)!.throughputRatio),
      ratio(v.get(r.kind)!.p99Ratio),
    ]),
  );
}

/** Several servers' runs side by side: per kind, each server's throughput, p99 and worker peak. */
export function sideBySideTable(runs: readonly { server: string; results: readonly KindResult[] }[]): string {
  const kinds = [...new Set(runs.flatMap((r) => r.results.map((k) => k.kind)))];
  const header = [
    'kind',
    ...runs.flatMap((r) => [
      `${r.server} /s`,
      `${r.server} p99`,
      `${r.server} vs floor (/s, p99)`,
      `${r.server} worker peak MiB`,
    ]),
  ];
  const rows = kinds.map((kind) => [
    kind,
    ...runs.flatMap((r) => {
      const k = r.results.find((x) => x.kind === kind);
      const v = verdicts(r.results).find((x) => x.kind === kind);
      return k && v
        ? [
            k.perSecond.toFixed(1),
            ms(k.p99),
            `${ratio(v.throughputRatio)}, ${ratio(v.p99Ratio)}`,
            Math.round(k.workerPeakMiB),
          ]
        : ['–', '–', '–', '–'];
    }),
  ]);
  return markdownTable(header, rows);
}

/**
 * The figures this benchmark's goal was set against (`npm run bench -- 300 30`, dev server, 2 cores, before the
 * cut), when the worker ran inside the benchmark process: its peak RSS is that process's.
 */
export const FILED_FIGURES: Readonly<Record<string, { perSecond: number; p50: number; p99: number; peakMiB: number }>> =
  {
    deposit: { perSecond: 6.4, p50: 4431, p99: 6260, peakMiB: 1504 },
    bet: { perSecond: 9.1, p50: 3228, p99: 4353, peakMiB: 1935 },
    settle: { perSecond: 13.3, p50: 2169, p99: 3249, peakMiB: 2224 },
    payout: { perSecond: 5.3, p50: 5532, p99: 7924, peakMiB: 2709 },
    floor: { perSecond: 19.9, p50: 1464, p99: 2080, peakMiB: 697 },
  };

/** This run beside the filed figures, kind by kind: throughput, p50, p99 and peak memory, then and now. */
export function filedComparisonTable(results: readonly KindResult[]): string {
  const header = [
    'kind',
    'per second (filed → now)',
    'p50',
    'p99',
    'peak RSS MiB (filed: benchmark process; now: worker)',
  ];
  const rows = results.flatMap((k) => {
    const f = FILED_FIGURES[k.kind];
    return f
      ? [
          [
            k.kind,
            `${f.perSecond.toFixed(1)} → ${k.perSecond.toFixed(1)}`,
            `${ms(f.p50)} → ${ms(k.p50)}`,
            `${ms(f.p99)} → ${ms(k.p99)}`,
            `${f.peakMiB} → ${Math.round(k.workerPeakMiB)}`,
          ],
        ]
      : [];
  });
  return markdownTable(header, rows);
}

/** CPU ms per operation by process, each kind beside the floor's (the machine's total as a multiple of it). */
export function cpuTable(results: readonly KindResult[]): string {
  const floor = results.find((k) => k.kind === 'floor')?.cpuMsPerOp;
  const rows = results.flatMap((k) => {
    const c = k.cpuMsPerOp;
    return c
      ? [
          [
            k.kind,
            Math.round(c.worker),
            Math.round(c.temporal),
            Math.round(c.bench),
            Math.round(c.rest),
            Math.round(c.machine),
            floor?.machine ? `${(c.machine / floor.machine).toFixed(2)}×` : '–',
          ],
        ]
      : [];
  });
  return markdownTable(
    ['kind', 'worker', 'Temporal', 'benchmark (client, simulators)', 'rest (PostgreSQL, other)', 'machine', 'vs floor'],
    rows,
  );
}

/** Each kind's time breakdown, its own workflow and (deposit, payout) its AFM submission on a line of their own. */
export function breakdownTable(results: readonly KindResult[]): string {
  const header = [
    'workflow',
    'total',
    'task queue',
    'task run (local activities in it)',
    'tasks',
    'activity queue',
    'activity run',
    'activities',
    'child start',
    'timers',
    'server, between events',
  ];
  const row = (label: string, b: TimeBreakdown) => [
    label,
    Math.round(b.totalMs),
    Math.round(b.workflowTaskQueueMs),
    Math.round(b.workflowTaskRunMs),
    b.workflowTasks.toFixed(1),
    Math.round(b.activityQueueMs),
    Math.round(b.activityRunMs),
    b.activities.toFixed(1),
    Math.round(b.childStartMs),
    Math.round(b.timerMs),
    Math.round(b.elsewhereMs),
  ];
  const rows = results.flatMap((k) => [
    ...(k.time ? [row(k.kind, k.time)] : []),
    ...(k.submissionTime ? [row(`${k.kind}'s AFM submission`, k.submissionTime)] : []),
  ]);
  return markdownTable(header, rows);
}

/** The bettor-day mix: deposits : bets : settlements : payouts = 1 : 20 : 20 : 1, as one cycle of 42 arrivals. */
export const MIX_CYCLE: readonly ('deposit' | 'bet' | 'settle' | 'payout')[] = (() => {
  const cycle: ('deposit' | 'bet' | 'settle' | 'payout')[] = ['deposit'];
  for (let i = 0; i < 20; i++) cycle.push('bet', 'settle');
  cycle.push('payout');
  return cycle;
})();
