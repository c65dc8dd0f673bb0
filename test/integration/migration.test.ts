import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  NativeConnection,
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { connectClient } from '../../client/connect.js';
import { createEsuBridgeClient } from '../../client/index.js';
import { temporalConfig } from '../../config/temporal.js';
import { createPool, type Pool } from '../../db/pool.js';
import { emptyCounts, type MigrationOutcome } from '../../domain/migration.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { createSagaWorker, SAGA_BUNDLE } from '../../workers/sagas.js';
import { uniqueId } from '../support/ids.js';
import { configureSimulator, planBettors, seedSource } from '../support/migration-data.js';
import { simAdmin } from '../support/sim-admin.js';
import { eventually, TEST_BETTOR_REF_KEY, UNTHROTTLED_OUTBOUND } from '../support/stack.js';
import { bookmakerTrust, loadTestCertificates, signingEnv } from '../support/certificates.js';

const N = Number(process.env.MIGRATION_IT_BETTORS ?? 1000);

let sims: RunningSimulators;
let pool: Pool;
let connection: NativeConnection;
let workflowBundle: WorkflowBundleWithSourceMap;
let env: Record<string, string | undefined>;
let closeClient: () => Promise<void>;
let esuBridge: ReturnType<typeof createEsuBridgeClient>;
let client: Awaited<ReturnType<typeof connectClient>>['client'];

beforeAll(async () => {
  // Activity failures are expected here (injected faults): keep the worker's log to errors.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  await loadTestCertificates();
  sims = await startSimulators({
    esu: { apiKey: 'it-esu-key' },
    nomapay: { apiKey: 'it-nomapay-key' },
    trust: bookmakerTrust(),
  });
  env = {
    ...process.env,
    ...signingEnv(),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueId('it-migration'),
    DATABASE_URL: inject('databaseUrl'),
    ESU_BASE_URL: sims.esu.url,
    ESU_API_KEY: 'it-esu-key',
    NOMAPAY_BASE_URL: sims.nomapay.url,
    NOMAPAY_API_KEY: 'it-nomapay-key',
    NOMAPAY_TIMEOUT_MS: '2000',
    ESU_TIMEOUT_MS: '2000',
    BETTOR_REF_KEY: TEST_BETTOR_REF_KEY,
    // The migration paces itself (its requestsPerHour below); the connectors' shared bucket must not pace it again.
    ...UNTHROTTLED_OUTBOUND,
  };
  pool = createPool(env.DATABASE_URL!, 4);
  const temporal = temporalConfig(env);
  connection = await NativeConnection.connect({ address: temporal.address });
  workflowBundle = await bundleWorkflowCode({ ...SAGA_BUNDLE, logger: new DefaultLogger('WARN') });
  const connected = await connectClient(env, temporal);
  client = connected.client;
  const clientConnection = connected.connection;
  closeClient = () => clientConnection.close();
  esuBridge = createEsuBridgeClient({ client, taskQueue: temporal.taskQueue, bettorRefKey: TEST_BETTOR_REF_KEY });
});

afterAll(async () => {
  await closeClient?.();
  await connection?.close();
  await pool?.end();
  await sims?.close();
});

/** A saga worker on the test's task queue; `stop()` shuts it down as a restart would. */
async function startWorker() {
  const saga = await createSagaWorker({
    connection,
    temporal: temporalConfig(env),
    databaseUrl: env.DATABASE_URL!,
    env,
    workflowBundle,
  });
  const running = saga.worker.run();
  return {
    async stop() {
      saga.worker.shutdown();
      await running;
      await saga.close();
    },
  };
}

async function injectFaults(): Promise<void> {
  const nomapay = simAdmin(sims.nomapay.url);
  const esu = simAdmin(sims.esu.url);
  // Outages the activities retry through, and answers lost after the counterpart applied the request.
  await nomapay.fault({
    kind: 'error',
    status: 503,
    match: { pathPrefix: '/v1/identification/photo-matches' },
    times: 40,
  });
  await nomapay.fault({ kind: 'apply-then-error', match: { pathPrefix: '/v1/identification/consents' }, times: 25 });
  await nomapay.fault({ kind: 'apply-then-error', match: { pathPrefix: '/v1/wallets' }, times: 25 });
  await esu.fault({ kind: 'error', status: 502, match: { pathPrefix: '/v1/bettors' }, times: 30 });
  await esu.fault({ kind: 'apply-then-error', match: { pathPrefix: '/v1/bettors' }, times: 15 });
}

describe('bulk migration against the real stack', () => {
  it(`migrates ${N} bettors through faults and a worker restart, accounting for every bettor exactly once`, async () => {
    const migrationId = uniqueId('it-mig');
    const table = `src_${migrationId.replace(/-/g, '_')}`;
    const plan = planBettors(N, uniqueId('ib'), {
      invalid: 10,
      lowScore: 15,
      underAge: 10,
      badPhoto: 5,
      unknownToState: 5,
      alreadyIdentified: 5,
    });
    await seedSource(pool, table, plan);
    await configureSimulator(sims.nomapay.url, plan);
    await injectFaults();

    let worker = await startWorker();
    const migration = await esuBridge.startMigration({
      migrationId,
      source: { kind: 'table', table },
      concurrency: 40,
      requestsPerHour: 50_000_000, // the 2000/h default would take days; the limiter is proven in the workflow tests
      bettorsPerRun: 200,
      requestedBy: 'it-operator',
    });
    const again = await esuBridge.startMigration({ migrationId, source: { kind: 'table', table } });
    expect(again.joined).toBe(true);

    // Restart the worker once 40 % of the bettors are settled.
    await eventually(async () => (await migration.status()).settled >= N * 0.4, 300_000, 500);
    const atRestart = await migration.status();
    await worker.stop();
    worker = await startWorker();
    const result = await migration.result();

    const expected = countBy(plan, (b) => b.expected);
    expect(atRestart.settled).toBeLessThan(N);
    expect(result.status).toBe('COMPLETED');
    expect(result.total).toBe(N);
    // Every outcome counted, those the plan has none of at zero.
    expect(result.counts).toEqual({ ...emptyCounts(), ...expected });
    expect(result).toMatchObject({ settled: N, remaining: 0, inFlight: 0 });
    expect(result.run).toBeGreaterThanOrEqual(Math.ceil(N / 200));

    // Exactly once, per bettor: one outcome row each, matching the plan.
    const { rows } = await pool.query('SELECT bettor_id, outcome FROM migration_items WHERE migration_id = $1', [
      migrationId,
    ]);
    expect(rows).toHaveLength(N);
    const recorded = new Map(rows.map((r) => [r.bettor_id as string, r.outcome as MigrationOutcome]));
    const wrong = plan.filter((b) => recorded.get(b.bettorId) !== b.expected);
    expect(wrong.map((b) => `${b.bettorId}: expected ${b.expected}, got ${recorded.get(b.bettorId)}`)).toEqual([]);

    // Each newly identified bettor is registered at ESU and gets a wallet exactly once, through the faults.
    const identified = plan.filter((b) => b.expected === 'IDENTIFIED');
    const [esuStats, nomapayStats] = [await simAdmin(sims.esu.url).stats(), await simAdmin(sims.nomapay.url).stats()];
    const notOnce = identified.filter(
      (b) => esuStats.applied[`bettor:${b.bettorId}`] !== 1 || nomapayStats.applied[`wallet:${b.bettorId}`] !== 1,
    );
    expect(notOnce.map((b) => b.bettorId)).toEqual([]);
    const others = plan.filter((b) => b.expected !== 'IDENTIFIED');
    expect(
      others.filter((b) => esuStats.applied[`bettor:${b.bettorId}`] || nomapayStats.applied[`wallet:${b.bettorId}`]),
    ).toEqual([]);
    const stored = await pool.query('SELECT count(*)::int AS n FROM bettor_personal_data WHERE bettor_id = ANY($1)', [
      identified.map((b) => b.bettorId),
    ]);
    expect(stored.rows[0].n).toBe(identified.length);

    // The status deposit and bet sagas read, by the bettor reference.
    const one = identified[0]!;
    const status = await pool.query('SELECT status, method FROM bettor_identifications WHERE bettor_ref = $1', [
      esuBridge.bettorRef(one.iin),
    ]);
    expect(status.rows).toEqual([{ status: 'IDENTIFIED', method: 'PHOTO_MATCH' }]);
    const review = plan.find((b) => b.expected === 'IN_REVIEW')!;
    expect((await esuBridge.identification(review.bettorId).status()).step).toBe('OFFLINE_REVIEW');

    // Progress in the UI: memo and status attribute, and no personal data there.
    const description = await esuBridge.migration(migrationId).status();
    expect(description.status).toBe('COMPLETED');
    const raw = await client.workflow.getHandle(migration.workflowId).describe();
    expect(raw.memo?.progress).toMatchObject({ status: 'COMPLETED', done: result.done, remaining: 0 });
    expect(JSON.stringify(raw.memo)).not.toMatch(/\d{12}/);
    const journal = await pool.query('SELECT event, actor FROM journal WHERE record_id = $1 ORDER BY id', [
      migrationId,
    ]);
    expect(journal.rows.map((r) => r.event)).toEqual(['migration.started', 'migration.completed']);
    expect(journal.rows[0].actor).toBe('it-operator');
    await worker.stop();
    console.log(
      `migration of ${N}: ${JSON.stringify(result.counts)} in ${result.run} runs; restart at ${atRestart.settled} settled`,
    );
  }, 900_000);
});

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}
