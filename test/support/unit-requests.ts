import { adultIin } from './ids.js';

/**
 * A well-formed bet request as a bookmaker's service sends it: 100 tiyn of a new adult on HOME at 2.35 in event
 * kpl-17, under bet-1, with `overrides` (a test's changed or extra fields, valid or not).
 */
export function betRequest<O extends Record<string, unknown> = Record<never, never>>(overrides?: O) {
  return {
    betId: 'bet-1',
    iin: adultIin(),
    stakeTiyn: 100,
    currency: 'KZT' as const,
    eventId: 'kpl-17',
    outcome: 'HOME',
    odds: '2.35',
    ...overrides,
  };
}

/** A well-formed deposit request: 100 tiyn of a new adult under dep-1, with `overrides`. */
export function depositRequest<O extends Record<string, unknown> = Record<never, never>>(overrides?: O) {
  return { depositId: 'dep-1', iin: adultIin(), amountTiyn: 100, currency: 'KZT' as const, ...overrides };
}

/** A well-formed payout request: 100 tiyn to a new adult under pay-1, with `overrides`. */
export function payoutRequest<O extends Record<string, unknown> = Record<never, never>>(overrides?: O) {
  return { payoutId: 'pay-1', iin: adultIin(), amountTiyn: 100, currency: 'KZT' as const, ...overrides };
}
