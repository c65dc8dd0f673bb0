import type { Pool } from '../db/pool.js';

/**
 * AFM's pushed verdicts (afm_callbacks): a verdict is taken once, for a submission AFM acknowledged, and given
 * back when it could not be delivered, so AFM's next try of it is not a replay.
 */

/** Whether AFM acknowledged this submission with this messageId. */
export async function wasAcknowledgedByAfm(pool: Pool, submissionId: string, messageId: string): Promise<boolean> {
  const sent = await pool.query(
    `SELECT workflow_id FROM submissions WHERE submission_id = $1 AND message_id = $2 AND counterpart = 'AFM'`,
    [submissionId, messageId],
  );
  return Boolean(sent.rowCount);
}

/** A verdict pushed by AFM. */
export interface AfmCallback {
  verdictId: string;
  messageId: string;
  submissionId: string;
  sentAt: string;
}

/** Takes a verdict in; false when it was taken before (a replay). */
export async function takeAfmCallback(pool: Pool, callback: AfmCallback): Promise<boolean> {
  const taken = await pool.query(
    `INSERT INTO afm_callbacks (verdict_id, message_id, submission_id, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT (verdict_id) DO NOTHING`,
    [callback.verdictId, callback.messageId, callback.submissionId, callback.sentAt],
  );
  return Boolean(taken.rowCount);
}

/** Gives back a verdict that was not delivered after all. */
export async function giveBackAfmCallback(pool: Pool, verdictId: string): Promise<void> {
  await pool.query('DELETE FROM afm_callbacks WHERE verdict_id = $1', [verdictId]);
}
