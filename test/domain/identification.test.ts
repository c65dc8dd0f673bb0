import { describe, expect, it } from 'vitest';
import {
  bettorStatusOf,
  IdentificationInput,
  KzMobilePhone,
  needsOfflineCheck,
  photoMatchPasses,
} from '../../domain/identification.js';
import { GOOD_PHOTO_QUALITY, photoRequirementProblems, PhotoSubmission } from '../../domain/photo.js';
import {
  admit,
  bettorIntervalMs,
  DEFAULT_REQUESTS_PER_HOUR,
  emptyCounts,
  etaMs,
  MigrationRequest,
  ratePerHour,
  summarise,
} from '../../domain/migration.js';
import { PersonalData } from '../../domain/wire/identification.js';
import { adultIin } from '../support/ids.js';

describe('ЦОИД thresholds', () => {
  it('passes a match of exactly 85 % (§17.1) and fails anything below', () => {
    expect(photoMatchPasses(85)).toBe(true);
    expect(photoMatchPasses(84.99)).toBe(false);
    expect(photoMatchPasses(100)).toBe(true);
  });

  it('wants an offline check after more than two biometric failures (§16)', () => {
    expect([1, 2, 3, 4].map(needsOfflineCheck)).toEqual([false, false, true, true]);
  });

  it('maps steps to the status sagas read', () => {
    expect(bettorStatusOf('LIVENESS_BLOCKED')).toBe('BLOCKED');
    expect(bettorStatusOf('OFFLINE_REVIEW')).toBe('IN_REVIEW');
    expect(bettorStatusOf('SMS_CODE')).toBe('IN_PROGRESS');
    expect(bettorStatusOf('IDENTIFIED')).toBe('IDENTIFIED');
  });
});

describe('inputs', () => {
  it('normalises a Kazakhstan mobile number and refuses others', () => {
    expect(KzMobilePhone.parse('+7 (701) 123-45-67')).toBe('+77011234567');
    expect(KzMobilePhone.safeParse('+7 727 123 4567').success).toBe(false); // a landline
    expect(KzMobilePhone.safeParse('87011234567').success).toBe(false);
  });

  it('requires migration details exactly in MIGRATION mode', () => {
    expect(IdentificationInput.safeParse({ bettorId: 'b-1' }).success).toBe(true);
    expect(IdentificationInput.safeParse({ bettorId: 'b-1', mode: 'MIGRATION' }).success).toBe(false);
  });

  it('strips anything but the listed personal data, so biometrics never get through', () => {
    const data = PersonalData.parse({
      iin: adultIin(),
      lastName: 'A',
      firstName: 'B',
      birthDate: '1990-05-17',
      sex: 'M',
      citizenship: 'KZ',
      document: { type: 'ID', number: '1', issuedAt: '2020-01-01', expiresAt: '2030-01-01', issuer: 'MVD' },
      photo: 'base64-face',
      video: 'base64-liveness',
    });
    expect(Object.keys(data)).not.toContain('photo');
    expect(Object.keys(data)).not.toContain('video');
  });
});

describe('photo requirements (annex 1)', () => {
  it('accepts a photo that meets every requirement, in either orientation', () => {
    expect(photoRequirementProblems(GOOD_PHOTO_QUALITY)).toEqual([]);
    expect(photoRequirementProblems({ ...GOOD_PHOTO_QUALITY, widthPx: 360, heightPx: 640 })).toEqual([]);
  });

  it('names each requirement a photo fails, at its boundary', () => {
    const at = (patch: Partial<typeof GOOD_PHOTO_QUALITY>) =>
      photoRequirementProblems({ ...GOOD_PHOTO_QUALITY, ...patch });
    expect(at({ widthPx: 639, heightPx: 360 })[0]).toContain('640×360');
    expect(at({ widthPx: 640, heightPx: 360 })).toEqual([]);
    expect(at({ faceAreaPercent: 39 })[0]).toContain('40–80 %');
    expect(at({ faceAreaPercent: 80 })).toEqual([]);
    expect(at({ faceAreaPercent: 81 })[0]).toContain('40–80 %');
    expect(at({ headRotationDegrees: 8 })).toEqual([]);
    expect(at({ headRotationDegrees: 9 })[0]).toContain('8°');
    expect(at({ eyeDistancePx: 69 })[0]).toContain('70 px');
    expect(at({ peopleInFrame: 2 })[0]).toContain('one person');
    expect(at({ glasses: 'TINTED' })[0]).toContain('tinted');
    expect(at({ glasses: 'CLEAR' })).toEqual([]);
    expect(at({ checks: { ...GOOD_PHOTO_QUALITY.checks, noHeadwear: false, sharp: false } })).toHaveLength(2);
  });

  it('bounds the photo size and insists on base64', () => {
    expect(PhotoSubmission.safeParse({ image: 'a'.repeat(700_004), quality: GOOD_PHOTO_QUALITY }).success).toBe(false);
    expect(PhotoSubmission.safeParse({ image: 'not base64!!!!!!!!!', quality: GOOD_PHOTO_QUALITY }).success).toBe(
      false,
    );
  });
});

describe('migration rules', () => {
  it('defaults inside 2000 requests an hour (the e-government integration rules; ЦОИД rules §49.3)', () => {
    const settings = MigrationRequest.parse({
      migrationId: 'm-1',
      source: { kind: 'table', table: 'migration_bettors' },
    });
    expect(settings.requestsPerHour).toBe(DEFAULT_REQUESTS_PER_HOUR);
    expect(settings.requestsPerHour).toBeLessThan(2000);
    expect(bettorIntervalMs(1800)).toBe(6000); // 3 requests per bettor → 600 bettors an hour
    expect(
      MigrationRequest.safeParse({ migrationId: 'm', source: { kind: 'table', table: 'x; drop table journal' } })
        .success,
    ).toBe(false);
  });

  it('admits one bettor per interval after a burst, never more in any hour than the rate plus one burst', () => {
    const interval = 6000;
    let tat = 0;
    let now = 1_000_000;
    const starts: number[] = [];
    while (now < 1_000_000 + 3_600_000) {
      const { waitMs, nextTheoreticalArrivalMs } = admit(tat, now, interval, 5);
      if (waitMs > 0) now += waitMs;
      else {
        starts.push(now);
        tat = nextTheoreticalArrivalMs;
      }
    }
    expect(starts.slice(0, 5).every((t) => t === 1_000_000)).toBe(true); // the burst
    expect(starts.length).toBeLessThanOrEqual(600 + 5);
    expect(starts.length).toBeGreaterThanOrEqual(600);
    expect(starts[10]! - starts[9]!).toBe(interval);
  });

  it('computes rate, ETA and the summary the CLI shows', () => {
    expect(ratePerHour([0, 900_000, 1800_000, 2700_000, 3600_000])).toBe(4);
    expect(ratePerHour([0, 1, 2, 3])).toBe(0); // too few to tell a pace from the start-up burst
    expect(etaMs(600, 600)).toBe(3_600_000);
    expect(etaMs(10, 0)).toBeUndefined();
    const counts = { ...emptyCounts(), IDENTIFIED: 5, ALREADY_IDENTIFIED: 1, IN_REVIEW: 2, REFUSED: 1, INVALID: 1 };
    expect(summarise(counts)).toEqual({ settled: 10, done: 6, failed: 2, inReview: 2 });
  });
});
