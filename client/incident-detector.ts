import type { Client } from '@temporalio/client';
import { incidentsConfig, type IncidentsConfig } from '../config/console.js';
import { workflowId, WorkflowProcess } from '../domain/ids.js';
import { incidentDetector } from '../workflows/incident-detector.js';

/**
 * Starts the incident detector for this task queue with the current settings, replacing a running one (so a
 * restarted worker applies changed INCIDENT_DETECT_* settings). Returns its workflow id, or undefined when
 * INCIDENT_DETECTORS=false.
 */
export async function startIncidentDetector(
  client: Client,
  taskQueue: string,
  { detectors: config, timing }: IncidentsConfig = incidentsConfig(),
): Promise<string | undefined> {
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
        timing,
      },
    ],
  });
  return id;
}
