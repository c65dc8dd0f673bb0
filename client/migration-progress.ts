import type { MigrationProgress } from '../domain/migration.js';

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** One line: a bar, the counts, the rate and the ETA. Pure, so it is easy to test. */
export function progressLine(p: MigrationProgress, nowMs: number, width = 30): string {
  const total = p.total ?? p.settled + (p.remaining ?? 0);
  const share = total ? p.settled / total : 0;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta = p.etaAt ? formatDuration(Math.max(0, Date.parse(p.etaAt) - nowMs)) : '—';
  return (
    `${bar} ${(share * 100).toFixed(1).padStart(5)}% ${p.settled}/${total || '?'}  ` +
    `done ${p.done}  failed ${p.failed}  in review ${p.inReview}  remaining ${p.remaining ?? '?'}  ` +
    `in flight ${p.inFlight}  ${p.ratePerHour}/h  ETA ${eta}  ${p.status}`
  );
}
