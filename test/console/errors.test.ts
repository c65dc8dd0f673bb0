import { describe, expect, it } from 'vitest';
import { ConsoleError, publicError, toConsoleError } from '../../console/audit.js';

describe('console errors (issue 14)', () => {
  it('never shows internal text in a 500', () => {
    const shown = publicError(
      toConsoleError(new Error('relation "journal" does not exist at Pool.query (db/pool.ts:12)')),
    );
    expect(shown.status).toBe(500);
    expect(shown.message).not.toMatch(/relation|journal|pool/);
  });

  it("turns PostgreSQL's data exceptions and Fastify's refusals into 400s", () => {
    const nul = toConsoleError(
      Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }),
    );
    expect([nul.status, nul.message]).toEqual([400, expect.not.stringMatching(/byte sequence/)]);
    expect(
      toConsoleError(Object.assign(new Error("'%E0' is not a valid url component"), { statusCode: 400 })).status,
    ).toBe(400);
  });

  it('keeps the message of a refusal the officer must read', () => {
    expect(publicError(new ConsoleError('REFUSED', 'AFM refused: duplicate')).message).toBe('AFM refused: duplicate');
  });
});
