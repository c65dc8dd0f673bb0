import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { databaseAnswers, safeMessage, type LogLine, type Pool } from '../db/pool.js';

/**
 * Liveness and readiness, the same in every process. `/healthz`: the process answers (200). `/readyz`: each
 * dependency it uses answers within a short timeout — 200 `{status: 'READY', checks}`, else 503
 * `{status: 'NOT_READY', checks}` with each dependency UP or DOWN, nothing more (the reason goes to the log,
 * once when a dependency goes down and once when it is back).
 */
export type Probe = () => Promise<unknown>;
export type DependencyState = 'UP' | 'DOWN';
export interface ReadyReport {
  status: 'READY' | 'NOT_READY';
  checks: Record<string, DependencyState>;
}
export type Readiness = () => Promise<ReadyReport>;

const PROBE_TIMEOUT_MS = 2_000;
const stdoutLine: LogLine = (line) => console.log(JSON.stringify(line));

export const LIVE = { status: 'UP' } as const;

export function createReadiness(
  probes: Record<string, Probe>,
  { timeoutMs = PROBE_TIMEOUT_MS, log = stdoutLine }: { timeoutMs?: number; log?: LogLine } = {},
): Readiness {
  const down = new Set<string>();
  return async () => {
    const entries = await Promise.all(
      Object.entries(probes).map(async ([name, probe]): Promise<[string, DependencyState]> => {
        try {
          await withTimeout(probe(), timeoutMs);
          if (down.delete(name)) log({ level: 'INFO', msg: `${name} ready again` });
          return [name, 'UP'];
        } catch (err) {
          if (!down.has(name)) log({ level: 'WARN', msg: `${name} not ready`, error: safeMessage(err) });
          down.add(name);
          return [name, 'DOWN'];
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, state]) => state === 'UP') ? 'READY' : 'NOT_READY', checks };
  };
}

export const postgresProbe =
  (pool: Pool): Probe =>
  () =>
    databaseAnswers(pool);

/** A client Connection or the worker's NativeConnection: both reach the frontend with a deadline. */
interface TemporalConnection {
  withDeadline<R>(deadline: number, fn: () => Promise<R>): Promise<R>;
  workflowService: { getSystemInfo(request: object): Promise<unknown> };
}
export const temporalProbe =
  (connection: TemporalConnection, timeoutMs = PROBE_TIMEOUT_MS): Probe =>
  () =>
    connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));

export interface RunningHealthServer {
  url: string;
  close(): Promise<void>;
}

/** What `/metrics` answers: Prometheus text, or a rejection (a 503, which Prometheus records as a failed scrape). */
export interface MetricsSource {
  contentType: string;
  render(): Promise<string>;
}

const METRICS_TIMEOUT_MS = 10_000;

/**
 * `/healthz` and `/readyz` on a server of their own: for the worker, whose only other port is the SDK's Prometheus
 * exporter. With `metrics`, it also serves `/metrics` (the worker's business metrics).
 */
export async function startHealthServer(
  listen: { host: string; port: number },
  readiness: Readiness,
  { metrics, log = stdoutLine }: { metrics?: MetricsSource; log?: LogLine } = {},
): Promise<RunningHealthServer> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'GET only' });
    if (path === '/healthz') return send(200, LIVE);
    if (path === '/readyz') {
      readiness().then(
        (report) => send(report.status === 'READY' ? 200 : 503, report),
        () => send(503, { status: 'NOT_READY', checks: {} }),
      );
      return;
    }
    if (path === '/metrics' && metrics) {
      withTimeout(metrics.render(), METRICS_TIMEOUT_MS).then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (err) => {
          log({ level: 'WARN', msg: 'metrics scrape failed', error: safeMessage(err) });
          res
            .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
            .end('metrics unavailable: see the worker log\n');
        },
      );
      return;
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
