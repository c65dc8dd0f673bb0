import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bettorRef } from '../../client/bettor-ref.js';
import { startDevServer, type RunningTemporal } from '../../stack/dev-server.js';
import { freePort } from '../../stack/ports.js';
import { startFileStack, TEST_BETTOR_REF_KEY } from '../support/stack.js';
import { launchChromium, SHOTS, signInOnPage } from '../support/browser.js';
import { startTestConsole } from '../support/console.js';
import { adultIin, uniqueId } from '../support/ids.js';

/**
 * Ops read a run in the Temporal Web UI: the UI decodes payloads through the console's codec endpoint, which
 * decrypts only for a signed-in officer and masks the IIN as the console shows bettors. A dev server of this
 * file's own, started as `npm start` starts it with the console's endpoint (stack/dev-server.ts), a deposit on
 * it, and a real headless Chromium. The screenshot goes to docs/screenshots with SCREENSHOTS=docs.
 */
let temporal: RunningTemporal;
let stack: Awaited<ReturnType<typeof startFileStack>>;
let consoleUrl: string;
let closeConsole: () => Promise<void>;
let browser: Browser;
const iin = adultIin();
const depositId = uniqueId('dep-ui');
let workflowId: string;

beforeAll(async () => {
  // The UI calls the console, and the console answers the UI's origin: both ports are chosen first.
  const consolePort = await freePort();
  consoleUrl = `http://127.0.0.1:${consolePort}`;
  temporal = await startDevServer({ codecEndpoint: `${consoleUrl}/codec` });
  stack = await startFileStack({ TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace });
  closeConsole = (
    await startTestConsole(stack, { port: consolePort, extraEnv: { CONSOLE_CODEC_CORS_ORIGIN: temporal.uiUrl } })
  ).close;
  const handle = await stack.esuBridge.startDeposit({ depositId, iin, amountTiyn: 75_000, currency: 'KZT' });
  workflowId = handle.workflowId;
  await handle.result();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await closeConsole?.();
  await stack?.stop();
  await temporal?.stop();
});

const workflowPage = () =>
  `${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`;

/** The workflow's page in the UI, with every codec call it made and the status each got. */
async function openWorkflow(context: BrowserContext): Promise<{ page: Page; codecCalls: number[] }> {
  const page = await context.newPage();
  const codecCalls: number[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(`${consoleUrl}/codec/decode`) && response.request().method() === 'POST')
      codecCalls.push(response.status());
  });
  await page.goto(workflowPage());
  await page.getByText(workflowId).first().waitFor();
  return { page, codecCalls };
}

describe('the Temporal UI, decoding through the console', () => {
  it('shows a signed-in officer the deposit’s input decoded, with the IIN masked as the console shows bettors', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    const login = await signInOnPage(await context.newPage(), consoleUrl, 'aigerim');
    expect(login.status()).toBe(200);

    const { page, codecCalls } = await openWorkflow(context);
    const shortRef = bettorRef(iin, TEST_BETTOR_REF_KEY).slice(0, 16) + '…';
    await page.getByText(depositId).first().waitFor({ timeout: 30_000 });
    await page.getByText(shortRef).first().waitFor();
    expect(await page.content()).not.toContain(iin);
    expect(codecCalls.length).toBeGreaterThan(0);
    expect(codecCalls.every((status) => status === 200)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'temporal-ui-decoded.png') });
    await context.close();
  });

  it('shows ciphertext to a browser not signed in to the console: the endpoint answers 401 and nothing is decoded', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    const { page, codecCalls } = await openWorkflow(context);
    await expect.poll(() => codecCalls.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(codecCalls.every((status) => status === 401)).toBe(true);
    // The UI falls back to the payload as stored: its encoding, base64 of "binary/encrypted", and ciphertext.
    await page
      .getByText(`"${Buffer.from('binary/encrypted').toString('base64')}"`)
      .first()
      .waitFor({ timeout: 30_000 });
    // The workflow id names the deposit; its input's fields and the bettor's reference are nowhere.
    const text = await page.innerText('body');
    expect(text).not.toContain('"depositId"');
    expect(text).not.toContain(bettorRef(iin, TEST_BETTOR_REF_KEY).slice(0, 16));
    expect(await page.content()).not.toContain(iin);
    await page.screenshot({ path: path.join(SHOTS, 'temporal-ui-not-signed-in.png') });
    await context.close();
  });
});
