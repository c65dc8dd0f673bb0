import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFUSED_ON_DEFAULTS } from '../support/unit-production.js';

/**
 * The entry points themselves, as the Dockerfile runs them (`node --import tsx …`, NODE_ENV=production): on
 * development secrets they must stop before touching Temporal or PostgreSQL and name every variable at once.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Nothing listens on port 1: an entry point that got past its checks fails connecting, not on configuration.
const UNREACHABLE = {
  DATABASE_URL: 'postgres://esu:db-password-not-to-print@127.0.0.1:1/esu_bridge',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
};

function run(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', entry, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/**
 * Expects the entry point refused at start: exit code 1, `startLine` (what it prints once started) never
 * printed, and every variable it names on the development defaults named on stderr.
 */
function expectRefusedAtStart(
  { code, stdout, stderr }: Awaited<ReturnType<typeof run>>,
  entry: keyof typeof REFUSED_ON_DEFAULTS,
  startLine: string,
) {
  expect(code).toBe(1);
  expect(stdout).not.toContain(startLine);
  for (const variable of REFUSED_ON_DEFAULTS[entry]) expect(stderr, variable).toContain(`${variable}:`);
}

describe('production entry points', () => {
  it('the worker refuses to start on development secrets, naming every variable, and prints none of them', async () => {
    const bettorRefKey = 'dev-only-bettor-ref-key-change-me';
    const result = await run('workers/main.ts', {
      NODE_ENV: 'production',
      ...UNREACHABLE,
      BETTOR_REF_KEY: bettorRefKey,
      ESU_BASE_URL: 'http://esu.example.kz',
    });

    expectRefusedAtStart(result, 'worker', 'worker starting');
    const { stdout, stderr } = result;
    expect(stderr).toContain('ProductionConfigError');
    expect(stderr).not.toContain(bettorRefKey);
    expect(stderr + stdout).not.toContain('db-password-not-to-print');
  });

  it('the console refuses development users and session secret, naming each', async () => {
    const result = await run('console/main.ts', {
      NODE_ENV: 'production',
      ...UNREACHABLE,
      CONSOLE_USERS: 'aigerim:officer:plain-password-1',
    });

    expectRefusedAtStart(result, 'console', 'listening');
    const { stderr } = result;
    expect(stderr).toContain('plain-text passwords for aigerim');
    expect(stderr).not.toContain('plain-password-1');
  });

  it("the API refuses to start without AFM's certificate and its CA, naming them", async () => {
    expectRefusedAtStart(await run('api/main.ts', { NODE_ENV: 'production', ...UNREACHABLE }), 'api', 'listening');
  });

  it('the CLI acts only with a token the console issued, sent over HTTPS in production, and still hashes a password', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'esu-cli-home-'));
    const noLogin = { NODE_ENV: 'production', ...UNREACHABLE, HOME: home, XDG_CONFIG_HOME: home };
    const selfAsserted = await run(
      'cli/main.ts',
      { ...noLogin, CONSOLE_USER: 'officer', CONSOLE_PASSWORD: 'officer' },
      ['list', 'submissions'],
    );
    expect(selfAsserted.code).toBe(5);
    expect(selfAsserted.stderr).toContain('not signed in: run esu-bridge login');
    const inClear = await run(
      'cli/main.ts',
      {
        ...noLogin,
        ESU_BRIDGE_CONSOLE_URL: 'http://console.example.kz',
        ESU_BRIDGE_CONSOLE_TOKEN: `ebt_${'A'.repeat(43)}`,
      },
      ['list', 'submissions'],
    );
    expect(inClear.code).toBe(2);
    expect(inClear.stderr).toContain('ESU_BRIDGE_CONSOLE_URL: must be https in production');

    const hashed = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', 'console', 'hash-password'],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' } },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
      child.stdin!.end('a-strong-password');
    });
    expect(hashed).toMatch(/^scrypt\$N=131072:r=8:p=1\$[0-9a-f]{32}\$[0-9a-f]{64}/);
  });
});
