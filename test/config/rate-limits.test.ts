import { describe, expect, it } from 'vitest';
import { outboundRateLimits } from '../../config/rate-limits.js';

describe('outbound rate limits (config)', () => {
  it('defaults every counterpart to 1 800 requests an hour, under the e-government integration rules’ peak of 2 000', () => {
    const { limits, maxWaitMs } = outboundRateLimits({});
    expect(limits).toEqual({
      esu: { perHour: 1800, burst: 10 },
      nomapay: { perHour: 1800, burst: 10 },
      tsoid: { perHour: 1800, burst: 10 },
      afm: { perHour: 1800, burst: 10 },
    });
    expect(maxWaitMs).toBe(10_000);
  });

  it('reads each counterpart’s own variable', () => {
    const { limits } = outboundRateLimits({
      AFM_RATE_LIMIT_PER_HOUR: '600',
      NOMAPAY_ID_RATE_LIMIT_PER_HOUR: '1200',
      OUTBOUND_RATE_LIMIT_BURST: '3',
    });
    expect(limits.afm).toEqual({ perHour: 600, burst: 3 });
    expect(limits.tsoid).toEqual({ perHour: 1200, burst: 3 });
    expect(limits.nomapay.perHour).toBe(1800);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => outboundRateLimits({ ESU_RATE_LIMIT_PER_HOUR: '0' })).toThrow(
      /ESU_RATE_LIMIT_PER_HOUR environment variable is invalid/,
    );
    expect(() => outboundRateLimits({ AFM_RATE_LIMIT_PER_HOUR: 'fast' })).toThrow(/AFM_RATE_LIMIT_PER_HOUR/);
    expect(() => outboundRateLimits({ OUTBOUND_RATE_LIMIT_MAX_WAIT_MS: '60000' })).toThrow(
      /OUTBOUND_RATE_LIMIT_MAX_WAIT_MS/,
    );
  });
});
