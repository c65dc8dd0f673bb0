import type { Client } from '@temporalio/client';
import { createEsuBridgeClient } from '../client/index.js';
import { encryptionCodecFromEnv } from '../codec/encryption.js';
import { CONSOLE_SERVICE_TOPICS, loadConfig, type Config } from '../config/index.js';
import { sealPeriodically } from './journal-seal.js';
import { createCalendarFileSource } from '../config/calendar-source.js';
import type { Pool } from '../db/pool.js';
import type { SubmissionActions } from './inboxes/submissions.js';
import { recordWrittenNotice } from '../client/written-notices.js';
import { createJournalService } from './journal-service.js';
import { startConsoleServer, type RunningConsole } from './server.js';
import type { Readiness } from '../stack/health.js';
import { createConsoleService } from './service.js';
import { startReconciliation } from '../client/reconciliation.js';

type Env = Record<string, string | undefined>;

export interface ConsoleParts {
  pool: Pool;
  client: Client;
  taskQueue: string;
  env?: Env;
  /** Parsed already (the console's start); otherwise loaded from `env`. */
  config?: ConsoleConfigParts;
  submissionActions?: SubmissionActions;
  /** What /readyz checks; PostgreSQL alone when not given. */
  readiness?: Readiness;
}

/** The configuration the console's services read (loadConfig's topics). */
export type ConsoleConfigParts = Pick<Config, (typeof CONSOLE_SERVICE_TOPICS)[number]>;

/** The console's services, built from configuration: shared by the web console and the CLI. */
export function createConsole({
  pool,
  client,
  taskQueue,
  env = process.env,
  config: loaded = loadConfig(env, CONSOLE_SERVICE_TOPICS),
  submissionActions,
}: ConsoleParts) {
  const config = loaded.console;
  const refKey = loaded.secrets.bettorRefKey;
  const bridge = createEsuBridgeClient({
    client,
    taskQueue,
    bettorRefKey: refKey,
    incidentTiming: loaded.incidents.timing,
  });
  // Retry and correct-and-resubmit go through the submission workflow's updates (client/submissions.ts).
  const actions: SubmissionActions = submissionActions ?? {
    retry: bridge.retrySubmission,
    resubmit: bridge.resubmitSubmission,
    notice: (submissionId, request, actor) =>
      recordWrittenNotice({ pool, submissions: bridge }, submissionId, request, actor),
  };
  const calendar = createCalendarFileSource(loaded.submissions.calendarPath);
  const reconcile = async (day: string) => (await startReconciliation(client, taskQueue, day)).result();
  const service = createConsoleService({
    pool,
    bridge,
    submissionActions: actions,
    calendar,
    bettorRefKey: refKey,
    offsetMinutes: config.offsetMinutes,
    users: config.users,
    reconcile,
  });
  const seal = loaded.journal;
  const journal = createJournalService({
    pool,
    offsetMinutes: config.offsetMinutes,
    codec: encryptionCodecFromEnv(env),
    bettorRefKey: refKey,
    seal,
    calendar,
    maintenanceMaxLengthMs: config.maintenanceMaxLengthMs,
  });
  return { config, service, journal, seal };
}

/** Builds the console and serves it (CONSOLE_HOST:CONSOLE_PORT unless `listen` says otherwise; port 0 = any). */
export async function startConsole(
  parts: ConsoleParts,
  listen?: { host: string; port: number },
): Promise<RunningConsole> {
  const { config, service, journal, seal } = createConsole(parts);
  const running = await startConsoleServer(
    { pool: parts.pool, config, service, journal, readiness: parts.readiness },
    listen ?? { host: config.host, port: config.port },
  );
  // The chain head is sealed at an interval too, so what is not verified or exported is covered by a seal anyway.
  const stopSealing = sealPeriodically(parts.pool, seal, seal.intervalMs);
  return { ...running, close: async () => (stopSealing(), running.close()) };
}
