import type { ArgsDef, CommandDef } from 'citty';
import { UsageError } from '../client/cli-commands.js';

/**
 * The commands of `esu-bridge`. Each module under cli/commands/ registers its top-level commands here when
 * imported; cli/main.ts imports every module of that folder, so a new command group is one new file and touches
 * nothing else. The registry holds citty command definitions built with `leaf()` (one action) or `group()` (a noun
 * with sub-commands).
 */
const commands = new Map<string, CommandDef<ArgsDef>>();

export function registerCommand(name: string, def: CommandDef<ArgsDef>): void {
  if (commands.has(name)) throw new Error(`esu-bridge: the command "${name}" is registered twice`);
  commands.set(name, def);
}

export function registeredCommands(): Record<string, CommandDef<ArgsDef>> {
  return Object.fromEntries([...commands].sort(([a], [b]) => a.localeCompare(b)));
}

/** What a leaf command's `run` gets: its parsed flags and positionals, and the argv it was given. */
export interface LeafContext {
  args: Record<string, string | boolean | undefined> & { _: string[] };
  rawArgs: string[];
}

/** The exit code of the command that ran last (citty returns only the outermost command's result). */
export const outcome = { exitCode: 0 };

/** `--json`: every command that prints takes it; it prints the data instead of the text for people. */
export const JSON_FLAG = {
  json: { type: 'boolean', description: 'print JSON (the data a script reads) instead of text' },
} as const;

/**
 * One action: its flags are checked strictly before `run` (an unknown flag, a flag that needs a value and has
 * none, or an extra positional argument is a usage error, exit 2, naming it), and `run` returns the exit code.
 */
export function leaf<const T extends ArgsDef>(def: {
  name: string;
  description: string;
  args: T;
  run: (ctx: LeafContext) => Promise<number>;
}): CommandDef<ArgsDef> {
  return {
    meta: { name: def.name, description: def.description },
    args: def.args,
    run: async ({ args, rawArgs }) => {
      checkStrictly(def.args, args as unknown as LeafContext['args'], rawArgs);
      outcome.exitCode = await def.run({ args: args as unknown as LeafContext['args'], rawArgs });
    },
  };
}

/** What a command reports: the data `--json` prints (for a script), and the text for people. */
export interface Report {
  data: unknown;
  text: string;
}

/** A command that prints one report and exits 0: with `--json` (added to its flags) the data, else the text. */
export function reportLeaf<const T extends ArgsDef>(def: {
  name: string;
  description: string;
  args?: T;
  report: (ctx: LeafContext) => Promise<Report>;
}): CommandDef<ArgsDef> {
  return leaf({
    name: def.name,
    description: def.description,
    args: { ...def.args, ...JSON_FLAG },
    run: async (ctx) => {
      const { data, text } = await def.report(ctx);
      console.log(ctx.args.json ? JSON.stringify(data, null, 2) : text);
      return 0;
    },
  });
}

/** A noun with sub-commands (`journal verify`, `incident open`). */
export function group(def: {
  name: string;
  description: string;
  subCommands: Record<string, CommandDef<ArgsDef>>;
}): CommandDef<ArgsDef> {
  return { meta: { name: def.name, description: def.description }, subCommands: def.subCommands };
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function checkStrictly(defs: ArgsDef, args: LeafContext['args'], rawArgs: string[]): void {
  const flags = new Map<string, string>(); // spelling → type
  let positionals = 0;
  for (const [name, d] of Object.entries(defs)) {
    if (d.type === 'positional') {
      positionals++;
      continue;
    }
    for (const spelling of [name, kebab(name), ...[('alias' in d ? d.alias : undefined) ?? []].flat()])
      flags.set(spelling, d.type ?? 'boolean');
  }
  flags.set('help', 'boolean').set('h', 'boolean');
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i]!;
    if (token === '--') break;
    if (!token.startsWith('-') || token === '-') continue;
    const [spelled] = token.replace(/^-{1,2}/, '').split('=', 1) as [string];
    const name = flags.has(spelled)
      ? spelled
      : spelled.startsWith('no-') && flags.get(spelled.slice(3)) === 'boolean'
        ? spelled.slice(3)
        : undefined;
    if (!name) throw new UsageError(`unknown option ${token.split('=', 1)[0]}`);
    if (flags.get(name) !== 'boolean' && !token.includes('=')) i++; // its value
  }
  for (const [name, d] of Object.entries(defs)) {
    if ((d.type === 'string' || d.type === 'enum') && args[name] === '')
      throw new UsageError(`--${name} needs a value`);
  }
  const extra = args._.slice(positionals);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
}

/** A flag's value when it is a string (citty leaves an absent flag undefined). */
export function str(args: LeafContext['args'], name: string): string | undefined {
  const v = args[name];
  return typeof v === 'string' ? v : undefined;
}
