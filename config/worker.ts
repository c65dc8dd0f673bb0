import { z } from 'zod';
import { parseEnv, type Env } from './env.js';

/**
 * STARTUP_WAIT_SECONDS (default 300): how long a process started before PostgreSQL or Temporal waits for them,
 * retrying with backoff, before it exits naming the one that did not answer.
 */
export function startupConfig(env: Env = process.env): { waitMs: number } {
  const e = parseEnv(z.object({ STARTUP_WAIT_SECONDS: z.coerce.number().int().positive().default(300) }), env);
  return { waitMs: e.STARTUP_WAIT_SECONDS * 1000 };
}

export interface WorkerProcessConfig {
  /** The worker's /healthz and /readyz: WORKER_HEALTH_HOST:WORKER_HEALTH_PORT (default 127.0.0.1:9465; 0 = any free port, off = none). */
  health?: { host: string; port: number };
  /**
   * How a worker drains on SIGTERM/SIGINT: WORKER_SHUTDOWN_GRACE_SECONDS (default 5) for activities in flight to
   * finish before they are cancelled, WORKER_SHUTDOWN_FORCE_SECONDS (default 20) before it gives up on a task that
   * cannot finish (PostgreSQL already gone) and the process exits 1. Keep both under the orchestrator's own grace
   * period (docker stop: 10 s unless stop_grace_period says otherwise; Kubernetes: 30 s).
   */
  shutdown: { shutdownGraceTime: number; shutdownForceTime: number };
}

const WorkerEnv = z.object({
  WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_HEALTH_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(9465),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().nonnegative().default(5),
  WORKER_SHUTDOWN_FORCE_SECONDS: z.coerce.number().positive().default(20),
});

export function workerProcessConfig(env: Env = process.env): WorkerProcessConfig {
  const e = parseEnv(WorkerEnv, env);
  return {
    health: e.WORKER_HEALTH_PORT === 'off' ? undefined : { host: e.WORKER_HEALTH_HOST, port: e.WORKER_HEALTH_PORT },
    shutdown: {
      shutdownGraceTime: e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
      shutdownForceTime: e.WORKER_SHUTDOWN_FORCE_SECONDS * 1000,
    },
  };
}
