import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArgsDef, CommandDef } from 'citty';
import { ConsoleError, type ConsoleErrorCode } from '../console/audit.js';
import { UsageError } from '../client/cli-commands.js';
import { InvalidRequestError } from '../client/errors.js';
import { StepRejectedError } from '../client/identification.js';
import { outcome, registeredCommands } from './registry.js';

/**
 * `esu-bridge <command>` (package.json `bin`, bin/esu-bridge.js): every command of the bridge in one CLI on citty.
 * The commands are the modules of cli/commands/, each registering itself; `esu-bridge <command> --help` shows one.
 */
export const EXIT_CODES = `Exit codes (every command):
  0  done
  1  unexpected failure: the console, the API, PostgreSQL or Temporal unreachable, an SQL error, a file not written
  2  usage, invalid input or configuration wrong (the message names the flag, field or variable)
  3  refused by a rule (console) · restore: a backup file or the restored data do not verify
  4  not found (console, migration) · restore refused: the target database is not empty, or the backup's schema is newer
  5  not signed in (esu-bridge login), the token expired, revoked or unknown, or not allowed for the user's role;
     migration: ESU_BRIDGE_API_KEY unknown to the API or without the migrations scopes
  6  not available yet (a counterpart's inbox that is not there, rate-limited)
  7  the journal verification found tampering
  8  reconcile: the day has open differences`;

const CONSOLE_EXIT: Record<ConsoleErrorCode, number> = {
  INVALID: 2,
  REFUSED: 3,
  NOT_FOUND: 4,
  UNAUTHENTICATED: 5,
  FORBIDDEN: 5,
  TOO_MANY: 6,
  UNAVAILABLE: 6,
  FAILED: 1,
};

const here = path.dirname(fileURLToPath(import.meta.url));
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, ''); // citty colours some messages

async function loadCommands(): Promise<CommandDef<ArgsDef>> {
  const dir = path.join(here, 'commands');
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) await import(pathToFileURL(path.join(dir, file)).href);
  return {
    meta: {
      name: 'esu-bridge',
      description: 'the ESU bridge from a terminal: console actions, schema, backups, retention, migrations, keys',
    },
    args: { json: { type: 'boolean', description: 'print JSON instead of text (after the command)' } },
    subCommands: registeredCommands(),
  };
}

/** The command a path of positionals names, and its parent: for --help and for the usage after a usage error. */
async function resolve(
  root: CommandDef<ArgsDef>,
  argv: string[],
): Promise<[CommandDef<ArgsDef>, CommandDef<ArgsDef> | undefined]> {
  let cmd = root;
  let parent: CommandDef<ArgsDef> | undefined;
  for (const word of argv.filter((a) => !a.startsWith('-'))) {
    const subs = cmd.subCommands as Record<string, CommandDef<ArgsDef>> | undefined;
    const next = subs?.[word];
    if (!next) break;
    [parent, cmd] = [cmd, next];
  }
  return [cmd, parent];
}

export async function runCli(argv: string[]): Promise<number> {
  if (!process.stdout.isTTY) process.env.NO_COLOR ??= '1';
  const { renderUsage, runCommand } = await import('citty');
  const root = await loadCommands();
  const usage = async () => {
    const [cmd, parent] = await resolve(root, argv);
    return (
      plain(await renderUsage(cmd, parent)) +
      (cmd === root ? `\n\n${EXIT_CODES}` : '\n\nExit codes: see esu-bridge --help.')
    );
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(await usage());
    return 0;
  }
  if (!argv.length) {
    console.error(await usage());
    return 2;
  }
  const json = argv.includes('--json');
  try {
    outcome.exitCode = 0;
    const first = argv.find((a) => !a.startsWith('-'));
    if (first && !(first in (root.subCommands as object))) throw new UsageError(`unknown command "${first}"`);
    await runCommand(root, { rawArgs: argv });
    return outcome.exitCode;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const cliUsage = (err as Error)?.name === 'CLIError' && typeof code === 'string' && code.startsWith('E');
    if (err instanceof UsageError || cliUsage) {
      console.error(`${plain((err as Error).message)}\n\n${await usage()}`);
      return 2;
    }
    if (err instanceof InvalidRequestError || err instanceof StepRejectedError) {
      console.error(
        json ? JSON.stringify({ error: { code: 'INVALID', message: err.message } }) : `INVALID: ${err.message}`,
      );
      return 2;
    }
    const error = err instanceof ConsoleError ? err : new ConsoleError('FAILED', (err as Error)?.stack ?? String(err));
    if (json)
      console.error(JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } }));
    else console.error(`${error.code}: ${error.message}`);
    return CONSOLE_EXIT[error.code];
  }
}

/** For the entry files: run, then exit with the code (the Temporal connection and the pool are closed by then). */
export function main(argv: string[]): void {
  runCli(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]).replace(/\.(ts|js)$/, '') === fileURLToPath(import.meta.url).replace(/\.(ts|js)$/, '')
) {
  main(process.argv.slice(2));
}
