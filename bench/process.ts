import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { stopChild, supervise } from '../stack/child-process.js';

/**
 * What the benchmarks share about the processes they measure: a worker started as its own Node process (as in
 * production), and memory read from /proc/<pid>/status — VmRSS (resident now) and VmHWM (the kernel's own peak
 * of resident memory since the process started).
 */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024;

export interface ProcMemory {
  rssMiB: number;
  hwmMiB: number;
}

/** Parses /proc/<pid>/status: VmRSS and VmHWM in MiB. */
export function parseProcStatus(status: string): ProcMemory {
  const kB = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc status has no ${field}`);
    return Number(m[1]);
  };
  return { rssMiB: kB('VmRSS') / MiB, hwmMiB: kB('VmHWM') / MiB };
}

export async function procMemory(pid: number): Promise<ProcMemory> {
  return parseProcStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function parseProcStat(stat: string, ticksPerSecond = 100): number {
  // The command name (field 2) may hold spaces and parentheses: the fields after it start past its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** The machine's busy CPU time over every core, in ms, from the first line of /proc/stat (user, nice, system, irq, softirq). */
export function parseMachineStat(stat: string, ticksPerSecond = 100): number {
  const [, ...values] = stat.split('\n')[0]!.trim().split(/\s+/);
  // user, nice, system, irq, softirq: not idle, iowait, steal (another guest's) or the guest times (counted in user)
  const n = values.map(Number);
  const busy = [0, 1, 2, 5, 6].reduce((a, i) => a + (n[i] ?? 0), 0);
  return (busy * 1000) / ticksPerSecond;
}

/** CPU ms used by each named set of processes, by this process and by the whole machine, between now and stop(). */
export async function cpuMeter(sets: Record<string, number[]>) {
  const read = async () => {
    const out: Record<string, number> = {};
    for (const [label, pids] of Object.entries(sets)) {
      const each = await Promise.all(
        pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').then(parseProcStat, () => 0)),
      );
      out[label] = each.reduce((a, v) => a + v, 0);
    }
    const self = process.cpuUsage();
    out.bench = (self.user + self.system) / 1000;
    out.machine = parseMachineStat(await readFile('/proc/stat', 'utf8'));
    return out;
  };
  const before = await read();
  return {
    async stop(): Promise<Record<string, number>> {
      const after = await read();
      return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));
    },
  };
}

export interface MemoryFigures {
  /** The highest VmRSS sampled while the sampler ran. */
  peakMiB: number;
  /** VmRSS at stop(). */
  endMiB: number;
  /** VmHWM at stop(): the peak since the process started, samples or not. */
  hwmMiB: number;
}

/**
 * Samples the memory of each named set of processes every `intervalMs` (a set's figure is the sum over its
 * processes: two workers count as one fleet). stop() takes a last sample and reports peak, end and VmHWM per set.
 */
export function processSampler(sets: Record<string, number[]>, intervalMs = 250) {
  const peak: Record<string, number> = Object.fromEntries(Object.keys(sets).map((k) => [k, 0]));
  const last: Record<string, number> = Object.fromEntries(Object.keys(sets).map((k) => [k, 0]));
  const sampleSet = async (pids: number[]) => {
    const all = await Promise.all(pids.map((pid) => procMemory(pid).catch(() => ({ rssMiB: 0, hwmMiB: 0 }))));
    return { rssMiB: all.reduce((a, m) => a + m.rssMiB, 0), hwmMiB: all.reduce((a, m) => a + m.hwmMiB, 0) };
  };
  const sample = async () => {
    for (const [label, pids] of Object.entries(sets)) {
      const m = await sampleSet(pids);
      peak[label] = Math.max(peak[label]!, m.rssMiB);
      last[label] = m.rssMiB;
    }
  };
  let pending: Promise<void> = sample();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, intervalMs);
  return {
    /** The last sample of a set and its peak so far, without stopping. */
    current(label: string): { lastMiB: number; peakMiB: number } {
      return { lastMiB: last[label] ?? 0, peakMiB: peak[label] ?? 0 };
    },
    async stop(): Promise<Record<string, MemoryFigures>> {
      clearInterval(timer);
      await pending;
      const out: Record<string, MemoryFigures> = {};
      for (const [label, pids] of Object.entries(sets)) {
        const m = await sampleSet(pids);
        out[label] = { peakMiB: Math.max(peak[label]!, m.rssMiB), endMiB: m.rssMiB, hwmMiB: m.hwmMiB };
      }
      return out;
    },
  };
}

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <entry>` in its own process group (so the pid is the Node process itself, not a
 * wrapper) and resolves once it writes a line containing `readyMarker` on stdout; rejects if it exits first or
 * takes longer than `timeoutMs`. Its stderr goes to ours.
 */
export async function spawnNode(
  entry: string,
  env: Record<string, string | undefined>,
  {
    readyMarker,
    timeoutMs = 180_000,
    nodeArgs = [],
  }: { readyMarker?: string; timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const { output, exited } = supervise(child, 4000);
  const stop = () => stopChild(child, 30_000);
  if (readyMarker) {
    const deadline = Date.now() + timeoutMs;
    while (!output().includes(readyMarker)) {
      if (exited()) throw new Error(`${entry} exited before it was ready:\n${output()}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${entry} not ready within ${timeoutMs} ms:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.stdout?.resume();
  return { child, pid: child.pid!, stop };
}
