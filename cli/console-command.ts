import type { ArgsDef, CommandDef } from 'citty';
import { JSON_FLAG, leaf, str, type LeafContext } from './registry.js';

/** Runs a console action (cli/console-session.ts, loaded only when one runs, so that --help stays quick). */
export async function runConsole(positionals: string[], ctx: LeafContext): Promise<number> {
  const { consoleAction } = await import('./console-session.js');
  return consoleAction(positionals, ctx.args);
}

/**
 * A command that is one console action: its flags and `--json`, and the action's words (`incident amend`; by
 * default the command's name) followed by its positional arguments in the order they are declared, so
 * `show <inbox> <id>` runs the console's `show inbox id`.
 */
export function consoleLeaf<const T extends ArgsDef>(def: {
  name: string;
  description: string;
  args: T;
  action?: string[];
}): CommandDef<ArgsDef> {
  const positionals = Object.keys(def.args).filter((name) => def.args[name]!.type === 'positional');
  const words = def.action ?? [def.name];
  return leaf({
    name: def.name,
    description: def.description,
    args: { ...def.args, ...JSON_FLAG },
    run: (ctx) => runConsole([...words, ...positionals.map((name) => str(ctx.args, name) ?? '')], ctx),
  });
}
