import { z } from 'zod';

/**
 * Money is an integer number of tiyn (1 KZT = 100 tiyn), never a float. Amounts stay inside
 * Number.MAX_SAFE_INTEGER so they survive JSON and PostgreSQL bigint round trips exactly.
 */
export const Currency = z.literal('KZT');
export type Currency = z.infer<typeof Currency>;

/** The largest single operation we accept: 1 000 000 000 KZT. Larger is a data-entry error, not a bet. */
export const MAX_OPERATION_TIYN = 100_000_000_000;

export const AmountTiyn = z
  .number({ error: 'amount must be a number of tiyn' })
  .int('amount must be a whole number of tiyn (1 KZT = 100 tiyn)')
  .positive('amount must be greater than zero')
  .max(MAX_OPERATION_TIYN, `amount must not exceed ${MAX_OPERATION_TIYN} tiyn`);
export type AmountTiyn = z.infer<typeof AmountTiyn>;

/** An amount of money as every request carries it, in tiyn with its currency: spread into the request's schema. */
export const MoneyFields = { amountTiyn: AmountTiyn, currency: Currency };

export function formatKzt(tiyn: number): string {
  const sign = tiyn < 0 ? '-' : '';
  const abs = Math.abs(tiyn);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')} KZT`;
}
