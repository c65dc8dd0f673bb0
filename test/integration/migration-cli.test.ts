import { mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, httpClient, startApiStack } from '../support/api.js';
import { uniqueId } from '../support/ids.js';
import { planBettors, seedSource } from '../support/migration-data.js';
import { eventually } from '../support/stack.js';
import { esuBridge as run, UNREACHABLE, type CliRun } from '../support/processes.js';

/**
 * `esu-bridge migration` against a real bookmaker API (one for the file): every command is a call of the API with
 * the caller's API key, and the server decides who acted. The CLI's processes get no database and no Temporal they
 * could reach, so they could not act in-process if they tried; `--actor` is gone, and neither it nor the OS user
 * ever reaches the journal.
 */
let stack: Awaited<ReturnType<typeof startApiStack>>;
let http: ReturnType<typeof httpClient>;
let dir: string;
const started: string[] = [];

beforeAll(async () => {
  stack = await startApiStack();
  http = httpClient(stack.api.url);
  dir = await mkdtemp(path.join(tmpdir(), 'esu-mig-cli-'));
});

afterAll(async () => {
  await stack?.endWorkflows(started.map((id) => `Migration:${id}`));
  await stack?.stop();
});

/** `esu-bridge …` (package.json `bin`) as ops run it, with the API's address and a key in the environment. */
function esuBridge(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    ...UNREACHABLE,
    ESU_BRIDGE_API_URL: stack.api.url,
    ESU_BRIDGE_API_KEY: API_KEYS.full,
    ...extra,
  };
  return run(args, env);
}

const journalOf = async (recordId: string) =>
  (await stack.pool.query(`SELECT event, actor FROM journal WHERE record_id = $1 ORDER BY chain_seq`, [recordId]))
    .rows as { event: string; actor: string }[];

/** The migration's own journal rows (`migration.*`): who acted, by event. */
async function actorsOf(migrationId: string): Promise<Record<string, string[]>> {
  const byEvent: Record<string, string[]> = {};
  for (const { event, actor } of await journalOf(migrationId))
    if (event.startsWith('migration.')) (byEvent[event] ??= []).push(actor);
  return byEvent;
}

/** Who acted per `migration.*` event, once `events` kinds of them are in the journal. */
const journalledSteps = (migrationId: string, events: number) =>
  eventually(async () => {
    const rows = await actorsOf(migrationId);
    return Object.keys(rows).length >= events && rows;
  });

/** A source table of `n` bettors: at one request an hour the migration starts one of them and waits hours. */
async function sourceTable(migrationId: string, n = 3): Promise<string> {
  const table = `cli_mig_${migrationId.replace(/-/g, '_')}`;
  await seedSource(stack.pool, table, planBettors(n, uniqueId('cb')));
  return table;
}

describe('esu-bridge migration through the bookmaker API', () => {
  it('journals the API key as who started and paused, never a self-asserted --actor or the OS user', async () => {
    const migrationId = uniqueId('cli-mig');
    const table = await sourceTable(migrationId);
    const slow = ['--table', table, '--concurrency', '1', '--rate', '1', '--no-watch', '--json'];

    // The defect: `--actor someone-else` used to be journalled as who acted. Now the flag does not exist.
    const asserted = await esuBridge(['migration', 'start', migrationId, ...slow, '--actor', 'someone-else']);
    expect(asserted.code, asserted.stderr).toBe(2);
    expect(asserted.stderr).toContain('unknown option --actor');
    expect((await http('GET', `/v1/migrations/${migrationId}`)).status).toBe(404);

    const start = await esuBridge(['migration', 'start', migrationId, ...slow]);
    expect(start.code, start.stderr).toBe(0);
    started.push(migrationId);
    expect(JSON.parse(start.stdout)).toEqual({ workflowId: `Migration:${migrationId}`, joined: false });
    const again = await esuBridge(['migration', 'start', migrationId, ...slow]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ workflowId: `Migration:${migrationId}`, joined: true });

    const pause = await esuBridge(['migration', 'pause', migrationId, '--json', '--actor', 'someone-else']);
    expect(pause.code).toBe(2);
    expect(pause.stderr).toContain('unknown option --actor');
    const paused = await esuBridge(['migration', 'pause', migrationId, '--json']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ migrationId, status: 'PAUSED' });

    // Pausing a paused migration is refused by its state: invalid input, as before (exit 2), naming the state.
    const twice = await esuBridge(['migration', 'pause', migrationId, '--json']);
    expect(twice.code).toBe(2);
    expect(JSON.parse(twice.stderr).error).toMatchObject({ code: 'INVALID', message: 'the migration is PAUSED' });

    const resumed = await esuBridge(['migration', 'resume', migrationId]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/RUNNING/);
    const cancelled = await esuBridge(['migration', 'cancel', migrationId, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(['CANCELLING', 'CANCELLED']).toContain(JSON.parse(cancelled.stdout).status);

    // Who acted, per event: the API key's name for each step; the workflow's own end is 'system'. The order of
    // a step's row and the workflow's next row is the workflow's business (both are local activities).
    expect(await journalledSteps(migrationId, 5)).toEqual({
      'migration.started': ['it-full'],
      'migration.paused': ['it-full'],
      'migration.resumed': ['it-full'],
      'migration.cancel-requested': ['it-full'],
      'migration.cancelled': ['system'],
    });
    const actors = (await journalOf(migrationId)).map((r) => r.actor);
    expect(actors).not.toContain('someone-else');
    expect(actors).not.toContain(userInfo().username);
  });

  it('starts and watches a migration to its end through the API (start watches unless --no-watch)', async () => {
    const migrationId = uniqueId('cli-watch');
    const table = await sourceTable(migrationId, 0);
    const run = await esuBridge(['migration', 'start', migrationId, '--table', table, '--json']);
    expect(run.code, run.stderr).toBe(0);
    started.push(migrationId);
    const [first, ...progress] = run.stdout.trim().split('\n');
    expect(JSON.parse(first!)).toEqual({ workflowId: `Migration:${migrationId}`, joined: false });
    expect(JSON.parse(progress.at(-1)!)).toMatchObject({ migrationId, status: 'COMPLETED', total: 0 });
    const watched = await esuBridge(['migration', 'watch', migrationId]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toContain('COMPLETED');
    const journal = await eventually(async () => {
      const rows = await actorsOf(migrationId);
      return Object.keys(rows).length >= 2 && rows;
    });
    expect(journal).toEqual({ 'migration.started': ['it-full'], 'migration.completed': ['system'] });
    // An ended migration is there, and refuses a step: not "not found".
    const late = await esuBridge(['migration', 'cancel', migrationId, '--json']);
    expect(late.code).toBe(2);
    expect(JSON.parse(late.stderr).error).toMatchObject({
      code: 'INVALID',
      message: `the migration ${migrationId} has ended: nothing to cancel`,
    });
  });

  it('answers the steps over HTTP once per Idempotency-Key, with the caller as who acted; an unknown migration is 404', async () => {
    const migrationId = uniqueId('api-mig');
    const table = await sourceTable(migrationId);
    const body = { migrationId, source: { kind: 'table', table }, concurrency: 1, requestsPerHour: 1 };
    const start = await http('POST', '/v1/migrations', { body, headers: { 'idempotency-key': migrationId } });
    expect(start.status).toBe(202);
    started.push(migrationId);
    const step = (command: string, key: string, extra: { key?: string | null } = {}) =>
      http('POST', `/v1/migrations/${migrationId}/${command}`, { headers: { 'idempotency-key': key }, ...extra });

    const paused = await step('pause', `${migrationId}-p1`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ migrationId, status: 'PAUSED' });
    const replay = await step('pause', `${migrationId}-p1`);
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body]).toEqual([200, 'true', paused.body]);
    const refused = await step('pause', `${migrationId}-p2`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ detail: 'the migration is PAUSED', errorType: 'IdentificationStepRejected' });
    expect((await step('resume', `${migrationId}-r1`, { key: API_KEYS.reader })).status).toBe(403);
    expect((await step('resume', `${migrationId}-r1`, { key: null })).status).toBe(401);
    expect((await http('POST', `/v1/migrations/${migrationId}/resume`)).status).toBe(400); // no Idempotency-Key
    expect((await step('cancel', `${migrationId}-c1`)).body.status).toMatch(/^CANCELL/);

    const unknown = await http('POST', `/v1/migrations/${uniqueId('nope')}/pause`, {
      headers: { 'idempotency-key': uniqueId('k') },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'urn:esu-bridge:problem:not-found', status: 404 });
    const cli = await esuBridge(['migration', 'pause', uniqueId('nope'), '--json']);
    expect(cli.code).toBe(4);
    expect(JSON.parse(cli.stderr).error.code).toBe('NOT_FOUND');

    // The refused pause and the calls without a key or its scope journalled no step.
    expect(await journalledSteps(migrationId, 4)).toEqual({
      'migration.started': ['it-full'],
      'migration.paused': ['it-full'],
      'migration.cancel-requested': ['it-full'],
      'migration.cancelled': ['system'],
    });
  });

  it('refuses --csv and a missing or wrong API key before anything starts, naming what to do', async () => {
    const csv = await esuBridge(['migration', 'start', uniqueId('csv'), '--csv', '/tmp/bettors.csv', '--no-watch']);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('--csv is not taken');
    expect(csv.stderr).toContain('--table');
    const noKey = await esuBridge(['migration', 'watch', 'x-1'], { ESU_BRIDGE_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('ESU_BRIDGE_API_KEY is not set');
    const wrongKey = await esuBridge(['migration', 'watch', 'x-1', '--json'], {
      ESU_BRIDGE_API_KEY: 'not-a-configured-key',
    });
    expect(wrongKey.code).toBe(5);
    expect(JSON.parse(wrongKey.stderr).error.code).toBe('UNAUTHENTICATED');
    const readOnly = await esuBridge(['migration', 'pause', 'x-1', '--json'], { ESU_BRIDGE_API_KEY: API_KEYS.reader });
    expect(readOnly.code).toBe(5);
    expect(JSON.parse(readOnly.stderr).error.message).toContain('migrations:write');
  });
});
