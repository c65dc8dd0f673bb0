import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isoDate } from '../../domain/formats.js';

const verdicts = (schema: z.ZodType, values: string[]) => values.map((v) => schema.safeParse(v).error?.issues ?? 'ok');

describe('the calendar date with a RegExp of its own', () => {
  it('checks what the built-in checks, with the same issues and JSON Schema', () => {
    const dates = ['2026-02-28', '2024-02-29', '2026-02-29', '2026-13-01', '2026-1-01'];
    expect(verdicts(isoDate(), dates)).toEqual(verdicts(z.iso.date(), dates));
    expect(z.toJSONSchema(isoDate())).toEqual(z.toJSONSchema(z.iso.date()));
  });

  it('keeps parsing when zod is frozen, as the saga worker freezes it; the built-in does not', () => {
    expect((isoDate()._zod.def as { pattern: RegExp }).pattern).not.toBe(z.regexes.date);
    // What the Temporal SDK does to the modules every workflow shares (workflows/shared-modules.ts).
    Object.freeze(z.regexes.date);
    expect(() => z.iso.date().safeParse('2026-12-03')).toThrow("Cannot assign to read only property 'lastIndex'");
    expect(isoDate().safeParse('2026-12-03').success).toBe(true);
  });
});
