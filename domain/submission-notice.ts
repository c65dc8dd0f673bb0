import { z } from 'zod';
import { MultilineText, Text } from './text.js';
import { IsoDateTime } from './wire/common.js';
import { isoDate } from './formats.js';

/**
 * AFM's written notice (AFM order No. 9, item 5(3)): AFM tells the bookmaker **in writing** why it could not
 * accept data. The notice arrives by letter or e-mail, possibly after the rejection window closed; an officer
 * records it with AFM's reference and date, the reason, and a scan of the letter. Recording it makes the
 * submission REJECTED (even an ACCEPTED one), with the officer's due date counted from the notice's date.
 *
 * The scan may carry personal data (the bettor's IIN in AFM's letter): it is stored in the bookmaker's
 * PostgreSQL only (table submission_notices), like the reference photos, and never enters Temporal — the
 * workflow learns its SHA-256, media type and size.
 */

/** The scan's size cap: a few pages of a letter scanned at office resolution. */
export const NOTICE_SCAN_MAX_BYTES = 2 * 1024 * 1024;

export const NoticeScanMediaType = z.enum(['application/pdf', 'image/jpeg', 'image/png']);
export type NoticeScanMediaType = z.infer<typeof NoticeScanMediaType>;

/** The first bytes each accepted format starts with: a scan is checked against the media type it claims. */
const MAGIC: Record<NoticeScanMediaType, number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};

export function scanMatchesType(bytes: Uint8Array, mediaType: NoticeScanMediaType): boolean {
  const magic = MAGIC[mediaType];
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** AFM's reference of its letter (outgoing number), as printed on it: letters, digits and `/ - . _ №`. */
export const AfmReference = Text(64, { min: 1 }).regex(
  /^[\p{L}\p{N}][\p{L}\p{N} ./_№#-]*$/u,
  'must be AFM’s letter reference: letters, digits, spaces and / - . _ № #',
);

/** The date printed on the notice: a calendar day (read as 00:00 Kazakhstan time, UTC+5) or a full timestamp. */
export const NoticeDate = z.union([isoDate(), IsoDateTime], {
  error: 'must be a date like 2026-12-03 or a date-time with an offset',
});

/** `2026-12-03` → `2026-12-03T00:00:00+05:00`; a timestamp stays as it is. */
export const noticeInstant = (date: string) => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00+05:00` : date);

/** What an officer records (console, CLI, API): the scan travels base64-encoded in the JSON body. */
export const WrittenNoticeRequest = z.strictObject({
  afmReference: AfmReference,
  noticeDate: NoticeDate,
  reason: MultilineText(2000, { min: 1 }),
  scan: z
    .strictObject({
      mediaType: NoticeScanMediaType,
      contentBase64: z.base64('must be base64').min(4, 'must not be empty'),
    })
    .superRefine((scan, ctx) => {
      const bytes = Buffer.from(scan.contentBase64, 'base64');
      if (bytes.length > NOTICE_SCAN_MAX_BYTES) {
        ctx.addIssue({
          code: 'custom',
          path: ['contentBase64'],
          message: `must be at most ${NOTICE_SCAN_MAX_BYTES} bytes once decoded (it is ${bytes.length})`,
        });
      } else if (!scanMatchesType(bytes, scan.mediaType)) {
        ctx.addIssue({ code: 'custom', path: ['contentBase64'], message: `is not a ${scan.mediaType} file` });
      }
    }),
});
export type WrittenNoticeRequest = z.input<typeof WrittenNoticeRequest>;

/** What the submission workflow receives: the notice without the scan's bytes. */
export const RecordWrittenNotice = z.strictObject({
  afmReference: AfmReference,
  /** A day is read as 00:00 Kazakhstan time: the state keeps the instant. */
  noticeDate: NoticeDate.transform(noticeInstant),
  reason: MultilineText(2000, { min: 1 }),
  scan: z.strictObject({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mediaType: NoticeScanMediaType,
    bytes: z.number().int().positive().max(NOTICE_SCAN_MAX_BYTES),
  }),
  actor: Text(64, { min: 1 }),
});
export type RecordWrittenNotice = z.input<typeof RecordWrittenNotice>;

/** A notice as the submission's state keeps it. */
export interface WrittenNotice {
  afmReference: string;
  noticeDate: string;
  reason: string;
  scan: { sha256: string; mediaType: NoticeScanMediaType; bytes: number };
  recordedBy: string;
  recordedAt: string;
}

/** The rejection code a written notice gives the submission (AFM's letters carry prose, not codes). */
export const WRITTEN_NOTICE_CODE = 'AFM_WRITTEN_NOTICE';
