import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../stack/paths.js';
import { API_KEYS, httpClient, startApiStack } from '../support/api.js';
import { signIn, startTestConsole, type Session } from '../support/console.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { startAfmSubmission, submissionIn } from '../support/submissions.js';

/**
 * AFM's written notice (AFM order No. 9, item 5(3)) recorded on the real stack, once through each door: the
 * console's JSON API, the CLI, and the bookmaker API. Each turns an ACKNOWLEDGED AFM submission REJECTED in
 * PostgreSQL with the notice's source, keeps the scan in submission_notices, and is journalled with its actor.
 */
let stack: Awaited<ReturnType<typeof startApiStack>>;
let consoleServer: Awaited<ReturnType<typeof startTestConsole>>;
let officer: Session;
let officerToken: string;
let dir: string;
const open: string[] = [];

beforeAll(async () => {
  stack = await startApiStack({ API_RATE_LIMIT_PER_MINUTE: '1000000' });
  consoleServer = await startTestConsole(stack);
  officer = await signIn(consoleServer.url, 'aigerim');
  officerToken = (await officer.post('/api/cli-tokens')).body.token; // the CLI acts with a token the console issued
  dir = await mkdtemp(path.join(tmpdir(), 'esu-notice-'));
});

afterAll(async () => {
  await stack?.endWorkflows(open.map((id) => `Submission:${id}`));
  await consoleServer?.close();
  await stack?.stop();
});

const noticeRow = async (submissionId: string) =>
  (await stack.pool.query('SELECT * FROM submission_notices WHERE submission_id = $1', [submissionId])).rows;
const journal = async (submissionId: string) =>
  (
    await stack.pool.query(`SELECT event, actor, result FROM journal WHERE record_id = $1 ORDER BY chain_seq`, [
      submissionId,
    ])
  ).rows as { event: string; actor: string; result: string }[];

/** A tiny but real PDF and PNG: the boundary checks the bytes against the media type. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d9c5b10000000049454e44ae426082',
  'hex',
);

async function acknowledgedSubmission(): Promise<string> {
  const iin = adultIin();
  const { submissionId } = await startAfmSubmission(stack, iin);
  open.push(submissionId, `${submissionId}-r2`);
  await submissionIn(stack, submissionId, 'ACKNOWLEDGED');
  return submissionId;
}

const today = () => new Date(Date.now() + 5 * 3_600_000).toISOString().slice(0, 10);
/** A written notice of today with its PDF scan, as the console's and the bookmaker API's routes take it. */
const noticeOf = (afmReference: string, reason: string) => ({
  afmReference,
  noticeDate: today(),
  reason,
  scan: { mediaType: 'application/pdf', contentBase64: PDF.toString('base64') },
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...consoleServer.env,
    ESU_BRIDGE_CONSOLE_URL: consoleServer.url,
    ESU_BRIDGE_CONSOLE_TOKEN: officerToken,
  } as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', ...args],
      { cwd: REPO_ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('AFM’s written notice on the real stack', () => {
  it('console: an officer records it with the scan; the submission is REJECTED in PostgreSQL, due from the notice’s date', async () => {
    const submissionId = await acknowledgedSubmission();
    const item = await officer.get(`/api/inboxes/submissions/${submissionId}`);
    expect(item.body.actions).toContain('notice');

    const body = noticeOf('04-2/1187', 'The IIN is not in the state register.');
    const bad = await officer.post(`/api/submissions/${submissionId}/notices`, {
      ...body,
      scan: { mediaType: 'image/png', contentBase64: PDF.toString('base64') },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('scan.contentBase64');
    expect(await noticeRow(submissionId)).toHaveLength(0);

    const recorded = await officer.post(`/api/submissions/${submissionId}/notices`, body);
    expect(recorded.status, recorded.text).toBe(200);
    expect(recorded.body).toMatchObject({
      status: 'REJECTED',
      rejection: { source: 'NOTICE', code: 'AFM_WRITTEN_NOTICE' },
    });
    const again = await officer.post(`/api/submissions/${submissionId}/notices`, body);
    expect(again.status).toBe(200);
    expect(again.body.writtenNotices).toHaveLength(1);

    const r = await submissionIn(stack, submissionId, 'REJECTED');
    expect(r).toMatchObject({ rejection_source: 'NOTICE', rejection_reason: body.reason });
    expect(r.due_at.getTime()).toBeGreaterThan(Date.parse(`${today()}T00:00:00+05:00`));
    const [notice] = await noticeRow(submissionId);
    expect(notice).toMatchObject({
      afm_reference: '04-2/1187',
      scan_media_type: 'application/pdf',
      scan_bytes: PDF.length,
      recorded_by: 'aigerim',
    });
    expect(Buffer.compare(notice.scan, PDF)).toBe(0);
    const entries = await journal(submissionId);
    expect(entries).toEqual(
      expect.arrayContaining([
        { event: 'submission.written-notice', actor: 'aigerim', result: 'OK' },
        { event: 'submission.rejected', actor: 'aigerim', result: 'REFUSED' },
        { event: 'console.submission-notice-recorded', actor: 'aigerim', result: 'OK' },
      ]),
    );
    expect(entries.filter((e) => e.event === 'submission.written-notice')).toHaveLength(1);

    // The auditor may read, not record.
    const auditor = await signIn(consoleServer.url, 'saule');
    expect(
      (await auditor.post(`/api/submissions/${submissionId}/notices`, { ...body, afmReference: '04-2/1188' })).status,
    ).toBe(403);
  });

  it('CLI: records it from a scan file, with an exit code a script can rely on', async () => {
    const submissionId = await acknowledgedSubmission();
    const scan = path.join(dir, 'letter.png');
    await writeFile(scan, PNG);
    const out = await cli([
      'notice',
      submissionId,
      '--reference',
      '04-2/2001',
      '--date',
      today(),
      '--reason',
      'Amount does not match the bank statement.',
      '--scan',
      scan,
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'REJECTED', rejection: { source: 'NOTICE' } });
    expect((await noticeRow(submissionId))[0]).toMatchObject({ scan_media_type: 'image/png', recorded_by: 'aigerim' });
    const noScan = await cli(['notice', submissionId, '--reference', '04-2/2002', '--date', today(), '--reason', 'x']);
    expect(noScan.code).toBe(2);
    const future = await cli([
      'notice',
      submissionId,
      '--reference',
      '04-2/2003',
      '--date',
      '2099-01-01',
      '--reason',
      'x',
      '--scan',
      scan,
    ]);
    expect(future.code).toBe(2);
    expect(future.stderr + future.stdout).toContain('noticeDate');
  });

  it('API: records it under an Idempotency-Key; a bad field is refused naming it; an unknown submission is 409', async () => {
    const submissionId = await acknowledgedSubmission();
    const http = httpClient(stack.api.url);
    const body = noticeOf('AFM-7731', 'Record received twice.');
    const headers = { 'idempotency-key': uniqueId('notice') };
    const first = await http('POST', `/v1/submissions/${submissionId}/notices`, { body, headers });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      submissionId,
      status: 'REJECTED',
      rejection: { source: 'NOTICE' },
      writtenNotices: [{ afmReference: 'AFM-7731', recordedBy: 'it-full' }],
    });
    expect(first.body).not.toHaveProperty('payload');
    const replay = await http('POST', `/v1/submissions/${submissionId}/notices`, { body, headers });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const bad = await http('POST', `/v1/submissions/${submissionId}/notices`, {
      body: { ...body, noticeDate: 'yesterday' },
      headers: { 'idempotency-key': uniqueId('notice') },
    });
    expect([400, 422]).toContain(bad.status);
    expect(JSON.stringify(bad.body)).toContain('noticeDate');

    const unknown = await http('POST', `/v1/submissions/afm-no-such-deposit/notices`, {
      body,
      headers: { 'idempotency-key': uniqueId('notice') },
    });
    expect(unknown.status).toBe(409);
    const reader = await http('POST', `/v1/submissions/${submissionId}/notices`, {
      body,
      key: API_KEYS.reader,
      headers: { 'idempotency-key': uniqueId('notice') },
    });
    expect(reader.status).toBe(403);
    expect(await noticeRow('afm-no-such-deposit')).toHaveLength(0);
  });
});
