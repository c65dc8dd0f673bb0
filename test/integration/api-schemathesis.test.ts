import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, startApiStack } from '../support/api.js';

/**
 * Schemathesis (PyPI, pinned in scripts/ensure-tools.sh) generates requests from /openapi.json — valid and
 * invalid ones — against the real stack, and checks that no answer is a server error and that every answer
 * matches the document. Bounded by examples per operation so it stays within a few minutes on 2 cores.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCHEMATHESIS = process.env.SCHEMATHESIS_PATH ?? path.join(ROOT, '.tools/schemathesis/bin/schemathesis');
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '5';
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261201';

let stack: Awaited<ReturnType<typeof startApiStack>>;

beforeAll(async () => {
  stack = await startApiStack({ API_RATE_LIMIT_PER_MINUTE: '1000000' });
});

afterAll(async () => {
  await stack?.stop();
});

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Its own working directory: schemathesis keeps a cache there, which belongs in no checkout.
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

const attribute = (xml: string, name: string) =>
  Number(new RegExp(`<testsuite[^>]* ${name}="(\\d+)"`).exec(xml)?.[1] ?? NaN);

describe('schemathesis against /openapi.json', () => {
  it('finds no server error and no answer that breaks the schema', async () => {
    expect(
      existsSync(SCHEMATHESIS),
      `schemathesis not found at ${SCHEMATHESIS}: run scripts/ensure-tools.sh or set SCHEMATHESIS_PATH`,
    ).toBe(true);
    const reports = await mkdtemp(path.join(tmpdir(), 'esu-bridge-schemathesis-'));
    const junit = path.join(reports, 'junit.xml');
    const { code, output } = await run(
      SCHEMATHESIS,
      [
        'run',
        stack.api.openapiUrl,
        '--checks',
        'not_a_server_error,response_schema_conformance',
        '--header',
        `Authorization: Bearer ${API_KEYS.full}`,
        '--max-examples',
        MAX_EXAMPLES,
        '--seed',
        SEED,
        '--phases',
        'examples,coverage,fuzzing',
        '--workers',
        '2',
        '--request-timeout',
        '30',
        '--generation-database',
        'none',
        '--report',
        'junit',
        '--report-junit-path',
        junit,
        '--no-color',
      ],
      reports,
    );
    const xml = existsSync(junit) ? await readFile(junit, 'utf8') : '';
    const counts = {
      operations: attribute(xml, 'tests'),
      failures: attribute(xml, 'failures'),
      errors: attribute(xml, 'errors'),
      skipped: attribute(xml, 'skipped'),
    };
    const summary = output
      .split('\n')
      .filter((line) => /passed|failed|error|test cases|operations|Seed/i.test(line))
      .slice(-12)
      .join('\n');
    console.log(
      `schemathesis: ${JSON.stringify(counts)} (max ${MAX_EXAMPLES} examples per operation, seed ${SEED})\n${summary}`,
    );
    if (code !== 0) console.log(output.slice(-20_000));
    expect(counts.operations).toBeGreaterThanOrEqual(25);
    expect(counts).toMatchObject({ failures: 0, errors: 0 });
    expect(code).toBe(0);
  }, 600_000);
});
