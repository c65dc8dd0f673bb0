import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CounterpartClient, type Exchange } from '../../activities/http.js';
import { createEsuActivities } from '../../activities/esu.js';
import { createNomapayActivities } from '../../activities/nomapay.js';
import { ErrorType } from '../../domain/errors.js';
import type { TransferDirection } from '../../domain/wire/nomapay.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { simulatedCounterparts } from '../support/unit-counterparts.js';
import { rejectedWith } from '../support/unit-errors.js';

const exchanges: Exchange[] = [];
const counterparts = simulatedCounterparts(['esu', 'nomapay'], { timeoutMs: 1_000, observe: (e) => exchanges.push(e) });

/** Runs an activity as its `n`th attempt (the connectors ask for status first on a retry). */
const attempt = (n: number) => ({
  run: <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment({ attempt: n }).run(fn as (...a: unknown[]) => Promise<R>, ...args),
});

function deposit(operationId = uniqueId('op')) {
  return {
    operationId,
    kind: 'DEPOSIT' as const,
    iin: adultIin(),
    amountTiyn: 10_000,
    currency: 'KZT' as const,
    occurredAt: '2026-11-20T10:00:00+05:00',
  };
}

/** A wallet transfer of `amountTiyn` KZT, from the bettor's wallet unless `direction` says otherwise. */
function transfer(
  transferId: string,
  iin: string,
  amountTiyn: number,
  direction: TransferDirection = 'BETTOR_TO_BOOKMAKER',
) {
  return { transferId, iin, direction, amountTiyn, currency: 'KZT' as const };
}

describe('ESU connector', () => {
  const activities = () => createEsuActivities({ esu: counterparts.esu });

  it('returns the receipt and journals its own send and receive times', async () => {
    const request = deposit();
    const receipt = await attempt(1).run(activities().recordOperation, request);
    expect(receipt.operationId).toBe(request.operationId);
    const seen = exchanges.find((e) => e.counterpart === 'esu' && e.path === '/v1/operations')!;
    expect(seen.status).toBe(201);
    expect(seen.receivedAt.getTime()).toBeGreaterThanOrEqual(seen.sentAt.getTime());
  });

  it('asks for the status before sending again on a retry, so a lost answer is not resent', async () => {
    const request = deposit();
    await counterparts.admin('esu').fault({ match: { key: request.operationId }, kind: 'apply-then-error' });
    await expect(attempt(1).run(activities().recordOperation, request)).rejects.toThrow(/503/);
    const before = (await counterparts.admin('esu').stats()).requests['POST /v1/operations'] ?? 0;
    const receipt = await attempt(2).run(activities().recordOperation, request);
    expect(receipt.operationId).toBe(request.operationId);
    expect((await counterparts.admin('esu').stats()).requests['POST /v1/operations']).toBe(before); // no second POST
    expect(await counterparts.admin('esu').appliedCount(request.operationId)).toBe(1);
  });

  it('maps a documented refusal to a non-retryable EsuRejected with its code', async () => {
    const request = deposit();
    await counterparts
      .admin('esu')
      .fault({ match: { key: request.operationId }, kind: 'reject', code: 'LIMIT_EXCEEDED' });
    const err = await attempt(1)
      .run(activities().recordOperation, request)
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ErrorType.EsuRejected, nonRetryable: true });
    expect(err.details[0].code).toBe('LIMIT_EXCEEDED');
  });

  it('maps a wrong API key to a non-retryable CounterpartAuthFailed', async () => {
    const wrong = counterparts.client('esu', { apiKey: 'nope' });
    const err = await attempt(1)
      .run(createEsuActivities({ esu: wrong }).checkBettorEligibility, { iin: adultIin(), purpose: 'BET' })
      .catch((e) => e);
    expect(err).toMatchObject({ type: ErrorType.CounterpartAuthFailed, nonRetryable: true });
  });

  it('turns a timeout into a plain retryable error', async () => {
    const request = deposit();
    await counterparts.admin('esu').fault({ match: { key: request.operationId }, kind: 'delay', delayMs: 1_500 });
    const err = await attempt(1)
      .run(activities().recordOperation, request)
      .catch((e) => e);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(String(err.message)).toMatch(/esu POST \/v1\/operations/);
  });
});

describe('Nomapay connector', () => {
  const activities = () => createNomapayActivities({ nomapay: counterparts.nomapay });
  /** A new bettor (with `balanceTiyn` in the wallet if given) who has paid `amountTiyn` in under a fresh id. */
  async function paidIn(amountTiyn: number, balanceTiyn?: number) {
    const iin = adultIin();
    const transferId = uniqueId('tr');
    if (balanceTiyn !== undefined) await counterparts.admin('nomapay').setWallet({ iin, balanceTiyn });
    await attempt(1).run(activities().transferWallet, transfer(transferId, iin, amountTiyn));
    return { iin, transferId };
  }

  it('treats a refund of a transfer Nomapay never saw as nothing to undo', async () => {
    const { refundWalletTransfer } = activities();
    expect(await attempt(1).run(refundWalletTransfer, { transferId: uniqueId('never'), reason: 'test' })).toBe(
      'NOTHING_TO_UNDO',
    );
  });

  it('refunds a completed transfer once, however often it is asked', async () => {
    const { refundWalletTransfer } = activities();
    const { iin, transferId } = await paidIn(25_000, 40_000);
    expect(await attempt(1).run(refundWalletTransfer, { transferId, reason: 'test' })).toBe('REFUNDED');
    expect(await attempt(2).run(refundWalletTransfer, { transferId, reason: 'test' })).toBe('REFUNDED');
    expect(await counterparts.admin('nomapay').walletBalance(iin)).toBe(40_000);
    expect(await counterparts.admin('nomapay').appliedCount(`${transferId}:refund`)).toBe(1);
  });

  it('maps insufficient funds to a non-retryable WalletRejected', async () => {
    const { transferWallet } = activities();
    const iin = adultIin();
    await counterparts.admin('nomapay').setWallet({ iin, balanceTiyn: 100 });
    const err = await attempt(1)
      .run(transferWallet, transfer(uniqueId('tr'), iin, 25_000))
      .catch((e) => e);
    expect(err).toMatchObject({ type: ErrorType.WalletRejected, nonRetryable: true });
    expect(err.details[0].code).toBe('INSUFFICIENT_FUNDS');
  });

  // The critical reproduction, at the connector: a deposit and a payout that once shared the raw id X at
  // Nomapay. The payout's compensation asked for a refund of X and refunded the deposit's money.
  it('never refunds a transfer under the id that another operation made (NOT_OURS), and moves nothing', async () => {
    const { refundWalletTransfer } = activities();
    const { iin, transferId } = await paidIn(1_000_000, 2_000_000);
    const payout = { iin, direction: 'BOOKMAKER_TO_BETTOR' as const, amountTiyn: 100 };
    expect(
      await attempt(1).run(refundWalletTransfer, { transferId, reason: 'payout not completed', expected: payout }),
    ).toBe('NOT_OURS');
    const otherBettor = { iin: adultIin(), direction: 'BETTOR_TO_BOOKMAKER' as const, amountTiyn: 1_000_000 };
    expect(await attempt(1).run(refundWalletTransfer, { transferId, reason: 'test', expected: otherBettor })).toBe(
      'NOT_OURS',
    );
    expect(await counterparts.admin('nomapay').walletBalance(iin)).toBe(1_000_000);
    expect(await counterparts.admin('nomapay').appliedCount(`${transferId}:refund`)).toBe(0);
  });

  it('refuses, on a retry, a transfer found under our id that is not ours (IdempotencyConflict), sending nothing', async () => {
    const { transferWallet } = activities();
    const { iin, transferId } = await paidIn(1_000_000);
    const before = (await counterparts.admin('nomapay').stats()).requests['POST /v1/transfers'] ?? 0;
    const err = await attempt(2)
      .run(transferWallet, transfer(transferId, iin, 100, 'BOOKMAKER_TO_BETTOR'))
      .catch((e) => e);
    expect(err).toMatchObject({ type: ErrorType.IdempotencyConflict, nonRetryable: true });
    expect(err.message).toContain('direction');
    expect((await counterparts.admin('nomapay').stats()).requests['POST /v1/transfers']).toBe(before);
    // The same transfer asked again is ours, and answered without the holder's IIN.
    const same = await attempt(2).run(transferWallet, transfer(transferId, iin, 1_000_000));
    expect(same).toMatchObject({ transferId, status: 'COMPLETED', amountTiyn: 1_000_000 });
    expect(same).not.toHaveProperty('iin');
  });
});

describe('ESU connector, records that are not ours', () => {
  it('refuses, on a retry, an operation ESU recorded under our id for another kind or amount', async () => {
    const { recordOperation } = createEsuActivities({ esu: counterparts.esu });
    const request = deposit();
    await attempt(1).run(recordOperation, request);
    for (const other of [{ kind: 'PAYOUT' as const }, { amountTiyn: 10_001 }, { iin: adultIin() }]) {
      const err = await attempt(2)
        .run(recordOperation, { ...request, ...other })
        .catch((e) => e);
      expect(err).toMatchObject({ type: ErrorType.IdempotencyConflict, nonRetryable: true });
      expect(err.message).toContain(Object.keys(other)[0]);
    }
    expect(await counterparts.admin('esu').appliedCount(request.operationId)).toBe(1);
  });
});

describe('answers outside the contract', () => {
  /** A counterpart that answers 200 with whatever `write` sends, with or without a Content-Length. */
  async function answering(write: (res: import('node:http').ServerResponse) => void) {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => write(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const client = new CounterpartClient({
      counterpart: 'esu',
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      timeoutMs: 5_000,
      maxResponseBytes: 64 * 1024,
    });
    return {
      client,
      close: async () => {
        await client.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }
  const failure = (p: Promise<unknown>) => rejectedWith(ApplicationFailure, p);
  const anything = { parse: (v: unknown) => v, safeParse: (v: unknown) => ({ success: true, data: v }) } as never;

  it('refuses an answer larger than the cap unread, declared or streamed, as a non-retryable contract violation', async () => {
    const declared = await answering((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(512 * 1024 * 1024) });
      res.write('{"a":"');
    });
    const streamed = await answering((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const more = () => {
        while (sent < 1024 && res.write(chunk)) sent += 1; // up to 64 MiB if nobody stops reading
        if (sent < 1024) res.once('drain', more);
        else res.end();
      };
      res.write('{"a":"');
      more();
    });
    try {
      for (const { client } of [declared, streamed]) {
        const err = await failure(client.get('/v1/anything', anything));
        expect(err.type).toBe(ErrorType.CounterpartContractViolation);
        expect(err.nonRetryable).toBe(true);
        expect(err.message).toMatch(/answered more than 65536 bytes/);
      }
    } finally {
      await Promise.all([declared.close(), streamed.close()]);
    }
  });

  it('refuses a 2xx answer that is not JSON as a contract violation, not as our own invalid input', async () => {
    const html = await answering((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>gateway login</html>');
    });
    try {
      const err = await failure(html.client.get('/v1/anything', anything));
      expect(err.type).toBe(ErrorType.CounterpartContractViolation);
      expect(err.message).toMatch(/not JSON: <html>gateway login/);
    } finally {
      await html.close();
    }
  });
});
