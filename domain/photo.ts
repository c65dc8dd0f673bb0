import { z } from 'zod';

/**
 * A face photo for ЦОИД's photo-match service and the annex 1 requirements it must meet before it is sent
 * (ЦОИД rules §§13–14, annex 1). The measurements come from the capture software that takes the photo with
 * anti-spoofing (§13(2), §14(1)): esu-bridge does not look at pixels, it refuses what the measurements say
 * fails, because a request ЦОИД turns down is still a billed request (§66 by analogy) and traffic that looks
 * like probing can get the participant suspended (§49.3).
 */
export const PhotoQuality = z.strictObject({
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  /** Share of the image area covered by the face, in percent. */
  faceAreaPercent: z.number().min(0).max(100),
  /** Largest of head turn and tilt away from frontal, in degrees. */
  headRotationDegrees: z.number().min(0).max(180),
  /** Distance between the centres of the eyes, in pixels. */
  eyeDistancePx: z.number().nonnegative(),
  peopleInFrame: z.number().int().nonnegative(),
  glasses: z.enum(['NONE', 'CLEAR', 'TINTED']),
  /** Yes/no findings of the capture software, one per remaining annex 1 item. */
  checks: z.strictObject({
    antiSpoofingPassed: z.boolean(),
    aboveChestLevel: z.boolean(),
    shouldersSquare: z.boolean(),
    evenLighting: z.boolean(),
    noGlareOrFlash: z.boolean(),
    noHeadwear: z.boolean(),
    gazeAtCamera: z.boolean(),
    eyesOpenAndVisible: z.boolean(),
    neutralExpression: z.boolean(),
    sharp: z.boolean(),
  }),
});
export type PhotoQuality = z.infer<typeof PhotoQuality>;

/**
 * The photo as the app sends it: base64 JPEG/PNG. 512 KiB of base64 is far above a 720p face photo and
 * well inside Temporal's payload limit; the photo is encrypted by the payload codec like every payload.
 */
export const MAX_PHOTO_BASE64_CHARS = 700_000;
export const PhotoSubmission = z.strictObject({
  image: z
    .string()
    .min(16, 'image is empty')
    .max(MAX_PHOTO_BASE64_CHARS, 'image must be at most 512 KiB')
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'image must be base64'),
  quality: PhotoQuality,
});
export type PhotoSubmission = z.infer<typeof PhotoSubmission>;

const CHECK_TEXT: Record<keyof PhotoQuality['checks'], string> = {
  antiSpoofingPassed: 'taken with anti-spoofing software that passed it (§13(2))',
  aboveChestLevel: 'the person is shown above chest level (item 1)',
  shouldersSquare: 'shoulders square to the camera (item 7)',
  evenLighting: 'even lighting (item 8)',
  noGlareOrFlash: 'no bright spots, glare or flash reflections (items 9, 12)',
  noHeadwear: 'no headwear, face visible from chin to forehead (item 10)',
  gazeAtCamera: 'gaze straight at the camera (item 13)',
  eyesOpenAndVisible: 'eyes open and not covered by hair (item 14)',
  neutralExpression: 'neutral expression (item 15)',
  sharp: 'sharp and in focus (item 16)',
};

/** Every annex 1 requirement the photo fails, in words the app can show; empty when it may be sent. */
export function photoRequirementProblems(q: PhotoQuality): string[] {
  const problems: string[] = [];
  const [long, short] = q.widthPx >= q.heightPx ? [q.widthPx, q.heightPx] : [q.heightPx, q.widthPx];
  if (long < 640 || short < 360)
    problems.push(`image must be at least 640×360 px, got ${q.widthPx}×${q.heightPx} (item 5)`);
  if (q.faceAreaPercent < 40 || q.faceAreaPercent > 80) {
    problems.push(`face must cover 40–80 % of the image, got ${q.faceAreaPercent} % (item 2)`);
  }
  if (q.headRotationDegrees > 8)
    problems.push(`head turn or tilt must be at most 8°, got ${q.headRotationDegrees}° (item 3)`);
  if (q.eyeDistancePx < 70)
    problems.push(`eye centres must be at least 70 px apart, got ${q.eyeDistancePx} px (item 4)`);
  if (q.peopleInFrame !== 1) problems.push(`exactly one person must be in the frame, got ${q.peopleInFrame} (item 6)`);
  if (q.glasses === 'TINTED') problems.push('no tinted glasses; clear lenses only (item 11)');
  for (const [check, ok] of Object.entries(q.checks) as [keyof PhotoQuality['checks'], boolean][]) {
    if (!ok) problems.push(`photo must be ${CHECK_TEXT[check]}`);
  }
  return problems;
}

/** A photo that meets every annex 1 requirement: the baseline tests and fixtures vary from. */
export const GOOD_PHOTO_QUALITY: PhotoQuality = {
  widthPx: 1280,
  heightPx: 720,
  faceAreaPercent: 55,
  headRotationDegrees: 3,
  eyeDistancePx: 120,
  peopleInFrame: 1,
  glasses: 'NONE',
  checks: {
    antiSpoofingPassed: true,
    aboveChestLevel: true,
    shouldersSquare: true,
    evenLighting: true,
    noGlareOrFlash: true,
    noHeadwear: true,
    gazeAtCamera: true,
    eyesOpenAndVisible: true,
    neutralExpression: true,
    sharp: true,
  },
};
