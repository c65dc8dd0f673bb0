import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type RunningTemporal } from '../../stack/dev-server.js';
import { freePort } from '../../stack/ports.js';
import { startPostgres as startEmbeddedPostgres, type RunningPostgres } from '../../stack/postgres.js';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';
import { startTsx, type TsxRun } from '../support/processes.js';

/**
 * Real esu-bridge processes (the API's and the worker's entries, under tsx) against a real PostgreSQL and
 * Temporal dev server: started before PostgreSQL they wait; PostgreSQL restarted under the API, it stays up and
 * /readyz comes back; SIGTERM drains them to exit 0 without a stack trace.
 */
const PASSWORD = 'esu-bridge-local'; // stack/postgres.ts's local password: must never reach a log

/** PostgreSQL with the schema applied, as `npm run migrate` leaves it: the processes only check it. */
async function startPostgres(options: Parameters<typeof startEmbeddedPostgres>[0]): Promise<RunningPostgres> {
  const started = await startEmbeddedPostgres(options);
  const pool = createPool(started.url, 1, () => undefined);
  await migrate(pool).finally(() => pool.end());
  return started;
}

/** Polls `fn` until it is truthy; gives up at once when the process under test has exited. */
async function eventually<T>(
  what: string,
  started: TsxRun,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    const { exitCode, signalCode } = started.child;
    if (exitCode !== null || signalCode !== null)
      throw new Error(`${what}: the process exited (${exitCode ?? signalCode})\n${started.stderr().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function probe(
  url: string,
): Promise<{ status: number; body: { status: string; checks?: Record<string, string> } }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks?: Record<string, string> },
  };
}

/** Probes `url` until it answers `status`, and gives that answer. */
const answering = (what: string, started: TsxRun, url: string, status: number, timeoutMs?: number) =>
  eventually(
    what,
    started,
    async () => {
      const answer = await probe(url);
      return answer.status === status && answer;
    },
    timeoutMs,
  );

/** Polls until the process has said `msg` in its JSON log. */
const said = (started: TsxRun, msg: string) =>
  eventually(`a "${msg}" line`, started, async () => started.stdout().includes(`"msg":"${msg}"`));

/** Expects the process to exit 0 on its SIGTERM, saying `stopped`, with no stack trace and no password. */
async function expectStoppedCleanly(started: TsxRun, stopped: string) {
  expect(await started.exited).toBe(0);
  expect(started.stdout()).toContain(`"msg":"${stopped}"`);
  expect(started.stderr()).not.toMatch(/^\s+at /m);
  expect(started.stdout() + started.stderr()).not.toContain(PASSWORD);
}

describe('an esu-bridge process and its dependencies', () => {
  let temporal: RunningTemporal;
  let dataDir: string;
  let pgPort: number;
  let postgres: RunningPostgres | undefined;
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    delete process.env.DATABASE_URL; // an embedded PostgreSQL of this file's own, to stop and start
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'pg-restart-')), 'data');
    pgPort = await freePort();
    temporal = await startDevServer();
  });

  afterAll(async () => {
    await postgres?.stop();
    await temporal?.stop();
    if (saved) process.env.DATABASE_URL = saved;
  });

  /**
   * An entry point of ours on this file's PostgreSQL and Temporal dev server (unless `env` names another Temporal),
   * waiting up to 2 minutes for them.
   */
  const startEntry = (entry: string, env: Record<string, string>) =>
    startTsx(entry, [], {
      DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${pgPort}/esu_bridge`,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      STARTUP_WAIT_SECONDS: '120',
      ...env,
    });
  const startedPostgres = async () => (postgres = await startPostgres({ dataDir, port: pgPort }));

  it('waits for PostgreSQL at start, stays up through its restart with /readyz back to 200, and exits 0 on SIGTERM', async () => {
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const process_ = startEntry('api/main.ts', { API_HOST: '127.0.0.1', API_PORT: String(apiPort) });
    try {
      // Started before PostgreSQL: it says it waits, and does.
      await said(process_, 'waiting for PostgreSQL');
      expect(process_.child.exitCode).toBeNull();
      await startedPostgres();
      const ready = await answering('/readyz 200 after PostgreSQL started', process_, `${api}/readyz`, 200);
      expect(ready.body).toEqual({ status: 'READY', checks: { postgresql: 'UP', temporal: 'UP' } });

      // PostgreSQL stops under it: idle connections are dropped (the 'error' event that used to end the process).
      await postgres!.stop();
      postgres = undefined;
      const down = await answering('/readyz 503 while PostgreSQL is down', process_, `${api}/readyz`, 503);
      expect(down.body).toEqual({ status: 'NOT_READY', checks: { postgresql: 'DOWN', temporal: 'UP' } });
      expect((await probe(`${api}/healthz`)).status).toBe(200);
      expect(process_.child.exitCode).toBeNull();

      await startedPostgres();
      await answering('/readyz 200 after PostgreSQL restarted', process_, `${api}/readyz`, 200);
      expect(process_.child.exitCode).toBeNull();
      expect(process_.stdout()).toContain('"msg":"PostgreSQL connection lost; the pool reconnects on next use"');
    } finally {
      process_.child.kill('SIGTERM');
    }
    await expectStoppedCleanly(process_, 'esu-bridge API stopped');
    expect(process_.stderr()).not.toMatch(/Unhandled|uncaught/i);
  }, 240_000);

  it('waits for Temporal at start too, and a SIGTERM during the wait still exits 0', async () => {
    if (!postgres) await startedPostgres();
    const api = startEntry('api/main.ts', {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, // nothing listens there
      API_HOST: '127.0.0.1',
      API_PORT: String(await freePort()),
    });
    try {
      await eventually(
        'two "waiting for Temporal" lines',
        api,
        async () => api.stdout().split('"msg":"waiting for Temporal"').length > 2,
      );
    } finally {
      api.child.kill('SIGTERM');
    }
    expect(await api.exited).toBe(0);
    const waits = api
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"msg":"waiting for Temporal"'))
      .map((line) => JSON.parse(line));
    expect(waits.slice(0, 2)).toMatchObject([
      { attempt: 1, retryInMs: 500 },
      { attempt: 2, retryInMs: 1000 },
    ]);
    expect(api.stderr()).not.toMatch(/^\s+at /m);
  }, 240_000);

  it('starts a worker while PostgreSQL is down: it waits, becomes ready, and drains to exit 0 on SIGTERM', async () => {
    await postgres?.stop();
    postgres = undefined;
    const healthPort = await freePort();
    const health = `http://127.0.0.1:${healthPort}`;
    const worker = startEntry('workers/main.ts', {
      TEMPORAL_TASK_QUEUE: `resilience-${healthPort}`,
      WORKER_HEALTH_PORT: String(healthPort),
      METRICS_BIND_ADDRESS: 'off',
      INCIDENT_DETECTORS: 'false',
    });
    try {
      await said(worker, 'waiting for PostgreSQL');
      await startedPostgres();
      const ready = await answering('/readyz 200', worker, `${health}/readyz`, 200, 150_000);
      expect(ready.body).toEqual({ status: 'READY', checks: { postgresql: 'UP', temporal: 'UP', worker: 'UP' } });
      expect((await probe(`${health}/healthz`)).body).toEqual({ status: 'UP' });
    } finally {
      worker.child.kill('SIGTERM');
    }
    await expectStoppedCleanly(worker, 'esu-bridge worker stopped');
  }, 240_000);
});
