import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, boolean, duration, durationList, parseBoolean, parseEnv } from '../../config/env.js';
import { parseDuration, parseDurationList } from '../../domain/duration.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('the one duration format', () => {
  it('reads every unit the docs use: 500ms, 10s, 90s, 5m, 30m, 3h, 24h, 1d', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(5 * MINUTE);
    expect(parseDuration(' 30m ')).toBe(30 * MINUTE);
    expect(parseDuration('3h')).toBe(3 * HOUR);
    expect(parseDuration('24h')).toBe(24 * HOUR);
    expect(parseDuration('1d')).toBe(24 * HOUR);
    expect(parseDurationList('12h, 4h,1h')).toEqual([12 * HOUR, 4 * HOUR, HOUR]);
  });

  it('refuses what is not a whole number and a unit', () => {
    for (const text of ['12 hours', '1.5h', '90', 'h', '-5m', '5w', '5M', ''])
      expect(() => parseDuration(text), text).toThrow(/is not a duration like 90s, 5m, 3h, 1d or 500ms/);
  });

  it('names the variable of a bad or zero duration, in a list too', () => {
    const schema = z.object({ SOME_PAUSE: duration.default(MINUTE), SOME_REMINDERS: durationList.default([HOUR]) });
    expect(parseEnv(schema, {})).toEqual({ SOME_PAUSE: MINUTE, SOME_REMINDERS: [HOUR] });
    expect(parseEnv(schema, { SOME_PAUSE: '2d', SOME_REMINDERS: '1d,90s' })).toEqual({
      SOME_PAUSE: 2 * 24 * HOUR,
      SOME_REMINDERS: [24 * HOUR, 90_000],
    });
    expect(() => parseEnv(schema, { SOME_PAUSE: 'soon' })).toThrow(
      /^SOME_PAUSE environment variable is invalid: must be a duration like 90s, 5m, 3h, 1d or 500ms$/,
    );
    expect(() => parseEnv(schema, { SOME_PAUSE: '0s' })).toThrow(
      /^SOME_PAUSE environment variable is invalid: must be longer than zero$/,
    );
    expect(() => parseEnv(schema, { SOME_REMINDERS: '12h,four hours' })).toThrow(
      /^SOME_REMINDERS environment variable is invalid: must be a duration like .*, comma-separated$/,
    );
  });
});

describe('the one boolean parser', () => {
  it('reads true/false, 1/0 and yes/no in any case', () => {
    for (const text of ['true', 'TRUE', '1', 'yes', 'Yes']) expect(parseBoolean(text), text).toBe(true);
    for (const text of ['false', 'False', '0', 'no', 'NO']) expect(parseBoolean(text), text).toBe(false);
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const text of ['on', 'off', 'y', 'enabled', '2', '']) expect(parseBoolean(text), text).toBeUndefined();
    const schema = z.object({ SOME_SWITCH: boolean.default(true) });
    expect(parseEnv(schema, {}).SOME_SWITCH).toBe(true);
    expect(parseEnv(schema, { SOME_SWITCH: 'no' }).SOME_SWITCH).toBe(false);
    expect(() => parseEnv(schema, { SOME_SWITCH: 'on' })).toThrow(
      /^SOME_SWITCH environment variable is invalid: must be true or false \(or 1\/0, yes\/no\), not "on"$/,
    );
  });
});

describe('configuration errors', () => {
  it('name every bad variable of a schema at once, one line each', () => {
    const schema = z.object({ A_PAUSE: duration, B_SWITCH: boolean, C_COUNT: z.coerce.number().int() });
    let error: unknown;
    try {
      parseEnv(schema, { A_PAUSE: 'x', B_SWITCH: 'maybe', C_COUNT: '1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(ReferenceError);
    expect((error as ConfigError).variables).toEqual(['A_PAUSE', 'B_SWITCH']);
    expect((error as ConfigError).message.split('\n')).toEqual([
      'A_PAUSE environment variable is invalid: must be a duration like 90s, 5m, 3h, 1d or 500ms',
      'B_SWITCH environment variable is invalid: must be true or false (or 1/0, yes/no), not "maybe"',
    ]);
  });
});
