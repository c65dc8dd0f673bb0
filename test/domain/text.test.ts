import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MultilineText, plainTextOf, safeText, Text, textProblem } from '../../domain/text.js';

describe('free text from outside', () => {
  it('takes ordinary text in any script, emoji included', () => {
    for (const ok of [
      'Қазақстан Республикасы',
      'Айгерім Төлеуқызы',
      "O'Brien & Co. — №5",
      'kpl-17 HOME',
      '⚽️ 👨‍👩‍👧',
      '',
    ]) {
      expect(textProblem(ok)).toBeUndefined();
    }
  });

  it('refuses NUL, naming it and where it is', () => {
    expect(textProblem('ab\u0000c')).toBe('must not contain a NUL character (U+0000 at 2)');
    expect(textProblem('\u0000', { multiline: true })).toBe('must not contain a NUL character (U+0000 at 0)');
  });

  it('refuses an unpaired surrogate half, high or low, anywhere', () => {
    expect(textProblem('a\uD83D')).toBe('must not contain an unpaired surrogate (U+D83D at 1)');
    expect(textProblem('\uDE00b')).toBe('must not contain an unpaired surrogate (U+DE00 at 0)');
    expect(textProblem('x\uD83Dy')).toBe('must not contain an unpaired surrogate (U+D83D at 1)');
    expect(textProblem('\uD83D\uDE00')).toBeUndefined(); // a proper pair: 😀
  });

  it('refuses control characters: C0, DEL, C1 and the line and paragraph separators', () => {
    for (const [text, at, cp] of [
      ['a\u0007', 1, 'U+0007'],
      ['a\u001Bb', 1, 'U+001B'],
      ['\u007F', 0, 'U+007F'],
      ['ab\u0085', 2, 'U+0085'],
      ['a\u2028b', 1, 'U+2028'],
      ['a\u2029', 1, 'U+2029'],
    ] as const) {
      expect(textProblem(text), text).toBe(
        `must not contain control or bidirectional formatting characters (${cp} at ${at})`,
      );
    }
  });

  it('refuses every bidirectional formatting character (Trojan Source)', () => {
    for (const unit of [
      0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
    ]) {
      const cp = `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
      expect(textProblem(`100${String.fromCharCode(unit)}0`)).toBe(
        `must not contain control or bidirectional formatting characters (${cp} at 3)`,
      );
    }
  });

  it('allows tab and line breaks only in multi-line text', () => {
    expect(textProblem('line 1\r\n\tline 2')).toBe(
      'must not contain control or bidirectional formatting characters (U+000D at 6)',
    );
    expect(textProblem('line 1\r\n\tline 2', { multiline: true })).toBeUndefined();
    expect(textProblem('a\u000Bb', { multiline: true })).toBe(
      'must not contain control or bidirectional formatting characters (U+000B at 1)',
    );
  });

  it('names the field in a schema and never repeats the value', () => {
    const Request = z.object({ reason: Text(100, { min: 1 }), note: MultilineText(100).optional() });
    const refused = Request.safeParse({ reason: 'Иван\u202Eтест', note: 'a\nb' });
    expect(refused.error?.issues).toEqual([
      expect.objectContaining({
        path: ['reason'],
        message: 'must not contain control or bidirectional formatting characters (U+202E at 4)',
      }),
    ]);
    expect(JSON.stringify(refused.error?.issues)).not.toContain('Иван');
    expect(Request.safeParse({ reason: '' }).error?.issues[0]?.message).toBe('must not be empty');
    expect(Request.safeParse({ reason: 'x'.repeat(101) }).error?.issues[0]?.message).toBe(
      'must be at most 100 characters',
    );
    expect(z.string().check(safeText()).safeParse('ok').success).toBe(true);
  });

  it('makes a counterpart’s text safe to keep instead of refusing it', () => {
    expect(plainTextOf('bad\u0000 \u202Ereason\uD800 ok\n😀')).toBe('bad\uFFFD \uFFFDreason\uFFFD ok\n😀');
    expect(plainTextOf('a\nb', {})).toBe('a\uFFFDb');
  });
});
