import { continueAsNew, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DetectorActivities } from '../activities/detectors.js';
import type { DetectorSettings } from '../domain/detectors.js';
import type { IncidentTiming } from '../domain/incident-deadlines.js';
import { IncidentStatus } from '../domain/incident-state.js';
import { CounterpartKey, IncidentStatusKey, OperationKindKey } from '../domain/search-attributes.js';
import { incident } from './incident.js';

export interface IncidentDetectorInput {
  intervalMs: number;
  settings: DetectorSettings;
  timing: IncidentTiming;
}

const detectors = proxyActivities<DetectorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

/** Checks per run before continuing as new: keeps the history short. */
const CHECKS_PER_RUN = 500;

/**
 * Runs the detectors every interval and opens an incident for each trip, as a child that outlives this
 * workflow (ABANDON). The incident id is the trip's episode id and ids are never reused, so a detector that
 * keeps seeing the same trouble joins the incident it opened instead of opening another.
 */
export async function incidentDetector(input: IncidentDetectorInput): Promise<void> {
  for (let check = 0; check < CHECKS_PER_RUN && !workflowInfo().continueAsNewSuggested; check++) {
    const trips = await detectors.detectIncidents(input.settings);
    for (const trip of trips) {
      try {
        await startChild(incident, {
          workflowId: `Incident:${trip.incidentId}`,
          taskQueue: workflowInfo().taskQueue,
          args: [
            {
              incidentId: trip.incidentId,
              card: trip.card,
              openedBy: `detector:${trip.detector}`,
              origin: { kind: 'DETECTOR', detector: trip.detector, counterpart: trip.counterpart },
              timing: input.timing,
            },
          ],
          parentClosePolicy: 'ABANDON',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: OperationKindKey, value: 'INCIDENT' },
            { key: IncidentStatusKey, value: IncidentStatus.Open },
            ...(trip.counterpart ? [{ key: CounterpartKey, value: trip.counterpart }] : []),
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    await sleep(input.intervalMs);
  }
  await continueAsNew<typeof incidentDetector>(input);
}
