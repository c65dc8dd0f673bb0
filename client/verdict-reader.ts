import type { Client } from '@temporalio/client';
import { submissionConfig, type SubmissionConfig } from '../config/submissions.js';
import type { Pool } from '../db/pool.js';
import { workflowId, WorkflowProcess } from '../domain/ids.js';
import { failedSubmissionIds } from '../store/submissions.js';
import { verdictReader } from '../workflows/verdict-reader.js';
import { createSubmissionClient } from './submissions.js';

/** `VerdictReader:AFM.<taskQueue>`: one reader per counterpart and task queue. */
export const verdictReaderId = (taskQueue: string) => workflowId(WorkflowProcess.VerdictReader, `AFM.${taskQueue}`);

/**
 * Starts AFM's verdict reader for this task queue with the current settings, replacing a running one (a restarted
 * worker applies changed AFM_VERDICT_* settings; the cursor lives in PostgreSQL, so nothing is read twice for
 * long and nothing is skipped). Returns its workflow id, or undefined when AFM_VERDICT_READER=false.
 */
export async function startVerdictReader(
  client: Client,
  taskQueue: string,
  config: SubmissionConfig['verdictReader'] = submissionConfig().verdictReader,
): Promise<string | undefined> {
  if (!config.enabled) return undefined;
  const id = verdictReaderId(taskQueue);
  await client.workflow.start(verdictReader, {
    taskQueue,
    workflowId: id,
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    args: [{ counterpart: 'AFM', intervalMs: config.intervalMs, pageSize: config.pageSize }],
  });
  return id;
}

/**
 * Tells every FAILED submission to send again (a refusal a retry cannot fix — a wrong key, a signature AFM cannot
 * verify — is fixed by configuration, which a worker reads when it starts). A submission that fails again is
 * FAILED again after one request; one that is no longer FAILED ignores the signal. Returns how many were told.
 */
export async function resumeFailedSubmissions(
  client: Client,
  taskQueue: string,
  pool: Pool,
  { batch = 20 } = {},
): Promise<number> {
  const submissions = createSubmissionClient({ client, taskQueue });
  const failed = await failedSubmissionIds(pool);
  let told = 0;
  for (let i = 0; i < failed.length; i += batch) {
    const results = await Promise.all(
      failed.slice(i, i + batch).map((id) => submissions.resumeSubmission(id, 'worker started').catch(() => false)),
    );
    told += results.filter(Boolean).length;
  }
  return told;
}
