import { safeMessage, type LogLine } from '../db/pool.js';

export interface WaitOptions {
  /** How long to keep trying from the first attempt, in milliseconds. */
  deadlineMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Aborted on SIGTERM/SIGINT: the wait gives up at once. */
  signal?: AbortSignal;
  log?: LogLine;
}

export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}

const stdoutLine: LogLine = (line) => console.log(JSON.stringify(line));

/**
 * Tries `probe` until it resolves, waiting between attempts with capped exponential backoff (0.5 s, 1 s, 2 s …
 * up to 10 s), one log line per failed attempt naming the next delay. A process started before PostgreSQL or
 * Temporal (a reboot, a compose or Kubernetes rollout) waits for them instead of exiting; past the deadline it
 * gives up with a DependencyUnavailableError naming the dependency and its last error.
 */
export async function waitFor<T>(name: string, probe: () => Promise<T>, options: WaitOptions): Promise<T> {
  const { deadlineMs, initialDelayMs = 500, maxDelayMs = 10_000, signal, log = stdoutLine } = options;
  const giveUpAt = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await probe();
    } catch (err) {
      signal?.throwIfAborted();
      const error = safeMessage(err);
      const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1), Math.max(0, giveUpAt - Date.now()));
      if (delay <= 0) {
        throw new DependencyUnavailableError(
          `${name} did not answer within ${Math.round(deadlineMs / 1000)} s (${attempt} attempts): ${error}`,
        );
      }
      log({ level: 'WARN', msg: `waiting for ${name}`, attempt, error, retryInMs: delay });
      await sleep(delay, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
