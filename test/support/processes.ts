import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

export interface TsxRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * `tsx entry args` in the repository with PATH, HOME and `env` only (nothing of the test's own environment leaks
 * in), its output collected as it comes.
 */
export function startTsx(entry: string, args: string[], env: Record<string, string | undefined>): TsxRun {
  const child = spawn(TSX, [entry, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** `tsx entry args` run to its exit: the exit code and everything it wrote. */
export async function runTsx(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startTsx(entry, args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** What a run of the `esu-bridge` command left: its exit code and everything it wrote. */
export type CliRun = { code: number; stdout: string; stderr: string };

/** A database and a Temporal no one listens on: a CLI process given them could not act in-process if it tried. */
export const UNREACHABLE = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' };

/** `esu-bridge …` (package.json `bin`) as a person or a script runs it, on `env` alone, with `input` on its stdin. */
export function esuBridge(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/esu-bridge.js', ...args], { cwd: REPO, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code: code ?? 1, stdout, stderr })));
    child.stdin.end(input);
  });
}

/**
 * The environment of a worker process (workers/main.ts) for a test: on `database` and Temporal's `address` and
 * `namespace`, a task queue `<queuePrefix>-<healthPort>`, its health endpoints on `healthPort` and nothing else
 * listening (no metrics listener, no incident detectors), waiting up to 120 s for its dependencies at start.
 */
export function testWorkerEnv({
  database,
  address,
  namespace,
  queuePrefix,
  healthPort,
}: {
  database: string;
  address: string;
  namespace: string;
  queuePrefix: string;
  healthPort: number;
}): Record<string, string> {
  return {
    DATABASE_URL: database,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: `${queuePrefix}-${healthPort}`,
    WORKER_HEALTH_PORT: String(healthPort),
    METRICS_BIND_ADDRESS: 'off',
    INCIDENT_DETECTORS: 'false',
    STARTUP_WAIT_SECONDS: '120',
  };
}
