import type { Client } from '@temporalio/client';
import { detectorConfig, incidentTiming } from '../config/console.js';
import { workflowId, WorkflowProcess } from '../domain/ids.js';
import { incidentDetector } from '../workflows/incident-detector.js';

type Env = Record<string, string | undefined>;

/**
 * Starts the incident detector for this task queue with the current settings, replacing a running one (so a
 * restarted worker applies changed INCIDENT_DETECT_* settings). Returns its workflow id, or undefined when
 * INCIDENT_DETECTORS=false.
 */
export async function startIncidentDetector(
  client: Client,
  taskQueue: string,
  env: Env = process.env,
): Promise<string | undefined> {
  const config = detectorConfig(env);
  if (!config.enabled) return undefined;
  const id = workflowId(WorkflowProcess.IncidentDetector, taskQueue);
  await client.workflow.start(incidentDetector, {
    taskQueue,
    workflowId: id,
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    args: [
      {
        intervalMs: config.intervalMs,
        settings: {
          unreachableAfterMs: config.unreachableAfterMs,
          authFailures: config.authFailures,
          authWindowMs: config.authWindowMs,
          offsetMinutes: config.offsetMinutes,
        },
        timing: incidentTiming(env),
      },
    ],
  });
  return id;
}
