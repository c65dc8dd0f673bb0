import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import type { MigrationOutcome, MigrationRow, MigrationSource } from '../domain/migration.js';
import type { Pool } from '../db/pool.js';

/**
 * The migration's batch source (a CSV file or a PostgreSQL table of existing bettors) and the per-bettor
 * outcome list. Rows carry personal data, so they travel only as encrypted payloads; the bettor reference
 * (keyed IIN hash) is computed here because the key never enters workflow code.
 */
export const SOURCE_COLUMNS = [
  'bettor_id',
  'iin',
  'phone',
  'consent_given_at',
  'agreement_version',
  'photo_ref',
] as const;

export interface MigrationBatch {
  rows: (MigrationRow & { bettorRef: string })[];
  /** Opaque position after the last row returned; pass it back for the next batch. */
  cursor: string;
  exhausted: boolean;
}

interface Cursor {
  /** CSV: byte offset of the next line. Table: the last bettor id read. */
  at: number | string;
  position: number;
}

function toRow(values: Record<string, string>, position: number): MigrationRow {
  return {
    position,
    bettorId: values.bettor_id ?? '',
    iin: values.iin ?? '',
    phone: values.phone ?? '',
    consentGivenAt: values.consent_given_at ?? '',
    agreementVersion: values.agreement_version ?? '',
    photoRef: values.photo_ref ?? '',
  };
}

function sourceInvalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ErrorType.InvalidInput);
}

async function csvHeader(path: string): Promise<{ columns: string[]; bytes: number }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    const columns = line
      .replace(/^\uFEFF/, '')
      .split(',')
      .map((c) => c.trim().toLowerCase());
    const missing = SOURCE_COLUMNS.filter((c) => !columns.includes(c));
    if (missing.length) throw sourceInvalid(`CSV ${path} lacks column(s): ${missing.join(', ')}`);
    return { columns, bytes: Buffer.byteLength(line, 'utf8') + 1 };
  }
  throw sourceInvalid(`CSV ${path} is empty`);
}

/** Reads up to `limit` data lines from byte `offset`, returning them and the offset after the last one. */
async function readCsvLines(
  path: string,
  offset: number,
  limit: number,
): Promise<{ lines: string[]; next: number; eof: boolean }> {
  const file = await open(path, 'r');
  try {
    const lines: string[] = [];
    let next = offset;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, next + carry.length);
      const data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1 && lines.length < limit; nl = data.indexOf(10, start)) {
        lines.push(data.subarray(start, nl).toString('utf8').replace(/\r$/, ''));
        start = nl + 1;
      }
      next += start;
      carry = data.subarray(start);
      if (lines.length >= limit) return { lines, next, eof: false };
      if (bytesRead === 0) {
        if (carry.length) {
          lines.push(carry.toString('utf8').replace(/\r$/, ''));
          next += carry.length;
        }
        return { lines, next, eof: true };
      }
    }
  } finally {
    await file.close();
  }
}

export function createMigrationActivities({ pool, bettorRef }: { pool: Pool; bettorRef: (iin: string) => string }) {
  const withRef = (row: MigrationRow) => ({ ...row, bettorRef: /^\d{12}$/.test(row.iin) ? bettorRef(row.iin) : '' });

  async function readCsv(path: string, cursor: Cursor | undefined, limit: number): Promise<MigrationBatch> {
    const header = await csvHeader(path);
    const from = cursor ?? { at: header.bytes, position: 0 };
    const { lines, next, eof } = await readCsvLines(path, from.at as number, limit);
    let position = from.position;
    const rows = lines
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const values = line.split(',').map((v) => v.trim());
        return withRef(toRow(Object.fromEntries(header.columns.map((c, i) => [c, values[i] ?? ''])), ++position));
      });
    return { rows, cursor: JSON.stringify({ at: next, position }), exhausted: eof };
  }

  async function readTable(table: string, cursor: Cursor | undefined, limit: number): Promise<MigrationBatch> {
    const after = (cursor?.at as string | undefined) ?? '';
    const { rows } = await pool.query(
      `SELECT ${SOURCE_COLUMNS.join(', ')} FROM ${pg.escapeIdentifier(table)} WHERE bettor_id > $1 ORDER BY bettor_id LIMIT $2`,
      [after, limit],
    );
    let position = cursor?.position ?? 0;
    const batch = rows.map((r) => withRef(toRow(r, ++position)));
    const last = rows[rows.length - 1]?.bettor_id ?? after;
    return { rows: batch, cursor: JSON.stringify({ at: last, position }), exhausted: rows.length < limit };
  }

  return {
    /** How many bettors the source holds, for "remaining" and the ETA. */
    async describeMigrationSource(source: MigrationSource): Promise<{ total: number }> {
      if (source.kind === 'table') {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(source.table)}`);
        return { total: rows[0].n };
      }
      const header = await csvHeader(source.path);
      let total = 0;
      let offset = header.bytes;
      for (;;) {
        const { lines, next, eof } = await readCsvLines(source.path, offset, 10_000);
        total += lines.filter((l) => l.trim() !== '').length;
        offset = next;
        if (eof) return { total };
      }
    },

    async readMigrationBatch({
      source,
      cursor,
      limit,
    }: {
      source: MigrationSource;
      cursor?: string;
      limit: number;
    }): Promise<MigrationBatch> {
      const parsed = cursor ? (JSON.parse(cursor) as Cursor) : undefined;
      return source.kind === 'csv' ? readCsv(source.path, parsed, limit) : readTable(source.table, parsed, limit);
    },

    /** Writes settled bettors once each: the primary key (migration, bettor) makes a replayed write a no-op. */
    async recordMigrationOutcomes({
      migrationId,
      items,
    }: {
      migrationId: string;
      items: { bettorId: string; position: number; outcome: MigrationOutcome; detail?: string }[];
    }): Promise<number> {
      if (!items.length) return 0;
      const { rowCount } = await pool.query(
        `INSERT INTO migration_items (migration_id, bettor_id, position, outcome, detail)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[], $5::text[])
         ON CONFLICT (migration_id, bettor_id) DO NOTHING`,
        [
          migrationId,
          items.map((i) => i.bettorId),
          items.map((i) => i.position),
          items.map((i) => i.outcome),
          items.map((i) => i.detail ?? null),
        ],
      );
      return rowCount ?? 0;
    },
  };
}

export type MigrationActivities = ReturnType<typeof createMigrationActivities>;
