import { describe, expect, it } from 'vitest';
import {
  API_TOPICS,
  CONSOLE_TOPICS,
  ConfigError,
  configSummary,
  loadConfig,
  WORKER_TOPICS,
} from '../../config/index.js';
import { refusedWith } from '../support/unit-errors.js';

const DATABASE_URL = 'postgres://esu:secret-password@db.example.kz:5432/esu';

const refusal = (run: () => unknown) => refusedWith(ConfigError, run, 'the configuration');

describe('loadConfig', () => {
  it('parses each process’s topics into one typed object with the documented defaults', () => {
    const worker = loadConfig({ DATABASE_URL }, WORKER_TOPICS);
    expect(Object.keys(worker).sort()).toEqual([...WORKER_TOPICS].sort());
    expect(worker.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'esu-bridge-sagas',
    });
    expect(worker.database).toEqual({ url: DATABASE_URL, role: undefined });
    expect(worker.capacity.maxCachedWorkflows).toBe(60);
    expect(worker.capacity.maxConcurrentWorkflowTaskExecutions).toBe(20);
    expect(worker.worker.health).toEqual({ host: '127.0.0.1', port: 9465 });
    expect(worker.startup.waitMs).toBe(300_000);
    expect(worker.submissions.policy).toMatchObject({ pollIntervalMs: 3600_000, outageDeadlineMs: 3 * 3600_000 });
    expect(worker.submissions.verdictReader).toEqual({ enabled: true, intervalMs: 60_000, pageSize: 100 });
    expect(worker.identification.required).toBe(true);
    expect(worker.incidents.timing.reminderOffsetsMs).toEqual([12 * 3600_000, 4 * 3600_000, 3600_000]);
    expect(worker).not.toHaveProperty('console');
    const consoleConfig = loadConfig({ DATABASE_URL }, CONSOLE_TOPICS);
    expect(consoleConfig.console.sessionTtlMs).toBe(8 * 3600_000);
    expect(consoleConfig).not.toHaveProperty('counterparts');
    expect(loadConfig({ DATABASE_URL }, API_TOPICS).api.port).toBe(8091);
  });

  it('refuses a worker start naming several variables of several topics at once', () => {
    const error = refusal(() =>
      loadConfig(
        {
          TEMPORAL_TLS: 'sometimes',
          SUBMISSION_RETRY_PAUSE: 'five minutes',
          AFM_VERDICT_READER: 'on',
          TEMPORAL_WORKER_CACHED_WORKFLOWS: '1',
          ESU_RATE_LIMIT_PER_HOUR: '0',
        },
        WORKER_TOPICS,
      ),
    );
    expect(error.variables).toEqual([
      'TEMPORAL_TLS',
      'DATABASE_URL',
      'TEMPORAL_WORKER_CACHED_WORKFLOWS',
      'SUBMISSION_RETRY_PAUSE',
      'AFM_VERDICT_READER',
      'ESU_RATE_LIMIT_PER_HOUR',
    ]);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe(
      'DATABASE_URL environment variable is not defined (postgres://user:password@host:5432/database)',
    );
    for (const line of lines.filter((_, i) => i !== 1))
      expect(line).toMatch(/^[A-Z_]+ environment variable is invalid: /);
  });

  it('reads only the topics asked for: a worker is not refused for the console’s settings', () => {
    const env = { DATABASE_URL, CONSOLE_SESSION_TTL: 'all day', API_PORT: 'eighty' };
    expect(() => loadConfig(env, WORKER_TOPICS)).not.toThrow();
    expect(refusal(() => loadConfig(env, CONSOLE_TOPICS)).variables).toEqual(['CONSOLE_SESSION_TTL']);
    expect(refusal(() => loadConfig(env)).variables).toEqual(['CONSOLE_SESSION_TTL', 'API_PORT']);
  });

  it('summarises the parsed object without a secret', () => {
    const config = loadConfig(
      {
        DATABASE_URL,
        TEMPORAL_API_KEY: 'temporal-secret-key',
        ESU_API_KEY: 'esu-secret-key',
        BETTOR_REF_KEY: 'bettor-ref-secret-0123456789',
        CONSOLE_SESSION_SECRET: 'console-session-secret-0123456789abcdef',
        SUBMISSION_POLL_INTERVAL: '30m',
      },
      [...WORKER_TOPICS, 'console'],
    );
    const summary = configSummary(config);
    expect(summary).toMatchObject({
      temporal: { address: '127.0.0.1:7233', apiKey: true, tls: true },
      database: 'postgres://***@db.example.kz:5432/esu',
      esu: { baseUrl: 'http://127.0.0.1:7301', tls: false },
      identificationRequired: true,
      submissions: { pollIntervalMs: 30 * 60_000, maintenanceWindows: '21:00-06:00,non-working-days' },
      metrics: '127.0.0.1:9464',
      users: ['admin (admin)', 'officer (officer)', 'auditor (auditor)'],
    });
    const text = JSON.stringify(summary);
    for (const secret of [
      'secret-password',
      'temporal-secret-key',
      'esu-secret-key',
      'bettor-ref-secret',
      'console-session-secret',
    ])
      expect(text).not.toContain(secret);
    expect(configSummary({ temporal: config.temporal })).toEqual({ temporal: summary.temporal });
  });
});
