import { describe, expect, it } from 'vitest';
import { parseMachineStat, parseProcStat, parseProcStatus } from '../../bench/process.js';
import {
  cpuTable,
  filedComparisonTable,
  MIX_CYCLE,
  parseBenchArgs,
  parseSeconds,
  percentile,
  resultsTable,
  verdicts,
  type KindResult,
} from '../../bench/stats.js';

const kind = (k: string, perSecond: number, p99: number, workerPeakMiB = 200): KindResult => ({
  kind: k,
  runs: 100,
  failed: 0,
  perSecond,
  p50: p99 / 2,
  p95: p99 * 0.9,
  p99,
  events: 20,
  stateTransitions: 10,
  workerPeakMiB,
  workerEndMiB: workerPeakMiB - 10,
});

describe('the benchmark’s pure helpers', () => {
  it('reads CPU time from /proc/<pid>/stat past a command name with spaces, and the machine’s busy time', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 1000 0 0';
    expect(parseProcStat(stat)).toBe(3000);
    // user nice system idle iowait irq softirq steal: idle, iowait and steal are not ours
    expect(parseMachineStat('cpu  100 0 50 900 30 5 5 70 0 0\ncpu0 1 2 3')).toBe(1600);
  });

  it('prints CPU per operation by process and the machine’s against the floor’s', () => {
    const cpu = (machine: number) => ({ worker: 10, temporal: 20, bench: 5, rest: machine - 35, machine });
    const table = cpuTable([
      { ...kind('deposit', 5, 2000), cpuMsPerOp: cpu(300) },
      { ...kind('floor', 15, 800), cpuMsPerOp: cpu(100) },
    ]);
    expect(table).toContain('| deposit | 10 | 20 | 5 | 265 | 300 | 3.00× |');
    expect(table).toContain('| floor | 10 | 20 | 5 | 65 | 100 | 1.00× |');
  });

  it('prints each kind beside the figures the goal was set against, and leaves out a kind it has none for', () => {
    const table = filedComparisonTable([kind('deposit', 7.2, 1900, 351), kind('other', 1, 1)]);
    expect(table).toContain('| deposit | 6.4 → 7.2 | 4431 ms → 950 ms | 6260 ms → 1900 ms | 1504 → 351 |');
    expect(table).not.toContain('other');
  });

  it('reads N, concurrency and the flags, and names the flag it refuses', () => {
    expect(parseBenchArgs([])).toMatchObject({
      n: 300,
      concurrency: 30,
      servers: ['dev'],
      workers: 1,
      mix: false,
      mixPeriodS: 300,
    });
    expect(parseBenchArgs(['50', '5', '--server', 'both', '--workers', '2', '--mix', '--period', '30s'])).toMatchObject(
      {
        n: 50,
        concurrency: 5,
        servers: ['dev', 'cluster'],
        workers: 2,
        mix: true,
        mixPeriodS: 30,
      },
    );
    expect(() => parseBenchArgs(['--server', 'prod'])).toThrow(/--server/);
    expect(() => parseBenchArgs(['--workers', '3'])).toThrow(/--workers/);
    expect(() => parseBenchArgs(['-5'])).toThrow();
    expect(() => parseBenchArgs(['abc'])).toThrow(/^N:/);
    expect(parseSeconds('--period', '5m')).toBe(300);
    expect(() => parseSeconds('--period', 'soon')).toThrow(/--period/);
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('judges each kind against the floor: 0.9× throughput, 1.2× p99, 400 MiB', () => {
    const v = verdicts([kind('deposit', 18, 2400), kind('bet', 17, 2500, 450), kind('floor', 20, 2000)]);
    expect(v.find((x) => x.kind === 'deposit')).toMatchObject({ throughputRatio: 0.9, p99Ratio: 1.2, misses: [] });
    const bet = v.find((x) => x.kind === 'bet')!;
    expect(bet.misses).toHaveLength(3);
    expect(bet.misses.join()).toMatch(/throughput 0\.85× floor.*p99 1\.25× floor.*worker RSS peak 450 MiB/);
    expect(v.find((x) => x.kind === 'floor')!.misses).toEqual([]);
  });

  it('prints a Markdown table with the ratios', () => {
    const table = resultsTable([kind('deposit', 10, 4000), kind('floor', 20, 2000)]).split('\n');
    expect(table[0]).toMatch(/^\| kind \| runs \| per second .* \| throughput vs floor \| p99 vs floor \|$/);
    expect(table[1]).toMatch(/^\| --- \| ---: \|/);
    expect(table[2]).toMatch(/^\| deposit \| 100 \| 10\.0 \| 2000 ms \| .* \| 0\.50× \| 2\.00× \|$/);
  });

  it('mixes deposits, bets, settlements and payouts 1 : 20 : 20 : 1', () => {
    const count = (k: string) => MIX_CYCLE.filter((x) => x === k).length;
    expect([count('deposit'), count('bet'), count('settle'), count('payout')]).toEqual([1, 20, 20, 1]);
  });

  it('reads VmRSS and VmHWM from /proc/<pid>/status', () => {
    expect(parseProcStatus('Name:\tnode\nVmHWM:\t  409600 kB\nVmRSS:\t  204800 kB\n')).toEqual({
      rssMiB: 200,
      hwmMiB: 400,
    });
    expect(() => parseProcStatus('Name:\tnode\n')).toThrow(/VmRSS/);
  });
});
