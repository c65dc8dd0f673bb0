/**
 * Availability of a counterpart's service as the e-government integration rules (A7 p.7) defines it: I = (T − P) / T × 100 %, T the
 * hours it should have been available, P the hours it was not. We compute it from our connectors' own
 * observations, counted per minute. Unavailability "consists of planned and unplanned works with disconnection":
 * announced maintenance during which the service is down counts in P like any outage and stays in T. A maintenance
 * window in which we never saw the service answer counts as down for its whole length (works with disconnection);
 * one in which it answered counts only the outages we observed in it.
 *
 * A minute in which the counterpart answered anything but an outage (2xx, and 4xx refusals: it was there to
 * refuse) is UP; a minute with only 5xx answers and network errors is DOWN. An outage runs from its first
 * DOWN minute to the next UP minute: minutes with no traffic in between count as down (not available until
 * proven otherwise), which is the conservative reading for a bookmaker that must report its own downtime.
 */
export const EXCHANGE_OUTCOMES = ['ok', 'clientErrors', 'authFailures', 'serverErrors', 'networkErrors'] as const;
export type ExchangeOutcome = (typeof EXCHANGE_OUTCOMES)[number];

export function classifyExchange(status: number | 'NETWORK_ERROR'): ExchangeOutcome {
  if (status === 'NETWORK_ERROR') return 'networkErrors';
  if (status === 401 || status === 403) return 'authFailures';
  if (status >= 500) return 'serverErrors';
  if (status >= 400) return 'clientErrors';
  return 'ok';
}

export interface MinuteBucket {
  minuteMs: number;
  ok: number;
  clientErrors: number;
  authFailures: number;
  serverErrors: number;
  networkErrors: number;
}

export interface Interval {
  startMs: number;
  endMs: number;
}

export const MINUTE_MS = 60_000;

export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

export function minuteState(b: MinuteBucket): 'UP' | 'DOWN' | undefined {
  if (b.ok + b.clientErrors + b.authFailures > 0) return 'UP';
  if (b.serverErrors + b.networkErrors > 0) return 'DOWN';
  return undefined;
}

/** Outages in time order; the last one is open (`endMs` = now) when the latest observation is DOWN. */
export function outages(buckets: MinuteBucket[], nowMs: number): (Interval & { ongoing: boolean })[] {
  const sorted = [...buckets].sort((a, b) => a.minuteMs - b.minuteMs);
  const found: (Interval & { ongoing: boolean })[] = [];
  let start: number | undefined;
  for (const bucket of sorted) {
    const state = minuteState(bucket);
    if (state === 'DOWN' && start === undefined) start = bucket.minuteMs;
    if (state === 'UP' && start !== undefined) {
      found.push({ startMs: start, endMs: bucket.minuteMs, ongoing: false });
      start = undefined;
    }
  }
  if (start !== undefined) found.push({ startMs: start, endMs: Math.max(start + MINUTE_MS, nowMs), ongoing: true });
  return found;
}

/** Merges overlapping intervals. */
export function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.startMs - b.startMs);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else merged.push({ ...i });
  }
  return merged;
}

/** Length of `intervals` inside [fromMs, toMs), minus whatever `excluded` covers. */
export function measure(intervals: Interval[], fromMs: number, toMs: number, excluded: Interval[] = []): number {
  let total = 0;
  const holes = merge(excluded);
  for (const i of merge(intervals)) {
    const start = Math.max(i.startMs, fromMs);
    const end = Math.min(i.endMs, toMs);
    if (end <= start) continue;
    total += end - start;
    for (const h of holes) total -= Math.max(0, Math.min(end, h.endMs) - Math.max(start, h.startMs));
  }
  return total;
}

export interface AvailabilityReport {
  /** T and P in hours, as A7 p.7 writes them; T starts no earlier than the first observation. */
  expectedHours: number;
  unavailableHours: number;
  /** The part of P inside announced maintenance windows (planned works with disconnection). */
  plannedUnavailableHours: number;
  /** (T − P) / T × 100; undefined when T is zero or nothing was observed. */
  indexPercent?: number;
  observedMinutes: number;
  outages: (Interval & { ongoing: boolean })[];
}

export function availability(
  buckets: MinuteBucket[],
  period: { fromMs: number; toMs: number; nowMs: number },
  maintenance: Interval[],
): AvailabilityReport {
  const toMs = Math.min(period.toMs, period.nowMs);
  // T counts from our first observation at the latest: we do not vouch for hours before we ever talked to it.
  const firstSeen = Math.min(...buckets.map((b) => b.minuteMs));
  const fromMs = Math.min(toMs, Math.max(period.fromMs, Number.isFinite(firstSeen) ? firstSeen : toMs));
  const expected = Math.max(0, toMs - fromMs);
  const found = outages(buckets, period.nowMs);
  const upMinutes = buckets.filter((b) => minuteState(b) === 'UP').map((b) => b.minuteMs);
  const disconnectedWorks = maintenance.filter((w) => !upMinutes.some((m) => m >= w.startMs && m < w.endMs));
  const down = [...found, ...disconnectedWorks];
  const unavailable = measure(down, fromMs, toMs);
  const planned = unavailable - measure(down, fromMs, toMs, maintenance);
  const hours = (ms: number) => Math.round((ms / 3600_000) * 1000) / 1000;
  const observedMinutes = buckets.filter((b) => b.minuteMs >= fromMs && b.minuteMs < toMs && minuteState(b)).length;
  const measured = expected > 0 && (observedMinutes > 0 || unavailable > 0);
  return {
    expectedHours: hours(expected),
    unavailableHours: hours(unavailable),
    plannedUnavailableHours: hours(planned),
    // Nothing observed and no outage running into the period: we cannot vouch for the service either way.
    indexPercent: measured ? Math.round(((expected - unavailable) / expected) * 100_000) / 1000 : undefined,
    observedMinutes,
    outages: found.filter((o) => o.endMs > fromMs && o.startMs < toMs),
  };
}
