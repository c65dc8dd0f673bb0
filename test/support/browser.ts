import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { REPO_ROOT } from '../../stack/paths.js';
import { PASSWORDS } from './console.js';

/**
 * Where a browser test's screenshots go: docs/screenshots only when SCREENSHOTS=docs (so a test run leaves the
 * work tree clean), else a temp folder of the file's own.
 */
export const SHOTS =
  process.env.SCREENSHOTS === 'docs'
    ? path.join(REPO_ROOT, 'docs', 'screenshots')
    : await mkdtemp(path.join(tmpdir(), 'esu-bridge-shots-'));

/** A headless Chromium (Debian's package, or CHROMIUM_PATH), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the console on `page` and signs `login` in through its form; resolves to the answer of its login call. */
export async function signInOnPage(page: Page, consoleUrl: string, login: string): Promise<Response> {
  await page.goto(consoleUrl);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', PASSWORDS[login]!);
  const answer = page.waitForResponse((r) => r.url() === new URL('/api/login', consoleUrl).href);
  await page.click('#login-form button[type=submit]');
  return answer;
}
