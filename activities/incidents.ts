import { log, metricMeter } from '@temporalio/activity';
import { inTransaction, type Pool } from '../db/pool.js';
import { INCIDENT_RETENTION_YEARS, type CheckpointKind } from '../domain/incident-deadlines.js';
import type { IncidentState } from '../domain/incident-state.js';
import { appendWorkflowStep } from '../store/journal.js';

/**
 * The incident journal of National Bank resolution No. 116, item 64 in PostgreSQL: one row per incident with the workflow's full
 * snapshot (card, measures taken and planned, submissions, receipts, timeline), retained 5 years (p.62), and
 * one event-journal entry per step with the attributes of p.55(11). Written by a short local activity in one
 * transaction, journal first.
 */
export interface IncidentJournalEntry {
  event: string;
  actor: string;
  result: 'OK' | 'REFUSED' | 'FAILED' | 'ESCALATED';
  /** Epoch ms (workflow time) when the step began; the end is when the row is written. */
  startedAtMs: number;
  /** `<workflowId>:<runId>:<revision>`: a local activity that runs twice writes once. */
  dedupeKey: string;
  details?: Record<string, unknown>;
}

export interface IncidentRecord {
  workflowId: string;
  /** Increases with every record; an older snapshot never overwrites a newer one. */
  revision: number;
  state: IncidentState;
  entry: IncidentJournalEntry;
}

export interface IncidentAlert {
  incidentId: string;
  kind: CheckpointKind;
  checkpoint: string;
  firedAtMs: number;
  dueAt: string;
  status: string;
}

export function createIncidentStoreActivities({ pool }: { pool: Pool }) {
  return {
    async recordIncident({ workflowId, revision, state, entry }: IncidentRecord): Promise<void> {
      await inTransaction(pool, async (db) => {
        await appendWorkflowStep(db, entry, {
          recordId: state.incidentId,
          details: { workflowId, status: state.status, ...entry.details },
          dedupeKey: entry.dedupeKey,
        });
        await db.query(
          `INSERT INTO incidents (incident_id, workflow_id, name, status, main_events, origin, counterpart, detected_at, detected_at_text,
             due_at, opened_at, opened_by, first_delivered_at, timeliness, escalated_at, closed_at, version, revision, state, retain_until)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $19, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                   GREATEST(now(), COALESCE($15::timestamptz, now())) + make_interval(years => ${INCIDENT_RETENTION_YEARS}))
           ON CONFLICT (incident_id) DO UPDATE SET
             name = EXCLUDED.name, status = EXCLUDED.status, main_events = EXCLUDED.main_events, detected_at = EXCLUDED.detected_at,
             detected_at_text = EXCLUDED.detected_at_text, due_at = EXCLUDED.due_at, first_delivered_at = EXCLUDED.first_delivered_at,
             timeliness = EXCLUDED.timeliness, escalated_at = EXCLUDED.escalated_at, closed_at = EXCLUDED.closed_at,
             version = EXCLUDED.version, revision = EXCLUDED.revision, state = EXCLUDED.state,
             retain_until = GREATEST(incidents.retain_until, EXCLUDED.retain_until), updated_at = now()
           WHERE incidents.revision < EXCLUDED.revision`,
          [
            state.incidentId,
            workflowId,
            state.card.name,
            state.status,
            state.card.mainEvents ?? [],
            state.origin.kind,
            state.origin.counterpart ?? null,
            state.card.detectedAt,
            state.dueAt,
            state.openedAt,
            state.openedBy,
            state.firstDeliveredAt ?? null,
            state.timeliness ?? null,
            state.escalatedAt ?? null,
            state.closedAt ?? null,
            state.version,
            revision,
            JSON.stringify(state),
            state.card.detectedAt,
          ],
        );
      });
    },

    /**
     * A reminder, a missed internal target or the escalation: kept for the console's banner (once per
     * checkpoint), logged as a structured line an alerting pipeline can match, and counted for Prometheus.
     */
    async alertIncident(alert: IncidentAlert): Promise<void> {
      await pool.query(
        `INSERT INTO incident_alerts (incident_id, kind, checkpoint, fired_at, due_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5)
         ON CONFLICT (incident_id, checkpoint) DO NOTHING`,
        [alert.incidentId, alert.kind, alert.checkpoint, alert.firedAtMs, alert.dueAt],
      );
      const fields = {
        incidentId: alert.incidentId,
        checkpoint: alert.checkpoint,
        dueAt: alert.dueAt,
        status: alert.status,
      };
      if (alert.kind === 'DEADLINE') log.error('incident card deadline passed: escalated', fields);
      else log.warn('incident card reminder', fields);
      metricMeter
        .createCounter('esu_bridge_incident_alerts', '', 'Incident reminders and escalations')
        .add(1, { kind: alert.kind.toLowerCase() });
    },
  };
}

export type IncidentStoreActivities = ReturnType<typeof createIncidentStoreActivities>;
