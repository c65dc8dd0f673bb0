import { safeMessage, type LogLine } from '../db/pool.js';

export interface Shutdown {
  /** Aborted on the first SIGTERM or SIGINT, so start-up waits give up at once. */
  readonly signal: AbortSignal;
  readonly stopping: boolean;
  /** A step of the drain; steps run one at a time, the last registered first. */
  defer(label: string, step: () => unknown): void;
  /** Drains now and exits with `code`: for a fatal error after start (the worker stopped by itself). */
  exit(code: number): Promise<never>;
}

const REPEAT_WINDOW_MS = 1_000;
const stdoutLine: LogLine = (line) => console.log(JSON.stringify(line));

/**
 * SIGTERM (an orchestrator) and SIGINT (Ctrl-C) drain the process: it stops taking work (worker shutdown,
 * server close), lets what is in flight finish, releases connections and pools, and exits 0 — 1 when a step
 * failed, after logging it on one line. A second signal exits at once (1), for a drain that hangs; one within
 * a second of the first is the same request passed on twice (Ctrl-C reaches the whole process group, and tsx
 * also relays it to the process it runs), not a second one.
 */
export function shutdownOnSignals(
  name: string,
  {
    log = stdoutLine,
    exit = (code: number) => process.exit(code),
  }: { log?: LogLine; exit?: (code: number) => never } = {},
): Shutdown {
  const controller = new AbortController();
  const steps: { label: string; step: () => unknown }[] = [];
  let draining: Promise<never> | undefined;
  let firstSignalAt = 0;

  async function drain(code: number): Promise<never> {
    for (const { label, step } of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        code = 1;
        log({ level: 'ERROR', msg: `${name}: ${label} did not stop cleanly`, error: safeMessage(err) });
      }
    }
    log({ level: 'INFO', msg: `${name} stopped` });
    return exit(code);
  }

  function start(code: number): Promise<never> {
    if (!controller.signal.aborted) controller.abort(new Error(`${name} is stopping`));
    draining ??= drain(code);
    return draining;
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (draining && Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    if (draining) {
      log({ level: 'WARN', msg: `${name}: ${signal} again, exiting without draining` });
      exit(1);
    }
    firstSignalAt = Date.now();
    log({ level: 'INFO', msg: `${name} stopping`, signal });
    void start(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  return {
    signal: controller.signal,
    get stopping() {
      return controller.signal.aborted;
    },
    defer(label, step) {
      steps.push({ label, step });
    },
    exit: start,
  };
}
