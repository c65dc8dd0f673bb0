import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import { createEsuBridgeClient, OperationFailedError } from '../../client/index.js';
import { ErrorType } from '../../domain/errors.js';
import { depositWorkflowId } from '../../domain/ids.js';
import { deposit } from '../../workflows/deposit.js';
import { startTestConsole } from '../support/console.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { identifyBettor } from '../support/identification.js';
import { simAdmin } from '../support/sim-admin.js';
import { eventually, startFileStack } from '../support/stack.js';

/**
 * The worker in production mode (NODE_ENV=production): its codec refuses plaintext payloads. Everything that
 * goes through esu-bridge's client still runs — money sagas with their refusals and compensations, bets,
 * settlements, payouts, identification with its updates — and a caller that bypassed the codec is refused
 * before the workflow does anything.
 */
let stack: Awaited<ReturnType<typeof startFileStack>>;

beforeAll(async () => {
  stack = await startFileStack({ NODE_ENV: 'production' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('production mode against the real stack', () => {
  it('runs deposits, a refused deposit, a bet, its settlement, a payout and an identification with plaintext refused', async () => {
    const bridge = stack.esuBridge;
    const iin = adultIin();
    const run = uniqueId('prod');

    expect((await bridge.deposit({ depositId: `${run}-dep`, iin, amountTiyn: 500_000, currency: 'KZT' })).status).toBe(
      'COMPLETED',
    );
    await simAdmin(stack.simulators.esu.url).fault({
      match: { key: `dep-${run}-refused` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });
    const refused = await bridge
      .deposit({ depositId: `${run}-refused`, iin, amountTiyn: 100_000, currency: 'KZT' })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OperationFailedError);
    expect((refused as OperationFailedError).type).toBe(ErrorType.EsuRejected);
    expect((refused as OperationFailedError<{ status: string }>).state?.status).toBe('COMPENSATED');

    const bet = await bridge.placeBet({
      betId: `${run}-bet`,
      iin,
      stakeTiyn: 100_000,
      currency: 'KZT',
      eventId: 'kz-premier-17',
      outcome: 'HOME',
      odds: '2.35',
    });
    expect(bet.status).toBe('ACCEPTED');
    expect((await bridge.getBet(`${run}-bet`)).status).toBe('ACCEPTED');
    expect((await bridge.settleBet({ betId: `${run}-bet`, result: 'WON' })).status).toBe('SETTLED');
    expect((await bridge.payout({ payoutId: `${run}-pay`, iin, amountTiyn: 200_000, currency: 'KZT' })).status).toBe(
      'COMPLETED',
    );

    await identifyBettor(bridge, stack.simulators.nomapay.url, adultIin());
  });

  it('refuses a deposit started by a client without the codec: the workflow task fails naming the reason, nothing moves', async () => {
    const plain = new Client({ connection: stack.client.connection, namespace: stack.env.TEMPORAL_NAMESPACE });
    expect(() =>
      createEsuBridgeClient({
        client: plain,
        taskQueue: stack.env.TEMPORAL_TASK_QUEUE!,
        bettorRefKey: 'integration-test-bettor-ref-key',
      }),
    ).toThrow(/EncryptionCodec/);

    const iin = adultIin();
    const depositId = uniqueId('plain');
    const wallet = simAdmin(stack.simulators.nomapay.url);
    const before = await wallet.walletBalance(iin);
    const handle = await plain.workflow.start(deposit, {
      taskQueue: stack.env.TEMPORAL_TASK_QUEUE!,
      workflowId: depositWorkflowId(depositId),
      args: [{ depositId, iin, amountTiyn: 500_000, currency: 'KZT', bettorRef: stack.esuBridge.bettorRef(iin) }],
    });
    try {
      const failure = await eventually(async () => {
        const history = await handle.fetchHistory();
        return history.events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes
          ?.failure;
      });
      // The reason travels encrypted like every failure message (ops read it through the codec).
      expect(failure!.message).toBe('Encoded failure');
      const [attributes] = await encryptionCodecFromEnv(stack.env).decode([failure!.encodedAttributes!]);
      const { message } = defaultPayloadConverter.fromPayload<{ message: string }>(attributes!);
      expect(message).toMatch(/refused a plaintext payload \(encoding json\/plain\).*PAYLOAD_KEYS/);
      expect(message).not.toContain(iin);

      const history = await handle.fetchHistory();
      expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(await wallet.walletBalance(iin)).toBe(before);
      expect(await wallet.appliedCount(`dep-${depositId}`)).toBe(0);
      expect((await stack.pool.query('SELECT 1 FROM operations WHERE operation_id = $1', [depositId])).rowCount).toBe(
        0,
      );
    } finally {
      await handle.terminate('plaintext start refused by the production-mode test');
    }
  });

  it("sends the console's session cookie with Secure", async () => {
    const running = await startTestConsole(stack);
    try {
      const res = await fetch(new URL('/api/login', running.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'daniyar', password: 'admin-pw' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(
        /^esu_console=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+; Secure$/,
      );
    } finally {
      await running.close();
    }
  });
});
