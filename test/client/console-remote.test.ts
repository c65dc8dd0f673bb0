import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  consoleCredentials,
  consoleUrl,
  credentialsPath,
  forgetCredentials,
  storeCredentials,
} from '../../cli/console-credentials.js';
import { problemError } from '../../cli/console-remote.js';

/** The CLI's side of the console's API: where its token is kept, and how the console's problems come back. */
describe('CLI credentials', () => {
  it('keeps the token 0600 under XDG_CONFIG_HOME, and the environment overrides it', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'esu-cred-'));
    const env = { XDG_CONFIG_HOME: home };
    await expect(consoleCredentials(env)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const file = await storeCredentials({ url: 'http://127.0.0.1:8090', token: 'ebt_stored' }, env);
    expect(file).toBe(path.join(home, 'esu-bridge', 'console.json'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await consoleCredentials(env)).toEqual({ url: 'http://127.0.0.1:8090', token: 'ebt_stored' });
    expect(
      await consoleCredentials({
        ...env,
        ESU_BRIDGE_CONSOLE_TOKEN: 'ebt_env',
        ESU_BRIDGE_CONSOLE_URL: 'https://c.kz/',
      }),
    ).toEqual({ url: 'https://c.kz', token: 'ebt_env' });
    expect(await forgetCredentials(env)).toBe(true);
    expect(await forgetCredentials(env)).toBe(false);
    expect(credentialsPath({ HOME: '/home/officer' })).toBe('/home/officer/.config/esu-bridge/console.json');
  });

  it('sends a token in production only over https, or to a console on this host', async () => {
    const production = { NODE_ENV: 'production', XDG_CONFIG_HOME: '/nonexistent' };
    await expect(consoleUrl('http://console.example.kz', production)).rejects.toThrow(
      '--console: must be https in production',
    );
    expect(await consoleUrl('http://127.0.0.1:8090/', production)).toBe('http://127.0.0.1:8090');
    expect(await consoleUrl('https://console.example.kz', production)).toBe('https://console.example.kz');
    await expect(consoleUrl('ftp://x', {})).rejects.toMatchObject({ code: 'INVALID' });
  });
});

describe("the console's problems as the CLI's errors", () => {
  it('keeps the code the console gave, else reads it from the status', () => {
    const body = JSON.stringify({ error: { code: 'REFUSED', message: 'row 6 symptoms: required', details: { a: 1 } } });
    expect(problemError(409, body)).toMatchObject({
      code: 'REFUSED',
      message: 'row 6 symptoms: required',
      details: { a: 1 },
    });
    expect(problemError(401, 'no json')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(problemError(404, '')).toMatchObject({ code: 'NOT_FOUND' });
    expect(problemError(502, '<html>bad gateway</html>')).toMatchObject({
      code: 'FAILED',
      message: expect.stringContaining('502'),
    });
  });
});
