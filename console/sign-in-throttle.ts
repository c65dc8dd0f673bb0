/**
 * Backoff for failed sign-ins, per client address and per login, instead of a hard lock (issue 14): a few
 * free failures, then a wait that doubles with each further failure. The per-address wait grows to 15
 * minutes; the per-login wait stops at 30 seconds, so someone guessing the administrator's password from
 * elsewhere slows the administrator's own sign-in by at most that, never locks them out. A success clears
 * the login's and the address's records. The records live in one map of bounded size (oldest evicted first)
 * and expire a quarter of an hour after their last failure.
 */
export interface ThrottleOptions {
  freeFailures?: number;
  baseMs?: number;
  maxAddressWaitMs?: number;
  maxLoginWaitMs?: number;
  forgetAfterMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Record_ {
  failures: number;
  lastMs: number;
}

export function createSignInThrottle({
  freeFailures = 3,
  baseMs = 1000,
  maxAddressWaitMs = 15 * 60_000,
  maxLoginWaitMs = 30_000,
  forgetAfterMs = 15 * 60_000,
  maxEntries = 10_000,
  now = () => Date.now(),
}: ThrottleOptions = {}) {
  const records = new Map<string, Record_>();

  function get(key: string): Record_ | undefined {
    const record = records.get(key);
    if (record && now() - record.lastMs > forgetAfterMs) {
      records.delete(key);
      return undefined;
    }
    return record;
  }

  function waitOf(key: string, maxMs: number): number {
    const record = get(key);
    if (!record || record.failures < freeFailures) return 0;
    const wait = Math.min(baseMs * 2 ** (record.failures - freeFailures), maxMs);
    return Math.max(0, record.lastMs + wait - now());
  }

  const keys = (address: string, login: string) => [`ip:${address}`, `login:${login}`] as const;

  return {
    /** Milliseconds to wait before this address may try this login again (0: go ahead). */
    waitMs(address: string, login: string): number {
      const [ip, user] = keys(address, login);
      return Math.max(waitOf(ip, maxAddressWaitMs), waitOf(user, maxLoginWaitMs));
    },
    failed(address: string, login: string): void {
      for (const key of keys(address, login)) {
        const record = get(key) ?? { failures: 0, lastMs: 0 };
        records.delete(key); // re-inserted last: the map's order is the eviction order
        records.set(key, { failures: record.failures + 1, lastMs: now() });
      }
      while (records.size > maxEntries) records.delete(records.keys().next().value!);
    },
    succeeded(address: string, login: string): void {
      for (const key of keys(address, login)) records.delete(key);
    },
    get size() {
      return records.size;
    },
  };
}
export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
