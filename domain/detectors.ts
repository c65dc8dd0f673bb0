import { outages, type Interval, type MinuteBucket } from './availability.js';
import { isoWithOffset, type IncidentCardDraft } from './incident.js';

/**
 * Detectors that open an incident on their own (National Bank resolution No. 116, item 65(3), (6) and (5)): a counterpart unreachable
 * beyond a configured time outside announced maintenance, repeated refusals of our credentials (a revoked or
 * compromised API key or certificate), and a ledger whose debits and credits no longer agree. Each trip
 * carries a stable incident id for its episode, so a detector that keeps seeing the same trouble opens one
 * incident, not one a minute.
 */
export interface DetectorSettings {
  unreachableAfterMs: number;
  authFailures: number;
  authWindowMs: number;
  offsetMinutes: number;
}

export interface DetectorTrip {
  incidentId: string;
  detector: 'counterpart-unreachable' | 'credentials-refused' | 'ledger-mismatch';
  counterpart?: string;
  card: IncidentCardDraft;
}

/** `202603100215`: a minute as it appears in detector incident ids. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:T]/g, '');
}

const suspicion = (
  detectedAt: string,
  name: string,
  symptoms: string,
  mainEvents: IncidentCardDraft['mainEvents'],
  assets: IncidentCardDraft['affectedAssets'],
): IncidentCardDraft => ({
  name,
  detectedAt,
  informationSource: 'TECHNICAL_MEANS',
  symptoms,
  mainEvents,
  affectedAssets: assets,
  status: 'SUSPICION',
});

export function unreachableTrip(
  counterpart: string,
  buckets: MinuteBucket[],
  maintenance: Interval[],
  nowMs: number,
  s: DetectorSettings,
): DetectorTrip | undefined {
  const current = outages(buckets, nowMs).find((o) => o.ongoing);
  if (!current || nowMs - current.startMs < s.unreachableAfterMs) return undefined;
  // Announced planned maintenance is not an incident: reports wait and go through after it (the e-government integration rules, item 48).
  if (maintenance.some((m) => m.startMs <= nowMs && nowMs < m.endMs)) return undefined;
  const minutes = Math.round((nowMs - current.startMs) / 60_000);
  return {
    incidentId: `auto-unreachable-${counterpart}-${stamp(current.startMs)}`,
    detector: 'counterpart-unreachable',
    counterpart,
    card: suspicion(
      isoWithOffset(nowMs, s.offsetMinutes),
      `${counterpart} unreachable for ${minutes} minutes`,
      `every exchange with ${counterpart} since ${isoWithOffset(current.startMs, s.offsetMinutes)} failed (5xx or no connection), outside announced maintenance`,
      ['STABILITY_THREAT'],
      ['NETWORK_APPLICATIONS_AND_SERVICES'],
    ),
  };
}

export function credentialsRefusedTrip(
  counterpart: string,
  buckets: MinuteBucket[],
  nowMs: number,
  s: DetectorSettings,
): DetectorTrip | undefined {
  const recent = buckets.filter((b) => b.minuteMs > nowMs - s.authWindowMs && b.minuteMs <= nowMs);
  const refused = recent.reduce((sum, b) => sum + b.authFailures, 0);
  if (refused < s.authFailures) return undefined;
  // The episode starts at the first refusal of a run whose refusals are less than a window apart.
  const withRefusals = buckets
    .filter((b) => b.authFailures > 0 && b.minuteMs <= nowMs)
    .map((b) => b.minuteMs)
    .sort((a, b) => b - a);
  let start = withRefusals[0]!;
  for (const minute of withRefusals.slice(1)) {
    if (start - minute >= s.authWindowMs) break;
    start = minute;
  }
  return {
    incidentId: `auto-credentials-${counterpart}-${stamp(start)}`,
    detector: 'credentials-refused',
    counterpart,
    card: suspicion(
      isoWithOffset(nowMs, s.offsetMinutes),
      `${counterpart} refuses our credentials`,
      `${refused} requests to ${counterpart} refused with 401/403 in ${Math.round(s.authWindowMs / 60_000)} minutes: API key or certificate revoked, expired or compromised`,
      ['UNAUTHORISED_ACCESS'],
      ['NETWORK_APPLICATIONS_AND_SERVICES'],
    ),
  };
}

export function ledgerMismatchTrip(
  totals: { debits: number; credits: number },
  nowMs: number,
  s: DetectorSettings,
): DetectorTrip | undefined {
  if (totals.debits === totals.credits) return undefined;
  return {
    incidentId: `auto-ledger-${stamp(nowMs).slice(0, 8)}`,
    detector: 'ledger-mismatch',
    card: suspicion(
      isoWithOffset(nowMs, s.offsetMinutes),
      'Ledger debits and credits disagree',
      `posted debits ${totals.debits} tiyn, posted credits ${totals.credits} tiyn: a posting happened outside the double-entry rules`,
      ['UNAUTHORISED_TRANSFER'],
      ['BUSINESS_PROCESSES'],
    ),
  };
}
