import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection } from '@temporalio/worker';
import { connectClient } from '../../client/connect.js';
import { temporalConfig } from '../../config/temporal.js';
import type { StepRecord } from '../../activities/journal.js';
import { ErrorType } from '../../domain/errors.js';
import { createSagaWorker } from '../../workers/sagas.js';
import { uniqueId } from '../support/ids.js';
import type { journalText } from './workflows/journal-text.js';
import { loadTestCertificates, signingEnv } from '../support/certificates.js';

// A value PostgreSQL refuses as data (SQLSTATE class 22) reaching an activity of the real saga worker: before
// the worker turned such errors into DataRejected, the activity retried for ever and its saga never moved on.
let client: Client;
let stop: () => Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  taskQueue = uniqueId('it-data-errors');
  await loadTestCertificates();
  const env = {
    ...process.env,
    ...signingEnv(),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: inject('databaseUrl'),
  };
  const temporal = temporalConfig(env);
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows/journal-text.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  const connection = await NativeConnection.connect({ address: temporal.address });
  const saga = await createSagaWorker({ connection, temporal, databaseUrl: env.DATABASE_URL, env, workflowBundle });
  const running = saga.worker.run();
  const connected = await connectClient(env, temporal);
  client = connected.client;
  stop = async () => {
    saga.worker.shutdown();
    await running;
    await saga.close();
    await connected.connection.close();
    await connection.close();
  };
});

afterAll(async () => {
  await stop?.();
});

const step = (actor: string): StepRecord => ({
  operationId: uniqueId('op'),
  kind: 'DEPOSIT',
  workflowId: uniqueId('Deposit:x'),
  bettorRef: 'a'.repeat(64),
  amountTiyn: 100,
  status: 'RECEIVED',
  event: 'deposit.received',
  result: 'OK',
  actor,
  startedAtMs: Date.now(),
});

describe('a value PostgreSQL refuses as data', () => {
  it('fails the activity at once with DataRejected, naming the condition and never the value', async () => {
    const secret = 'Айгерім';
    const handle = await client.workflow.start<typeof journalText>('journalText', {
      taskQueue,
      workflowId: uniqueId('journal-text'),
      args: [step(`${secret}\u0000`)],
      // Without the fix the activity retries until this timeout ends the run instead.
      workflowExecutionTimeout: '30 seconds',
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activity = (err as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    const failure = (activity as ActivityFailure).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(ErrorType.DataRejected);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(
      /^recordStep: PostgreSQL refused a value \(SQLSTATE 22021 /,
    );
    expect((failure as ApplicationFailure).message).not.toContain(secret);
    expect((failure as ApplicationFailure).cause).toBeUndefined();

    // One attempt, not a retry loop.
    const history = await handle.fetchHistory();
    const attempts = history
      .events!.filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => e.activityTaskStartedEventAttributes!.attempt);
    expect(attempts).toEqual([1]);
  });

  it('also stops a NUL escaped inside JSON (jsonb refuses \\u0000 with SQLSTATE 22P05)', async () => {
    const handle = await client.workflow.start<typeof journalText>('journalText', {
      taskQueue,
      workflowId: uniqueId('journal-text'),
      args: [{ ...step('system'), details: { note: 'before\u0000after' } }],
      workflowExecutionTimeout: '30 seconds',
    });
    const err = await handle.result().catch((e: unknown) => e);
    const failure = ((err as WorkflowFailedError).cause as ActivityFailure | undefined)?.cause as
      ApplicationFailure | undefined;
    expect(failure?.type).toBe(ErrorType.DataRejected);
    expect(failure?.message).toContain('SQLSTATE 22P05');
    expect(failure?.message).not.toContain('before');
  });

  it('stops a local activity the same way (the sagas journal through local activities)', async () => {
    const handle = await client.workflow.start<typeof journalText>('journalText', {
      taskQueue,
      workflowId: uniqueId('journal-text'),
      args: [step('officer\u0000'), true],
      workflowExecutionTimeout: '30 seconds',
    });
    const err = await handle.result().catch((e: unknown) => e);
    // A local activity's failure reaches the workflow's failure without an ActivityFailure around it.
    let failure: unknown = (err as WorkflowFailedError).cause;
    while (failure instanceof ActivityFailure) failure = failure.cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(ErrorType.DataRejected);
    expect((failure as ApplicationFailure).message).not.toContain('officer');
  });
});
