import { hashPassword } from '../../console/auth.js';
import { startConsole } from '../../console/index.js';
import { startFileStack } from './stack.js';

/** Test users, one per role; the officer's secret is stored hashed as a deployment would. */
export const CONSOLE_TEST_USERS = `aigerim:officer:${hashPassword('officer-pw')},daniyar:admin:admin-pw,saule:auditor:auditor-pw,erlan:officer:officer2-pw`;
export const PASSWORDS: Record<string, string> = {
  aigerim: 'officer-pw',
  daniyar: 'admin-pw',
  saule: 'auditor-pw',
  erlan: 'officer2-pw',
};

type Stack = Awaited<ReturnType<typeof startFileStack>>;

/**
 * The console over the file stack's pool, Temporal client and task queue: on an ephemeral port unless `port` is
 * given, with the test users and `extraEnv` over the stack's environment.
 */
export async function startTestConsole(
  stack: Stack,
  { port = 0, extraEnv = {} }: { port?: number; extraEnv?: Record<string, string> } = {},
) {
  const env: Record<string, string | undefined> = {
    ...stack.env,
    CONSOLE_USERS: CONSOLE_TEST_USERS,
    CONSOLE_SESSION_SECRET: 'integration-test-session-secret-0123456789',
    ...extraEnv,
  };
  const running = await startConsole(
    { pool: stack.pool, client: stack.client, taskQueue: env.TEMPORAL_TASK_QUEUE!, env },
    { host: '127.0.0.1', port },
  );
  return { ...running, env };
}

/**
 * A file's stack (startFileStack) with the console in front of it: `consoleUrl`, `signIn(...logins)` for sessions in
 * that order, and `stop()` for the console, then the stack.
 */
export async function startConsoleStack(extraEnv: Record<string, string> = {}) {
  const stack = await startFileStack(extraEnv);
  const running = await startTestConsole(stack).catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  return {
    ...stack,
    consoleUrl: running.url,
    signIn: <const L extends readonly string[]>(...logins: L) =>
      Promise.all(logins.map((login) => signIn(running.url, login))) as Promise<{ [K in keyof L]: Session }>,
    async stop() {
      await running.close();
      await stack.stop();
    },
  };
}

export interface Session {
  get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  post(path: string, body?: unknown): Promise<{ status: number; body: any; text: string; headers: Headers }>;
}

/** Signs in through the API and keeps the session cookie, as the page does. */
export async function signIn(baseUrl: string, login: string, password = PASSWORDS[login]!): Promise<Session> {
  const res = await fetch(new URL('/api/login', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${login} → ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return session(baseUrl, { cookie });
}

export function session(baseUrl: string, headers: Record<string, string> = {}): Session {
  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as any, text, headers: res.headers };
  }
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}

export type ConsoleStack = Awaited<ReturnType<typeof startConsoleStack>>;
