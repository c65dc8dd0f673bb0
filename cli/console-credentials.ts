import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConsoleError } from '../console/audit.js';

/**
 * Where the CLI keeps the token `esu-bridge login` obtained: `$XDG_CONFIG_HOME/esu-bridge/console.json` (default
 * ~/.config), mode 0600, with the console's URL. ESU_BRIDGE_CONSOLE_TOKEN and ESU_BRIDGE_CONSOLE_URL override it.
 */
type Env = Record<string, string | undefined>;

export const DEFAULT_CONSOLE_URL = 'http://127.0.0.1:8090';

const Stored = z.object({
  url: z.url(),
  token: z.string().min(1),
  login: z.string().optional(),
  role: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type StoredCredentials = z.infer<typeof Stored>;

export function credentialsPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'esu-bridge', 'console.json');
}

async function readStored(env: Env): Promise<StoredCredentials | undefined> {
  const file = credentialsPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = Stored.safeParse(JSON.parse(text));
  if (!parsed.success) throw new ConsoleError('INVALID', `${file}: not a login of esu-bridge (run esu-bridge login)`);
  return parsed.data;
}

/**
 * A console URL the CLI may send a password or a token to: http(s), and in production https unless the console
 * is on this machine (loopback), so that neither travels in clear.
 */
function checkedUrl(raw: string, from: string, env: Env): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConsoleError('INVALID', `${from}: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConsoleError('INVALID', `${from}: "${raw}" is not an http(s) URL`);
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
  if (env.NODE_ENV === 'production' && url.protocol === 'http:' && !loopback)
    throw new ConsoleError('INVALID', `${from}: must be https in production (the token would travel in clear)`);
  return raw.replace(/\/+$/, '');
}

/** The console to call and the token to send: the environment's, else the stored login's. */
export async function consoleCredentials(env: Env = process.env): Promise<{ url: string; token: string }> {
  const stored = await readStored(env);
  const token = env.ESU_BRIDGE_CONSOLE_TOKEN || stored?.token;
  if (!token)
    throw new ConsoleError(
      'UNAUTHENTICATED',
      'not signed in: run esu-bridge login (or set ESU_BRIDGE_CONSOLE_TOKEN to a token the console issued)',
    );
  const from = env.ESU_BRIDGE_CONSOLE_URL ? 'ESU_BRIDGE_CONSOLE_URL' : stored ? credentialsPath(env) : 'the default';
  return { url: checkedUrl(env.ESU_BRIDGE_CONSOLE_URL || stored?.url || DEFAULT_CONSOLE_URL, from, env), token };
}

/** The console's URL for `login`: --console, else ESU_BRIDGE_CONSOLE_URL, else the stored one, else the default. */
export async function consoleUrl(flag: string | undefined, env: Env = process.env): Promise<string> {
  const raw =
    flag || env.ESU_BRIDGE_CONSOLE_URL || (await readStored(env).catch(() => undefined))?.url || DEFAULT_CONSOLE_URL;
  return checkedUrl(raw, flag ? '--console' : 'ESU_BRIDGE_CONSOLE_URL', env);
}

export async function storeCredentials(credentials: StoredCredentials, env: Env = process.env): Promise<string> {
  const file = credentialsPath(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written 0600 from the start (and again, should the file have existed with wider rights).
  await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/** Deletes the stored login; true when there was one. */
export async function forgetCredentials(env: Env = process.env): Promise<boolean> {
  const file = credentialsPath(env);
  const existed = (await readStored(env).catch(() => ({}))) !== undefined;
  await rm(file, { force: true });
  return existed;
}
