import { z } from 'zod';

/**
 * What every workflow on a worker shares instead of evaluating it again: zod. The worker loads this module once,
 * before any workflow exists (the SDK's `preloadModules`, workers/sagas.ts `SAGA_BUNDLE`).
 *
 * In the worker's reusable V8 context each workflow gets its own copy of the bundle's modules, so without this
 * every workflow started evaluates zod afresh and builds its schemas with cold code: about half of what it costs
 * to start a workflow (`npm run bench:workflow-modules`). zod keeps no state for one workflow (no registry is used
 * in workflows/ or domain/), so one copy serves them all.
 *
 * The SDK freezes what is preloaded, and zod sets three defaults on first use (its English messages, its memoizer,
 * whether it may compile parsers). They are set here, by building one schema and using it, while zod can still
 * be written to. zod's built-in formats share one RegExp each, frozen too, which zod writes on every parse: in
 * domain/ and workflows/ every format has a RegExp of its own (domain/formats.ts; ESLint refuses the built-ins). Importing zod alone would not do: its package declares no side effects, so the bundler drops
 * an import whose value is not used.
 */
const Warm = z.strictObject({ text: z.string().min(1).optional(), counts: z.array(z.number().int()) });
Warm.safeParse({ text: 'x', counts: [1] });
Warm.safeParse({ text: '', counts: ['1'], extra: true });
void z.core.util.allowsEval.value;

export const sharedModules = { zod: z };
