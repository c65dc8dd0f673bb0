import { z } from 'zod';

/**
 * zod's calendar-date format, each schema with a RegExp of its own.
 *
 * zod's built-in formats (`z.iso.date()`, `z.email()`, `z.uuid()`'s relatives, …) share one RegExp per format, and zod
 * resets its `lastIndex` on every parse. The saga worker shares zod between workflows and the Temporal SDK
 * freezes what is shared (workflows/shared-modules.ts), so inside a workflow those parses throw. ESLint refuses the
 * built-ins in domain/ and workflows/; this is the same check, messages and JSON Schema. (zod reads `pattern` for
 * every format, `def.pattern ?? regexes.date`; its types offer it on a few only, hence the object passed whole.)
 */
export function isoDate(params: { error?: string } = {}) {
  const withPattern = { ...params, pattern: new RegExp(z.regexes.date) };
  return z.iso.date(withPattern);
}
