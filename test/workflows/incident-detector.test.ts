import { describe, expect, it } from 'vitest';
import type { DetectorActivities } from '../../activities/detectors.js';
import type { IncidentRecord, IncidentStoreActivities } from '../../activities/incidents.js';
import type { IncidentDeliveryActivities } from '../../activities/incident-delivery.js';
import { incidentDetector } from '../../workflows/incident-detector.js';
import { getIncidentStatusQuery } from '../../workflows/incident.js';
import { IncidentTiming } from '../../domain/incident-deadlines.js';
import type { DetectorTrip } from '../../domain/detectors.js';
import { uniqueId } from '../support/ids.js';
import { env, useTimeSkipping, withWorker } from '../support/workflows.js';

type Activities = DetectorActivities & IncidentStoreActivities & IncidentDeliveryActivities;

useTimeSkipping();

describe('incident detector', () => {
  it('opens one incident for a trip it keeps seeing, counting 48 hours from when it detected it', async () => {
    const incidentId = uniqueId('auto-unreachable-esu');
    const trip: DetectorTrip = {
      incidentId,
      detector: 'counterpart-unreachable',
      counterpart: 'esu',
      card: {
        name: 'esu unreachable for 16 minutes',
        detectedAt: new Date(await env.currentTimeMs()).toISOString(),
        mainEvents: ['STABILITY_THREAT'],
      },
    };
    const records: IncidentRecord[] = [];
    let checks = 0;
    let thirdCheck!: () => void;
    const third = new Promise<void>((resolve) => (thirdCheck = resolve));
    const activities: Activities = {
      detectIncidents: async () => {
        checks += 1;
        if (checks === 3) thirdCheck();
        return checks <= 3 ? [trip] : [];
      },
      recordIncident: async (r) => void records.push(r),
      alertIncident: async () => undefined,
      deliverIncidentCard: async () => {
        throw new Error('not expected');
      },
    };
    await withWorker(activities, async (taskQueue) => {
      const detector = await env.client.workflow.start(incidentDetector, {
        taskQueue,
        workflowId: uniqueId('IncidentDetector'),
        args: [
          {
            intervalMs: 60_000,
            settings: { unreachableAfterMs: 900_000, authFailures: 5, authWindowMs: 600_000, offsetMinutes: 300 },
            timing: IncidentTiming.parse({}),
          },
        ],
      });
      await env.sleep('3 minutes');
      await third;
      const child = env.client.workflow.getHandle(`Incident:${incidentId}`);
      const state = await child.query(getIncidentStatusQuery);
      expect(state.origin).toEqual({ kind: 'DETECTOR', detector: 'counterpart-unreachable', counterpart: 'esu' });
      expect(state.openedBy).toBe('detector:counterpart-unreachable');
      expect(Date.parse(state.dueAt) - Date.parse(trip.card.detectedAt)).toBe(48 * 3600_000);
      expect(records.filter((r) => r.entry.event === 'incident.opened')).toHaveLength(1);
      await Promise.all([detector.terminate('test over'), child.terminate('test over')]);
    });
    expect(checks).toBeGreaterThanOrEqual(3);
  });
});
