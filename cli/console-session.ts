import { runCommand } from '../client/cli-commands.js';
import { consoleCredentials } from './console-credentials.js';
import { remoteConsole } from './console-remote.js';

/**
 * The compliance console's actions from a terminal (client/cli-commands.ts does each one): calls of the console's
 * API with the token `esu-bridge login` stored (or ESU_BRIDGE_CONSOLE_TOKEN / ESU_BRIDGE_CONSOLE_URL). The console
 * decides who acts and with which role, and journals each one as it does the web console's. Prints the result (JSON
 * with --json) and returns the exit code.
 */
export async function consoleAction(
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
): Promise<number> {
  const remote = remoteConsole(await consoleCredentials());
  const me = await remote.me(); // the token is checked first: a 401 names why before anything else is sent
  const actor = { login: me.login, role: me.role };
  const result = await runCommand({ actor, service: remote.service, journal: remote.journal, positionals, flags });
  console.log(flags.json ? JSON.stringify(result.data, null, 2) : result.text);
  return result.exitCode ?? 0;
}
