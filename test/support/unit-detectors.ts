import type { DetectorSettings } from '../../domain/detectors.js';

const MINUTE_MS = 60_000;

/**
 * The incident detectors' settings written in minutes, as an operator sets INCIDENT_DETECT_*, in Almaty time
 * (UTC+05:00) unless `offsetMinutes` says otherwise.
 */
export function detectorSettings(settings: {
  unreachableAfterMinutes: number;
  authFailures: number;
  authWindowMinutes: number;
  offsetMinutes?: number;
}): DetectorSettings {
  return {
    unreachableAfterMs: settings.unreachableAfterMinutes * MINUTE_MS,
    authFailures: settings.authFailures,
    authWindowMs: settings.authWindowMinutes * MINUTE_MS,
    offsetMinutes: settings.offsetMinutes ?? 300,
  };
}
