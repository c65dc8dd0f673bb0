import { afterAll, beforeAll, inject } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import { connectClient } from '../../client/connect.js';
import { createEsuBridgeClient } from '../../client/index.js';
import { startVerdictReader } from '../../client/verdict-reader.js';
import { submissionConfig } from '../../config/submissions.js';
import { temporalConfig } from '../../config/temporal.js';
import { createSagaWorker } from '../../workers/sagas.js';
import { startSimulators } from '../../simulators/index.js';
import { uniqueId } from './ids.js';
import { bookmakerTrust, loadTestCertificates, signerOf, signingEnv } from './certificates.js';

export const TEST_BETTOR_REF_KEY = 'integration-test-bettor-ref-key';

/** Integration tests send in bursts far above the regulator's hourly budget; rate-limit.test.ts sets its own. */
export const UNTHROTTLED_OUTBOUND = {
  ESU_RATE_LIMIT_PER_HOUR: '36000000',
  NOMAPAY_RATE_LIMIT_PER_HOUR: '36000000',
  NOMAPAY_ID_RATE_LIMIT_PER_HOUR: '36000000',
  AFM_RATE_LIMIT_PER_HOUR: '36000000',
  OUTBOUND_RATE_LIMIT_BURST: '100000',
} as const;

/**
 * One integration test file's slice of the real stack: its own simulators on ephemeral ports, its own
 * task queue and worker, against the shared dev server and PostgreSQL from the global setup.
 */
export async function startFileStack(extraEnv: Record<string, string> = {}) {
  // The bookmaker's PKCS#12 and AFM's certificate under a test CA (test/support/certificates.ts): the simulators
  // trust the bookmaker's certificate, AFM signs its pushed verdicts with its own, the worker signs with the PKCS#12.
  const certificates = await loadTestCertificates();
  const simulators = await startSimulators({
    esu: { port: 0, apiKey: 'it-esu-key' },
    nomapay: { port: 0, apiKey: 'it-nomapay-key' },
    afm: { port: 0, apiKey: 'it-afm-key', callbackSigner: signerOf(certificates.afm) },
    trust: bookmakerTrust(),
  });
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueId('it-sagas'),
    DATABASE_URL: inject('databaseUrl'),
    ESU_BASE_URL: simulators.esu.url,
    ESU_API_KEY: 'it-esu-key',
    NOMAPAY_BASE_URL: simulators.nomapay.url,
    NOMAPAY_API_KEY: 'it-nomapay-key',
    AFM_BASE_URL: simulators.afm.url,
    AFM_API_KEY: 'it-afm-key',
    AFM_TIMEOUT_MS: '2000',
    // Short per-request timeout so the "answer lost" faults are noticed quickly.
    NOMAPAY_TIMEOUT_MS: '2000',
    ESU_TIMEOUT_MS: '2000',
    BETTOR_REF_KEY: TEST_BETTOR_REF_KEY,
    // Most files move money for ad-hoc bettors; identification-gate.test.ts turns the gate on and proves it.
    BETTOR_IDENTIFICATION_REQUIRED: 'false',
    ...UNTHROTTLED_OUTBOUND,
    ...signingEnv(),
    // AFM's verdicts are read every second: the real interval is a minute, the tests a few seconds.
    AFM_VERDICT_FETCH_INTERVAL: '1s',
    ...extraEnv,
  };
  const temporal = temporalConfig(env);
  const connection = await NativeConnection.connect({ address: temporal.address });
  const saga = await createSagaWorker({ connection, temporal, databaseUrl: env.DATABASE_URL!, env });
  const running = saga.worker.run();
  const { client, connection: clientConnection } = await connectClient(env, temporal);
  const esuBridge = createEsuBridgeClient({ client, taskQueue: temporal.taskQueue, bettorRefKey: TEST_BETTOR_REF_KEY });
  // As the worker's process does at start (workers/main.ts): this file's reader of its own AFM simulator's feed.
  const verdictReader = await startVerdictReader(client, temporal.taskQueue, submissionConfig(env).verdictReader);

  return {
    env,
    client,
    esuBridge,
    pool: saga.pool,
    simulators,
    verdictReader,
    /** Terminates workflows the file left running, by workflow id; one that has already closed is passed over. */
    async endWorkflows(workflowIds: string[]) {
      await Promise.all(
        workflowIds.map((id) =>
          client.workflow
            .getHandle(id)
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
    },
    async stop() {
      if (verdictReader)
        await client.workflow
          .getHandle(verdictReader)
          .terminate('test over')
          .catch(() => undefined);
      saga.worker.shutdown();
      await running;
      await saga.close();
      await clientConnection.close();
      await connection.close();
      await simulators.close();
    },
  };
}

export type FileStack = Awaited<ReturnType<typeof startFileStack>>;

/**
 * A file's stack (`startFileStack(extraEnv)`) with a server in front of it, `front`, started by `start(stack)`:
 * `stop()` closes the server, then the stack; a server that fails to start stops the stack.
 */
export async function startFrontedStack<F extends { close(): Promise<void> }>(
  extraEnv: Record<string, string>,
  start: (stack: FileStack) => Promise<F>,
) {
  const stack = await startFileStack(extraEnv);
  const front = await start(stack).catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  return {
    ...stack,
    front,
    async stop() {
      await front.close();
      await stack.stop();
    },
  };
}

/**
 * Starts what `start()` answers before the file's tests, hands it to `started` (for the file's live binding) and
 * stops it after them. Hooks the file registers after this call run after the start and, for `afterAll`, before
 * the stop.
 */
export function useStarted<T extends { stop(): Promise<void> }>({
  start,
  started,
  timeoutMs,
}: {
  start: () => Promise<T>;
  started: (value: T) => void;
  timeoutMs?: number | undefined;
}): void {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
    started(value);
  }, timeoutMs);
  afterAll(async () => {
    await value?.stop();
  });
}

/** The file's stack, set by `useFileStack()` before its first test (a live binding: read it inside tests and hooks). */
export let stack: FileStack;

/** Starts the file's stack (`startFileStack(extraEnv)`) before its tests and stops it after them (`useStarted`). */
export function useFileStack(extraEnv: Record<string, string> = {}, timeoutMs?: number): void {
  useStarted({ start: () => startFileStack(extraEnv), started: (started) => (stack = started), timeoutMs });
}

/** Polls `fn` until it returns a truthy value or the deadline passes (integration tests only:). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
