import { apiConfig, apiSummary } from './api.js';
import { workerCapacity } from './capacity.js';
import { consoleConfig, consoleSummary, incidentsConfig } from './console.js';
import { counterpartsConfig, identificationConfig } from './counterparts.js';
import { databaseConfig, redactedDatabaseUrl } from './database.js';
import { ConfigError, type ConfigProblem, type Env } from './env.js';
import { journalSealConfig } from './journal.js';
import { outboundRateLimits } from './rate-limits.js';
import { secretsConfig } from './secrets.js';
import { signingConfig } from './signing.js';
import { submissionConfig } from './submissions.js';
import { telemetryConfig } from './telemetry.js';
import { temporalConfig } from './temporal.js';
import { startupConfig, workerProcessConfig } from './worker.js';

/**
 * Configuration is read once, at start, from the environment: `loadConfig(env, topics)` parses the topics a
 * process needs (one file of config/ each) and returns one typed object, or throws one ConfigError naming every bad
 * variable of all of them. Temporal variables use the SDK's standard names; every counterpart has a base URL and an
 * API key, and optionally mutual TLS, so a bookmaker swaps the simulators for the real endpoints by setting these
 * and nothing else.
 */
const TOPICS = {
  temporal: temporalConfig,
  database: databaseConfig,
  counterparts: counterpartsConfig,
  identification: identificationConfig,
  secrets: secretsConfig,
  capacity: workerCapacity,
  worker: workerProcessConfig,
  startup: startupConfig,
  submissions: submissionConfig,
  incidents: incidentsConfig,
  console: consoleConfig,
  api: apiConfig,
  telemetry: telemetryConfig,
  signing: signingConfig,
  rateLimits: outboundRateLimits,
  journal: journalSealConfig,
} satisfies Record<string, (env: Env) => unknown>;

export type Topic = keyof typeof TOPICS;
export type Config = { [K in Topic]: ReturnType<(typeof TOPICS)[K]> };

/**
 * What each process reads (and so what its start refuses when bad): a worker does not read the console's users.
 * The saga worker's own first (workers/sagas.ts).
 */
export const SAGA_WORKER_TOPICS = [
  'database',
  'counterparts',
  'identification',
  'secrets',
  'capacity',
  'worker',
  'submissions',
  'signing',
  'rateLimits',
] as const satisfies readonly Topic[];
/** The worker process: the sagas, the incident detector and verdict reader it starts, its metrics. */
export const WORKER_TOPICS = ['temporal', ...SAGA_WORKER_TOPICS, 'startup', 'incidents', 'telemetry'] as const;
/** The console's services (console/index.ts), for the web console and the console CLI alike. */
export const CONSOLE_SERVICE_TOPICS = [
  'secrets',
  'submissions',
  'incidents',
  'console',
  'journal',
] as const satisfies readonly Topic[];
export const CONSOLE_TOPICS = ['temporal', 'database', 'startup', ...CONSOLE_SERVICE_TOPICS] as const;
export const API_TOPICS = [
  'temporal',
  'database',
  'secrets',
  'startup',
  'incidents',
  'api',
] as const satisfies readonly Topic[];

/** Parses the topics asked for (all by default); one ConfigError names every bad variable of every topic. */
export function loadConfig<T extends Topic = Topic>(
  env: Env = process.env,
  topics: readonly T[] = Object.keys(TOPICS) as T[],
): Pick<Config, T> {
  const config: Partial<Config> = {};
  const problems: ConfigProblem[] = [];
  for (const topic of topics) {
    try {
      (config as Record<string, unknown>)[topic] = TOPICS[topic](env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return config as Pick<Config, T>;
}

/**
 * What start-up logs, from the parsed configuration: addresses and names, never a secret (a database URL without
 * its credentials, whether there is an API key or TLS). Which secrets are still development ones is
 * `developmentSummary` (config/production.ts).
 */
export function configSummary(config: Partial<Config>): Record<string, unknown> {
  const { temporal: t, counterparts: c, submissions: s } = config;
  const endpoint = (e: { baseUrl: string; tls?: unknown }) => ({ baseUrl: e.baseUrl, tls: Boolean(e.tls) });
  return {
    ...(t && {
      temporal: {
        address: t.address,
        namespace: t.namespace,
        taskQueue: t.taskQueue,
        tls: Boolean(t.tls),
        apiKey: Boolean(t.apiKey),
      },
    }),
    ...(config.database && { database: redactedDatabaseUrl(config.database.url) }),
    ...(c && {
      esu: endpoint(c.esu),
      nomapay: endpoint(c.nomapay),
      nomapayIdentification: endpoint(c.nomapayIdentification),
      afm: endpoint(c.afm),
    }),
    ...(config.identification && { identificationRequired: config.identification.required }),
    ...(s && {
      submissions: { calendar: s.calendarPath, maintenanceWindows: s.maintenanceWindows, ...s.policy },
    }),
    ...(config.capacity && { capacity: config.capacity }),
    ...(config.telemetry && { metrics: config.telemetry.metricsBindAddress ?? 'off' }),
    ...(config.console && consoleSummary(config.console)),
    ...(config.api && { api: apiSummary(config.api) }),
  };
}

export { ConfigError, isProduction, parseBoolean, type ConfigProblem, type Env } from './env.js';
export { DEFAULT_PORTS, type CounterpartEndpoint, type CounterpartTls } from './counterparts.js';
export { WORKER_CACHED_WORKFLOWS, WORKER_NODE_OPTIONS } from './capacity.js';
export { DEFAULT_WORKING_DAY_CALENDAR } from './submissions.js';
export type { TemporalConfig } from './temporal.js';
