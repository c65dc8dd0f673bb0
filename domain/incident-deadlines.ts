import { z } from 'zod';

/**
 * The incident card's clock. National Bank resolution No. 116, item 65: "as soon as possible, but no later than 48 hours from detection"
 * — from *detection*, not from when someone opened the incident (an incident detected at 02:00 and opened at
 * 09:00 has 41 hours left). G4: for incidents on our side we assume the operator's clock starts with ours,
 * so the card must reach the operator and ЦМААИ inside the same 48 hours.
 */
export const INCIDENT_CARD_DEADLINE_MS = 48 * 3600_000;

/** Incident information is kept at least 5 years (p.62); G7: counted from the later of closure and last update. */
export const INCIDENT_RETENTION_YEARS = 5;

/**
 * Ours, configurable (DOMAIN "Incidents": "an earlier internal target is configurable"): when to remind before
 * the deadline, and an internal target after detection by which the card should be out (G5: 48 h is a ceiling).
 */
export const IncidentTiming = z.strictObject({
  reminderOffsetsMs: z
    .array(z.number().int().positive().max(INCIDENT_CARD_DEADLINE_MS))
    .max(10)
    .default([12 * 3600_000, 4 * 3600_000, 3600_000]),
  internalTargetMs: z
    .number()
    .int()
    .positive()
    .max(INCIDENT_CARD_DEADLINE_MS)
    .default(24 * 3600_000),
});
export type IncidentTiming = z.infer<typeof IncidentTiming>;

export type CheckpointKind = 'REMINDER' | 'INTERNAL_TARGET' | 'DEADLINE';

export interface Checkpoint {
  kind: CheckpointKind;
  /** Stable name, so a checkpoint fires once: `REMINDER-3600000`, `INTERNAL_TARGET`, `DEADLINE`. */
  key: string;
  atMs: number;
}

export function cardDueAtMs(detectedAtMs: number): number {
  return detectedAtMs + INCIDENT_CARD_DEADLINE_MS;
}

/** Every checkpoint of an incident, in time order (the deadline last among equals). */
export function incidentCheckpoints(detectedAtMs: number, timing: IncidentTiming): Checkpoint[] {
  const dueAt = cardDueAtMs(detectedAtMs);
  const points: Checkpoint[] = [
    ...[...new Set(timing.reminderOffsetsMs)].map((offset) => ({
      kind: 'REMINDER' as const,
      key: `REMINDER-${offset}`,
      atMs: dueAt - offset,
    })),
    { kind: 'INTERNAL_TARGET', key: 'INTERNAL_TARGET', atMs: detectedAtMs + timing.internalTargetMs },
    { kind: 'DEADLINE', key: 'DEADLINE', atMs: dueAt },
  ];
  const order: Record<CheckpointKind, number> = { REMINDER: 0, INTERNAL_TARGET: 1, DEADLINE: 2 };
  return points.sort((a, b) => a.atMs - b.atMs || order[a.kind] - order[b.kind]);
}

/**
 * The next checkpoint still to fire. Reminders already past when the schedule was (re)made are dropped — a
 * later reminder or the escalation supersedes them — while a missed internal target or deadline fires at once.
 */
export function nextCheckpoint(
  detectedAtMs: number,
  timing: IncidentTiming,
  fired: ReadonlySet<string>,
  scheduledAtMs: number,
): Checkpoint | undefined {
  return incidentCheckpoints(detectedAtMs, timing).find(
    (point) => !fired.has(point.key) && !(point.kind === 'REMINDER' && point.atMs < scheduledAtMs),
  );
}

/** Time left until `dueAtMs`, as ops read it: `41h 05m`, or `overdue 2h 10m`. */
export function formatTimeLeft(dueAtMs: number, nowMs: number): string {
  const left = dueAtMs - nowMs;
  const abs = Math.abs(left);
  const hours = Math.floor(abs / 3600_000);
  const minutes = Math.floor((abs % 3600_000) / 60_000);
  const text = `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return left >= 0 ? text : `overdue ${text}`;
}
