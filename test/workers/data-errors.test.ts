import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.js';
import { DataErrorInterceptor, findDataError } from '../../workers/data-errors.js';

/** A pg error as the driver raises it: message and detail quote the value, as PostgreSQL's often do. */
function pgError(code: string, fields: Partial<Record<'table' | 'column' | 'detail', string>> = {}): pg.DatabaseError {
  const err = new pg.DatabaseError('invalid input syntax for type bigint: "Айгерім 900517300128"', 0, 'error');
  Object.assign(err, { severity: 'ERROR', code, detail: 'value "Айгерім" quoted here', ...fields });
  return err;
}

const run = (err: unknown) =>
  new DataErrorInterceptor('postDeposit')
    .execute({ args: [], headers: {} }, async () => Promise.reject(err))
    .catch((e: unknown) => e);

describe('PostgreSQL data errors in activities', () => {
  it('turn class 22 into a non-retryable DataRejected that names where and why, never the value', async () => {
    const failure = await run(pgError('22P02', { table: 'ledger_entries', column: 'amount_tiyn' }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: ErrorType.DataRejected,
      nonRetryable: true,
      details: [{ sqlstate: '22P02', table: 'ledger_entries', column: 'amount_tiyn' }],
    });
    expect((failure as ApplicationFailure).message).toBe(
      'postDeposit: PostgreSQL refused a value (SQLSTATE 22P02 invalid_text_representation; table ledger_entries, column amount_tiyn); the same value is refused on every attempt, so the step is not retried',
    );
    expect(
      JSON.stringify({
        message: (failure as Error).message,
        details: (failure as ApplicationFailure).details,
        cause: (failure as Error).cause,
      }),
    ).not.toMatch(/Айгерім|900517/);
  });

  it('find the error when an activity wrapped it, even in a retryable ApplicationFailure', async () => {
    const wrapped = new Error('ledger: posting failed', {
      cause: new Error('query failed', { cause: pgError('22001') }),
    });
    expect(((await run(wrapped)) as ApplicationFailure).type).toBe(ErrorType.DataRejected);
    const retryable = ApplicationFailure.create({ message: 'x', cause: pgError('22003') });
    expect(((await run(retryable)) as ApplicationFailure).type).toBe(ErrorType.DataRejected);
    expect(findDataError(pgError('2200N'))?.code).toBe('2200N');
  });

  it('leave everything else alone: other SQLSTATE classes, network errors, typed refusals, results', async () => {
    const unique = pgError('23505'); // a unique violation: the activity's own idempotency handling decides
    expect(await run(unique)).toBe(unique);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(await run(reset)).toBe(reset);
    const refused = ApplicationFailure.nonRetryable('balance would go negative', ErrorType.LedgerRejected);
    expect(await run(refused)).toBe(refused);
    const notPg = Object.assign(new Error('looks like it'), { code: '22021' }); // no severity: not from the driver
    expect(await run(notPg)).toBe(notPg);
    await expect(new DataErrorInterceptor('x').execute({ args: [], headers: {} }, async () => 'ok')).resolves.toBe(
      'ok',
    );
  });
});
