import { beforeAll } from 'vitest';
import { hashPassword } from '../../console/auth.js';
import { startConsole } from '../../console/index.js';
import { startFileStack, startFrontedStack, useStarted } from './stack.js';

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
  const { front: running, ...stack } = await startFrontedStack(extraEnv, (stack) => startTestConsole(stack));
  return {
    ...stack,
    consoleUrl: running.url,
    signIn: <const L extends readonly string[]>(...logins: L) =>
      Promise.all(logins.map((login) => signIn(running.url, login))) as Promise<{ [K in keyof L]: Session }>,
  };
}

export interface ConsoleAnswer {
  status: number;
  /** The answer's JSON; undefined when it is not JSON. */
  body: any;
  text: string;
  headers: Headers;
}

export interface Session {
  get(path: string): Promise<ConsoleAnswer>;
  post(path: string, body?: unknown): Promise<ConsoleAnswer>;
}

/** One call of the console, `body` sent as it is (with JSON's content type when there is one). */
export async function callConsole(
  baseUrl: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<ConsoleAnswer> {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body,
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

/** Signs in through the API: the session cookie (`name=value`) the console set. */
export async function signInCookie(baseUrl: string, login: string, password = PASSWORDS[login]!): Promise<string> {
  const res = await callConsole(baseUrl, 'POST', '/api/login', JSON.stringify({ login, password }));
  if (res.status !== 200) throw new Error(`sign-in of ${login} → ${res.status} ${res.text}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** Signs in through the API and keeps the session cookie, as the page does. */
export async function signIn(baseUrl: string, login: string, password = PASSWORDS[login]!): Promise<Session> {
  return session(baseUrl, { cookie: await signInCookie(baseUrl, login, password) });
}

/** Calls of the console with `headers` (a session's cookie, an authorization); a POST's body sent as JSON. */
export function session(baseUrl: string, headers: Record<string, string> = {}): Session {
  return {
    get: (path) => callConsole(baseUrl, 'GET', path, undefined, headers),
    post: (path, body) => callConsole(baseUrl, 'POST', path, JSON.stringify(body ?? {}), headers),
  };
}

export type ConsoleStack = Awaited<ReturnType<typeof startConsoleStack>>;

/**
 * The file's console stack, set by `useConsoleStack()` before its first test (a live binding: read it inside tests
 * and hooks).
 */
export let consoleStack: ConsoleStack;

/** Starts the file's console stack (`startConsoleStack(extraEnv)`) before its tests, stops it after them (`useStarted`). */
export function useConsoleStack(extraEnv: Record<string, string> = {}, timeoutMs?: number): void {
  useStarted({ start: () => startConsoleStack(extraEnv), started: (started) => (consoleStack = started), timeoutMs });
}

/** A session of `login` on the file's console stack, signed in before the file's tests (after `useConsoleStack()`). */
export function signedIn(login: string): Session {
  let signed: Session;
  beforeAll(async () => {
    signed = await signIn(consoleStack.consoleUrl, login);
  });
  return { get: (path) => signed.get(path), post: (path, body) => signed.post(path, body) };
}
