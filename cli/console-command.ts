import type { LeafContext } from './registry.js';

/** Runs a console action (cli/console-session.ts, loaded only when one runs, so that --help stays quick). */
export async function runConsole(positionals: string[], ctx: LeafContext): Promise<number> {
  const { consoleAction } = await import('./console-session.js');
  return consoleAction(positionals, ctx.args);
}
