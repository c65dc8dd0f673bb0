import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMigrationActivities, type MigrationBatch } from '../../activities/migration.js';
import type { Pool } from '../../db/pool.js';
import { ErrorType } from '../../domain/errors.js';
import { adultIin } from '../support/ids.js';

const activities = createMigrationActivities({ pool: {} as Pool, bettorRef: (iin) => `ref-of-${iin}` });
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

async function csv(content: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'mig-')), 'bettors.csv');
  await writeFile(file, content);
  return file;
}

describe('CSV migration source', () => {
  it('reads batches by byte cursor to the end, in any column order, with CRLF and a BOM', async () => {
    const iins = Array.from({ length: 7 }, () => adultIin());
    const lines = iins.map((iin, i) => `v1,b-${i},${iin},+77011234567,photo-${i},2024-05-01T10:00:00+05:00`);
    const file = await csv(
      `\uFEFFagreement_version,bettor_id,iin,phone,photo_ref,consent_given_at\r\n${lines.join('\r\n')}\r\n\r\n`,
    );
    const source = { kind: 'csv' as const, path: file };
    expect(await run(activities.describeMigrationSource, source)).toEqual({ total: 7 });

    const seen: MigrationBatch['rows'] = [];
    let cursor: string | undefined;
    for (let reads = 0; reads < 10; reads++) {
      const batch = await run(activities.readMigrationBatch, { source, cursor, limit: 3 });
      seen.push(...batch.rows);
      cursor = batch.cursor;
      if (batch.exhausted) break;
    }
    expect(seen.map((r) => r.bettorId)).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6']);
    expect(seen.map((r) => r.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen[3]).toEqual({
      position: 4,
      bettorId: 'b-3',
      iin: iins[3],
      phone: '+77011234567',
      consentGivenAt: '2024-05-01T10:00:00+05:00',
      agreementVersion: 'v1',
      photoRef: 'photo-3',
      bettorRef: `ref-of-${iins[3]}`,
    });
  });

  it('refuses a file without the required columns, naming them', async () => {
    const file = await csv('bettor_id,iin\nb-1,900517300128\n');
    const error = await run(activities.describeMigrationSource, { kind: 'csv', path: file }).catch((e) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(ErrorType.InvalidInput);
    expect((error as Error).message).toContain('phone, consent_given_at, agreement_version, photo_ref');
  });

  it('passes a malformed row on for the workflow to count as invalid, without a bettor reference', async () => {
    const file = await csv(
      'bettor_id,iin,phone,consent_given_at,agreement_version,photo_ref\nb-1,12345,+77011234567,x,v1,p\n',
    );
    const batch = await run(activities.readMigrationBatch, { source: { kind: 'csv', path: file }, limit: 10 });
    expect(batch.exhausted).toBe(true);
    expect(batch.rows).toMatchObject([{ bettorId: 'b-1', iin: '12345', bettorRef: '' }]);
  });
});
