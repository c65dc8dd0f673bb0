import { describe, expect, it, vi } from 'vitest';
import { createPool, safeMessage } from '../../db/pool.js';
import { createReadiness } from '../../stack/health.js';
import { DependencyUnavailableError, waitFor } from '../../stack/wait-for.js';

describe('waitFor', () => {
  it('retries with doubling delays, logging each wait once with the next delay, until the probe answers', async () => {
    const log = vi.fn();
    const probe = vi
      .fn()
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
      .mockRejectedValueOnce(new Error('still starting'))
      .mockResolvedValue('up');
    await expect(waitFor('PostgreSQL', probe, { deadlineMs: 60_000, initialDelayMs: 1, log })).resolves.toBe('up');
    expect(probe).toHaveBeenCalledTimes(3);
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      {
        level: 'WARN',
        msg: 'waiting for PostgreSQL',
        attempt: 1,
        error: 'connect ECONNREFUSED 127.0.0.1:5432',
        retryInMs: 1,
      },
      { level: 'WARN', msg: 'waiting for PostgreSQL', attempt: 2, error: 'still starting', retryInMs: 2 },
    ]);
  });

  it('gives up past the deadline naming the dependency and its last error', async () => {
    const probe = vi.fn().mockRejectedValue(new Error('no route to host'));
    const failure = waitFor('Temporal', probe, { deadlineMs: 0, log: () => undefined });
    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.toThrow('Temporal did not answer within 0 s (1 attempts): no route to host');
  });

  it('stops waiting at once when the process is told to stop', async () => {
    const controller = new AbortController();
    const probe = vi.fn().mockImplementation(async () => {
      controller.abort(new Error('stopping'));
      throw new Error('down');
    });
    await expect(
      waitFor('PostgreSQL', probe, { deadlineMs: 60_000, signal: controller.signal, log: () => undefined }),
    ).rejects.toThrow('stopping');
    expect(probe).toHaveBeenCalledTimes(1);
  });
});

describe('pool errors and readiness', () => {
  it('keeps credentials out of what it logs', () => {
    expect(safeMessage(new Error('cannot reach postgres://postgres:s3cret@db:5432/esu_bridge\n  now'))).toBe(
      'cannot reach postgres://***@db:5432/esu_bridge now',
    );
  });

  it('logs an idle connection dropped by PostgreSQL once per outage instead of crashing', () => {
    const log = vi.fn();
    const pool = createPool('postgres://u:p@127.0.0.1:1/x', 1, log);
    const dropped = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    pool.emit('error', dropped, undefined as never);
    pool.emit('error', dropped, undefined as never);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith({
      level: 'WARN',
      msg: 'PostgreSQL connection lost; the pool reconnects on next use',
      code: '57P01',
      error: 'terminating connection due to administrator command',
    });
    void pool.end();
  });

  it('reports each dependency UP or DOWN without its error, and logs the error once when it goes down', async () => {
    const log = vi.fn();
    let temporalUp = false;
    const readiness = createReadiness(
      {
        postgresql: async () => undefined,
        temporal: async () => {
          if (!temporalUp) throw new Error('Temporal at 10.0.0.5:7233 refused');
        },
      },
      { log },
    );
    expect(await readiness()).toEqual({ status: 'NOT_READY', checks: { postgresql: 'UP', temporal: 'DOWN' } });
    expect(await readiness()).toEqual({ status: 'NOT_READY', checks: { postgresql: 'UP', temporal: 'DOWN' } });
    temporalUp = true;
    expect(await readiness()).toEqual({ status: 'READY', checks: { postgresql: 'UP', temporal: 'UP' } });
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      { level: 'WARN', msg: 'temporal not ready', error: 'Temporal at 10.0.0.5:7233 refused' },
      { level: 'INFO', msg: 'temporal ready again' },
    ]);
  });
});
