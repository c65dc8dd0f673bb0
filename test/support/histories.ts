import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { resolveTemporalCli } from '../../stack/temporal-cli.js';

const HISTORIES = new URL('../replay/histories/', import.meta.url);

export interface HistoryOf {
  /** The file stack's environment: TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE. */
  env: Record<string, string | undefined>;
  workflowId: string;
  /** A run of the workflow id other than its latest. */
  runId?: string;
}

/** A workflow's history, exported the way ops would: `temporal workflow show --output json`. */
export async function showHistory({ env, workflowId, runId }: HistoryOf): Promise<string> {
  const { stdout } = await promisify(execFile)(
    await resolveTemporalCli(),
    [
      'workflow',
      'show',
      '--output',
      'json',
      '--address',
      env.TEMPORAL_ADDRESS!,
      '--namespace',
      env.TEMPORAL_NAMESPACE!,
      '--workflow-id',
      workflowId,
      ...(runId ? ['--run-id', runId] : []),
    ],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return stdout;
}

/**
 * Exports a workflow's history for test/replay, expects more than `minEvents` events in it and, with
 * RECORD_HISTORIES=1, writes it to test/replay/histories/<name>.json.
 */
export async function recordHistory(name: string, of: HistoryOf, minEvents = 10): Promise<void> {
  const stdout = await showHistory(of);
  expect(JSON.parse(stdout).events.length).toBeGreaterThan(minEvents);
  if (process.env.RECORD_HISTORIES === '1') await writeFile(new URL(`${name}.json`, HISTORIES), stdout);
}
