import { z } from 'zod';

/**
 * Free text that arrives from outside (a bookmaker service, the console, a migration file) ends up in
 * PostgreSQL, in ESU and AFM records, in the compliance console and in CSV exports of the journal. Some
 * characters break one of those or mislead the person reading:
 * - NUL: PostgreSQL `text` cannot hold it (SQLSTATE 22021), so the step that stores it fails on every retry;
 * - an unpaired surrogate half is not Unicode at all: it becomes U+FFFD on its way to UTF-8, silently;
 * - control characters (C0 other than tab and line breaks in multi-line fields, DEL, C1, U+2028/U+2029)
 *   forge lines in logs and exports;
 * - bidirectional formatting characters reorder what a reader sees ("Trojan Source", CVE-2021-42574), so an
 *   officer could read another name, amount or reason than the one stored.
 * Text with any of them is refused, naming the character and where it is, rather than cleaned: a changed
 * value is worse than a refused one in a record that goes to the regulator.
 */

/** U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069: the marks, embeddings, overrides and isolates. */
const BIDI_FORMATTING = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** Everything in Unicode's Cc category, and the line and paragraph separators. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const MULTILINE_WHITESPACE = new Set(['\t', '\n', '\r']);

export interface TextOptions {
  /** Tab, LF and CR are allowed (notes, card descriptions); everywhere else a line break is refused. */
  multiline?: boolean;
}

const codePoint = (unit: number) => `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with `value` as free text, or `undefined` when nothing is. The position is the index of the
 * offending UTF-16 code unit (what `value[i]` reads in JavaScript), counted from 0. The message never
 * repeats the text itself: it may be personal data.
 */
export function textProblem(value: string, options: TextOptions = {}): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a proper pair: one character outside the Basic Multilingual Plane
        continue;
      }
      return `must not contain an unpaired surrogate (${codePoint(unit)} at ${i})`;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return `must not contain an unpaired surrogate (${codePoint(unit)} at ${i})`;
    const char = value[i]!;
    if (unit === 0) return `must not contain a NUL character (U+0000 at ${i})`;
    if (CONTROL.test(char) && !(options.multiline && MULTILINE_WHITESPACE.has(char))) {
      return `must not contain control or bidirectional formatting characters (${codePoint(unit)} at ${i})`;
    }
    if (BIDI_FORMATTING.test(char))
      return `must not contain control or bidirectional formatting characters (${codePoint(unit)} at ${i})`;
  }
  return undefined;
}

/** The shared refinement, for any string schema: `z.string().max(200).check(safeText())`. */
export function safeText(options: TextOptions = {}) {
  return z.superRefine<string>((value, ctx) => {
    const problem = textProblem(value, options);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/**
 * A single-line free-text field of at most `max` characters (empty allowed unless `min` says otherwise),
 * refused when it carries NUL, an unpaired surrogate, a control or a bidirectional formatting character.
 */
export function Text(max: number, options: TextOptions & { min?: number } = {}) {
  const base = z.string().check(safeText(options));
  const bounded = options.min
    ? base.min(options.min, options.min === 1 ? 'must not be empty' : `must be at least ${options.min} characters`)
    : base;
  return bounded.max(max, `must be at most ${max} characters`);
}

/** The same, where tab and line breaks belong: notes, descriptions, reasons. */
export const MultilineText = (max: number, options: { min?: number } = {}) =>
  Text(max, { ...options, multiline: true });

/**
 * Text a counterpart sent us, made safe to pass on (into a failure message, a stored rejection reason): each
 * character `textProblem` would refuse becomes U+FFFD. We refuse bad text from those who ask us; we do not
 * refuse a counterpart's answer for it, since a counterpart's odd reason text must not stop a saga.
 */
export function plainTextOf(value: string, options: TextOptions = { multiline: true }): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i++;
      } else out += '\uFFFD';
      continue;
    }
    const char = value[i]!;
    out += textProblem(char, options) === undefined ? char : '\uFFFD';
  }
  return out;
}
