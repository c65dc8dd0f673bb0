import { z } from 'zod';
import { DURATION_EXAMPLE, parseDuration, parseDurationList } from '../domain/duration.js';

/**
 * What every topic of config/ shares: the environment's type, the error that names each bad variable, and the one
 * duration format and boolean parser every variable uses.
 */
export type Env = Record<string, string | undefined>;

/** One bad variable: `invalid: must be …` or `not defined (…)`, as the message says it after "environment variable is". */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/**
 * A configuration esu-bridge cannot start with. One line per bad variable, each
 * `<VARIABLE> environment variable is invalid: <why>`, so one start names every variable to fix.
 */
export class ConfigError extends ReferenceError {
  declare readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.variable} environment variable is ${p.problem}`).join('\n'));
    // Not enumerable: printed or compared, the error is its message, as a plain ReferenceError is.
    Object.defineProperty(this, 'problems', { value: problems, enumerable: false });
  }

  /** The variables named, in order. */
  get variables(): string[] {
    return this.problems.map((p) => p.variable);
  }
}

export const invalid = (variable: string, why: string) => new ConfigError([{ variable, problem: `invalid: ${why}` }]);
export const notDefined = (variable: string, hint: string) =>
  new ConfigError([{ variable, problem: `not defined (${hint})` }]);

/** Parses the environment with a topic's schema; every variable that fails is named, not only the first. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(environment)');
    if (!problems.has(variable)) problems.set(variable, `invalid: ${issue.message}`);
  }
  throw new ConfigError([...problems].map(([variable, problem]) => ({ variable, problem })));
}

/**
 * Runs each reader and throws one ConfigError naming every bad variable of all of them (other errors pass through).
 * Returns the readers' results in order when none failed.
 */
export function collect<T extends readonly (() => unknown)[]>(
  ...readers: T
): { [K in keyof T]: T[K] extends () => infer R ? R : never } {
  const problems: ConfigProblem[] = [];
  const results = readers.map((read) => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return results as { [K in keyof T]: T[K] extends () => infer R ? R : never };
}

/** Production mode is NODE_ENV=production (the Dockerfile sets it); anything else is development. */
export function isProduction(env: Env = process.env): boolean {
  return env.NODE_ENV === 'production';
}

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];

/** `true/false`, `1/0`, `yes/no` (any case); undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE.includes(word) ? true : FALSE.includes(word) ? false : undefined;
}

/** The one boolean of the environment: true/false, 1/0 or yes/no; anything else is refused naming the variable. */
export const boolean = z.string().transform((text, ctx) => {
  const value = parseBoolean(text);
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be true or false (or 1/0, yes/no), not "${text}"` });
    return z.NEVER;
  }
  return value;
});

/** A duration variable in milliseconds, longer than zero. */
export const duration = z.string().transform((text, ctx) => {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
    ctx.addIssue({ code: 'custom', message: 'must be longer than zero' });
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be ${DURATION_EXAMPLE}` });
  }
  return z.NEVER;
});

/** Comma-separated durations (`12h,4h,1h`), in milliseconds, at least one. */
export const durationList = z.string().transform((text, ctx) => {
  try {
    const list = parseDurationList(text);
    if (list.length && list.every((ms) => ms > 0)) return list;
    ctx.addIssue({ code: 'custom', message: 'must be at least one duration longer than zero' });
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be ${DURATION_EXAMPLE}, comma-separated` });
  }
  return z.NEVER;
});

export const optionalPath = z.string().min(1).optional();
