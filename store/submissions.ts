import type { Pool } from '../db/pool.js';

/** The submissions whose sending FAILED, oldest first: the ones a worker's start tells to send again. */
export async function failedSubmissionIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ submission_id: string }>(
    `SELECT submission_id FROM submissions WHERE status = 'FAILED' ORDER BY updated_at`,
  );
  return rows.map((r) => r.submission_id);
}
