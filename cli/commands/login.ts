import { createInterface } from 'node:readline/promises';
import { UsageError } from '../../client/cli-commands.js';
import { JSON_FLAG, leaf, registerCommand, reportLeaf, str } from '../registry.js';

/**
 * Signing the CLI in to the compliance console: `login` signs in through the console's /api/login and stores the
 * token the console issues (cli/console-credentials.ts); `whoami` asks the console who that token is; `logout`
 * revokes it and deletes it. The password is read from stdin or from a prompt that does not echo, never from argv.
 */
async function readAllStdin(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
}

async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** A password typed at a terminal, not echoed. */
function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (input: string) => {
      for (const c of input) {
        if (c === '\r' || c === '\n') return (done(), resolve(value));
        if (c === '\u0003' || c === '\u0004') return (done(), reject(new UsageError('login cancelled')));
        value = c === '\u007f' || c === '\b' ? value.slice(0, -1) : value + c;
      }
    };
    stdin.on('data', onData);
  });
}

/** The login (--user, else the first line) and the password (the next line; on a terminal, prompts). */
async function credentials(user: string | undefined): Promise<{ login: string; password: string }> {
  if (process.stdin.isTTY) {
    const login = user ?? (await prompt('login: ')).trim();
    return { login, password: await promptHidden(`password for ${login}: `) };
  }
  const lines = await readAllStdin();
  const login = user ?? lines.shift()?.trim() ?? '';
  const password = lines.shift() ?? '';
  if (!login) throw new UsageError('login: give --user or the login on the first line of stdin');
  if (!password)
    throw new UsageError('login: the password is read from stdin (the line after the login without --user)');
  return { login, password };
}

const setCookie = (headers: Record<string, string | string[] | undefined>) =>
  [headers['set-cookie'] ?? []].flat()[0]?.split(';')[0];

registerCommand(
  'login',
  reportLeaf({
    name: 'login',
    description:
      'sign in to the compliance console and keep the token it issues ($XDG_CONFIG_HOME/esu-bridge/console.json, 0600); the password from stdin or a prompt',
    args: {
      console: {
        type: 'string',
        description: "the console's URL (default ESU_BRIDGE_CONSOLE_URL, else http://127.0.0.1:8090)",
      },
      user: { type: 'string', description: 'the login (default: asked, or the first line of stdin)' },
    },
    report: async ({ args }) => {
      const { consoleUrl, storeCredentials } = await import('../console-credentials.js');
      const { consoleCall } = await import('../console-remote.js');
      const url = await consoleUrl(str(args, 'console'));
      const { login, password } = await credentials(str(args, 'user'));
      const signedIn = await consoleCall<{ login: string; role: string }>({ url }, 'POST', '/api/login', {
        body: { login, password },
      });
      const cookie = setCookie(signedIn.headers);
      if (!cookie) throw new Error(`the console at ${url} signed ${login} in without a session cookie`);
      const session = { url, headers: { cookie } };
      const { data: issued } = await consoleCall<{
        token: string;
        login: string;
        role: string;
        expiresAt: string;
        tokenId: string;
      }>(session, 'POST', '/api/cli-tokens');
      // The web session was only the way to the token: it ends here.
      await consoleCall(session, 'POST', '/api/logout').catch(() => undefined);
      const file = await storeCredentials({
        url,
        token: issued.token,
        login: issued.login,
        role: issued.role,
        expiresAt: issued.expiresAt,
      });
      const shown = {
        url,
        login: issued.login,
        role: issued.role,
        expiresAt: issued.expiresAt,
        tokenId: issued.tokenId,
        file,
      };
      return {
        data: shown,
        text: `signed in to ${url} as ${issued.login} (${issued.role}); the token holds until ${issued.expiresAt}, kept in ${file}`,
      };
    },
  }),
);

registerCommand(
  'whoami',
  reportLeaf({
    name: 'whoami',
    description: "who the console says the CLI's token is: login, role, permissions, when the token expires",
    report: async () => {
      const { consoleCredentials } = await import('../console-credentials.js');
      const { remoteConsole } = await import('../console-remote.js');
      const conn = await consoleCredentials();
      const me = await remoteConsole(conn).me();
      return {
        data: { url: conn.url, ...me },
        text: `${me.login} (${me.role}) at ${conn.url}${me.permissions ? `: ${me.permissions.join(', ')}` : ''}${me.token ? `; token ${me.token.tokenId} until ${me.token.expiresAt}` : ''}`,
      };
    },
  }),
);

registerCommand(
  'logout',
  leaf({
    name: 'logout',
    description: 'revoke the token at the console and delete the stored one',
    args: { ...JSON_FLAG },
    run: async ({ args }) => {
      const { consoleCredentials, credentialsPath, forgetCredentials } = await import('../console-credentials.js');
      const { consoleCall } = await import('../console-remote.js');
      const { ConsoleError } = await import('../../console/audit.js');
      const conn = await consoleCredentials();
      let revoked: string;
      try {
        await consoleCall(conn, 'DELETE', '/api/cli-tokens/current');
        revoked = 'revoked';
      } catch (err) {
        // A token the console no longer takes (expired, revoked) is deleted all the same.
        if (!(err instanceof ConsoleError && err.code === 'UNAUTHENTICATED')) throw err;
        revoked = `not valid any more (${err.message})`;
      }
      const deleted = await forgetCredentials();
      console.log(
        args.json
          ? JSON.stringify({
              url: conn.url,
              revoked: revoked === 'revoked',
              deleted: deleted ? credentialsPath() : null,
            })
          : `token ${revoked}${deleted ? `; ${credentialsPath()} deleted` : ''}`,
      );
      return 0;
    },
  }),
);
