import { createHash } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import type { NoticeScanMediaType } from '../domain/submission-notice.js';

/**
 * AFM's written notices and their scans (PostgreSQL `submission_notices`, migration 010). The scan stays here,
 * like the reference photos (activities/photo-store.ts): in the bookmaker's own database, never in workflow history.
 */
export interface StoredNotice {
  submissionId: string;
  afmReference: string;
  noticeDate: string;
  reason: string;
  scan: { sha256: string; mediaType: NoticeScanMediaType; bytes: number };
  recordedBy: string;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Stores the notice once per (submission, AFM reference); answers whether this call stored it, and the row kept. */
export async function saveNotice(
  pool: Pool,
  notice: Omit<StoredNotice, 'scan'> & { scan: Buffer; mediaType: NoticeScanMediaType },
): Promise<{ inserted: boolean; kept: StoredNotice }> {
  const sha256 = sha256Hex(notice.scan);
  const inserted = await pool.query(
    `INSERT INTO submission_notices (submission_id, afm_reference, notice_date, reason, scan, scan_media_type, scan_sha256, scan_bytes, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (submission_id, afm_reference) DO NOTHING RETURNING 1`,
    [
      notice.submissionId,
      notice.afmReference,
      notice.noticeDate,
      notice.reason,
      notice.scan,
      notice.mediaType,
      sha256,
      notice.scan.length,
      notice.recordedBy,
    ],
  );
  const kept = await readNotice(pool, notice.submissionId, notice.afmReference);
  return { inserted: (inserted.rowCount ?? 0) > 0, kept: kept! };
}

export async function readNotice(
  pool: Pool,
  submissionId: string,
  afmReference: string,
): Promise<StoredNotice | undefined> {
  const { rows } = await pool.query(
    `SELECT submission_id, afm_reference, notice_date, reason, scan_media_type, scan_sha256, scan_bytes, recorded_by
     FROM submission_notices WHERE submission_id = $1 AND afm_reference = $2`,
    [submissionId, afmReference],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    submissionId: r.submission_id,
    afmReference: r.afm_reference,
    noticeDate: new Date(r.notice_date).toISOString(),
    reason: r.reason,
    scan: { sha256: r.scan_sha256, mediaType: r.scan_media_type, bytes: r.scan_bytes },
    recordedBy: r.recorded_by,
  };
}

/** The scan itself, for an officer who opens the notice. */
export async function readNoticeScan(
  pool: Pool,
  submissionId: string,
  afmReference: string,
): Promise<{ mediaType: NoticeScanMediaType; bytes: Buffer } | undefined> {
  const { rows } = await pool.query(
    `SELECT scan, scan_media_type FROM submission_notices WHERE submission_id = $1 AND afm_reference = $2`,
    [submissionId, afmReference],
  );
  return rows[0] ? { mediaType: rows[0].scan_media_type, bytes: rows[0].scan } : undefined;
}

/** Takes back a notice this call stored when the submission refused it. */
export async function deleteNotice(pool: Pool, submissionId: string, afmReference: string): Promise<void> {
  await pool.query(`DELETE FROM submission_notices WHERE submission_id = $1 AND afm_reference = $2`, [
    submissionId,
    afmReference,
  ]);
}
