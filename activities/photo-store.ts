import { PhotoQuality, type PhotoSubmission } from '../domain/photo.js';
import type { Pool } from '../db/pool.js';

/**
 * The reference photos the bookmaker took at its own earlier KYC, by reference. Migration reads them here,
 * inside the activity, so photos never enter workflow history. The annex 1 measurements are stored with each
 * photo (the capture software produced them when the photo was taken).
 */
export interface PhotoStore {
  load(photoRef: string): Promise<PhotoSubmission | undefined>;
}

export function createPgPhotoStore(pool: Pool): PhotoStore {
  return {
    async load(photoRef) {
      const { rows } = await pool.query('SELECT image, quality FROM reference_photos WHERE photo_ref = $1', [photoRef]);
      const row = rows[0] as { image: Buffer; quality: unknown } | undefined;
      if (!row) return undefined;
      return { image: row.image.toString('base64'), quality: PhotoQuality.parse(row.quality) };
    },
  };
}

export async function saveReferencePhoto(
  pool: Pool,
  photoRef: string,
  image: Buffer,
  quality: PhotoQuality,
): Promise<void> {
  await pool.query(
    `INSERT INTO reference_photos (photo_ref, image, quality) VALUES ($1, $2, $3)
     ON CONFLICT (photo_ref) DO UPDATE SET image = EXCLUDED.image, quality = EXCLUDED.quality`,
    [photoRef, image, JSON.stringify(quality)],
  );
}
