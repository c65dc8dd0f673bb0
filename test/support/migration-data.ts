import { randomBytes } from 'node:crypto';
import { saveReferencePhoto } from '../../activities/photo-store.js';
import type { Pool } from '../../db/pool.js';
import { withCheckDigit } from '../../domain/iin.js';
import type { MigrationOutcome } from '../../domain/migration.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { simAdmin } from './sim-admin.js';

/**
 * Existing bettors for migration tests and the benchmark: a table of N rows in the source format, the
 * reference photos they point to, simulator settings for the ones meant to fail, and the outcome each
 * bettor should end with.
 */
export interface PlannedBettor {
  bettorId: string;
  iin: string;
  phone: string;
  consentGivenAt: string;
  photoRef: string;
  expected: MigrationOutcome;
  /** Simulator person setting, when the bettor is meant to fail there. */
  person?: { photoScore?: number; knownToState?: boolean };
}

export const GOOD_PHOTO = 'fixture-good-photo';
export const BAD_PHOTO = 'fixture-bad-photo';

/** `count` distinct valid IINs born in `years` (first year inclusive), spread over dates so none repeat. */
function distinctIins(count: number, fromYear: number, years: number): string[] {
  const seen = new Set<string>();
  for (let i = 0; seen.size < count; i++) {
    const year = fromYear + (i % years);
    const month = 1 + (Math.floor(i / years) % 12);
    const day = 1 + (Math.floor(i / (years * 12)) % 28);
    const century = year >= 2000 ? '5' : '3';
    const serial = randomBytes(2).readUInt16BE() % 10_000;
    const first11 = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${century}${String(serial).padStart(4, '0')}`;
    try {
      seen.add(withCheckDigit(first11));
    } catch {
      continue;
    }
  }
  return [...seen];
}

export type Mix = Partial<
  Record<'invalid' | 'lowScore' | 'underAge' | 'badPhoto' | 'unknownToState' | 'alreadyIdentified', number>
>;

export function planBettors(n: number, prefix: string, mix: Mix = {}): PlannedBettor[] {
  const adults = distinctIins(n, 1960, 40);
  const minors = distinctIins(mix.underAge ?? 0, 2008, 1);
  const plan: PlannedBettor[] = adults.map((iin, i) => ({
    bettorId: `${prefix}-${String(i).padStart(6, '0')}`,
    iin,
    phone: '+77011234567',
    consentGivenAt: '2024-05-01T10:00:00+05:00',
    photoRef: GOOD_PHOTO,
    expected: 'IDENTIFIED',
  }));
  // Spread each kind of failure over the whole run (every k-th bettor), so it meets the restart and the faults.
  const totalSpecial = Object.values(mix).reduce((a, b) => a + (b ?? 0), 0) || 1;
  let next = 0;
  const take = (count = 0, apply: (b: PlannedBettor, k: number) => void) => {
    for (let k = 0; k < count; k++) {
      const index = Math.floor(((next++ + 0.5) * n) / totalSpecial) % n;
      apply(plan[index]!, k);
    }
  };
  take(mix.invalid, (b) =>
    Object.assign(b, { iin: b.iin.slice(0, 11) + String((Number(b.iin[11]) + 1) % 10), expected: 'INVALID' }),
  );
  take(mix.lowScore, (b) => Object.assign(b, { person: { photoScore: 70 }, expected: 'IN_REVIEW' }));
  take(mix.underAge, (b, k) => Object.assign(b, { iin: minors[k]!, expected: 'REFUSED' }));
  take(mix.badPhoto, (b) => Object.assign(b, { photoRef: BAD_PHOTO, expected: 'IN_REVIEW' }));
  take(mix.unknownToState, (b) => Object.assign(b, { person: { knownToState: false }, expected: 'REFUSED' }));
  take(mix.alreadyIdentified, (b) => Object.assign(b, { expected: 'ALREADY_IDENTIFIED' }));
  return plan;
}

export async function seedSource(pool: Pool, table: string, plan: PlannedBettor[]): Promise<void> {
  await pool.query(`CREATE TABLE ${table} (LIKE migration_bettors INCLUDING ALL)`);
  await pool.query(
    `INSERT INTO ${table} (bettor_id, iin, phone, consent_given_at, agreement_version, photo_ref)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [
      plan.map((b) => b.bettorId),
      plan.map((b) => b.iin),
      plan.map((b) => b.phone),
      plan.map((b) => b.consentGivenAt),
      plan.map(() => 'v1'),
      plan.map((b) => b.photoRef),
    ],
  );
  await saveReferencePhoto(pool, GOOD_PHOTO, Buffer.from('a reference face photo'), GOOD_PHOTO_QUALITY);
  await saveReferencePhoto(pool, BAD_PHOTO, Buffer.from('a dark photo'), {
    ...GOOD_PHOTO_QUALITY,
    checks: { ...GOOD_PHOTO_QUALITY.checks, evenLighting: false },
  });
  const already = plan.filter((b) => b.expected === 'ALREADY_IDENTIFIED');
  if (already.length) {
    await pool.query(
      `INSERT INTO bettor_identifications (bettor_id, workflow_id, status, step, method, identified_at)
       SELECT id, 'Identification:' || id, 'IDENTIFIED', 'IDENTIFIED', 'TWO_FACTOR', now() FROM unnest($1::text[]) AS id`,
      [already.map((b) => b.bettorId)],
    );
  }
}

/** Tells the Nomapay simulator which people score low or are unknown to the state database. */
export async function configureSimulator(nomapayUrl: string, plan: PlannedBettor[]): Promise<void> {
  for (const b of plan.filter((p) => p.person)) await simAdmin(nomapayUrl).setPerson({ iin: b.iin, ...b.person });
}
