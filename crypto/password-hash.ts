/**
 * The form of the console's password hashes, `scrypt$N=131072:r=8:p=1$<salt hex>$<hash hex>`, and the parameters
 * new ones get. Read by the console to verify a password and by config/production.ts to refuse weak hashes.
 * The older `scrypt$<salt hex>$<hash hex>` (Node's defaults, N=16384) still parses.
 */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const LEGACY_PARAMS = { N: 2 ** 14, r: 8, p: 1 } as const;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** A stored secret's scrypt parameters, salt and hash; undefined for a plain (development) secret. */
export function parseHash(secret: string): ParsedHash | undefined {
  const parts = secret.split('$');
  if (parts[0] !== 'scrypt') return undefined;
  if (parts.length === 3)
    return { params: LEGACY_PARAMS, salt: Buffer.from(parts[1]!, 'hex'), hash: Buffer.from(parts[2]!, 'hex') };
  if (parts.length !== 4) return undefined;
  const m = /^N=(\d+):r=(\d+):p=(\d+)$/.exec(parts[1]!);
  if (!m) return undefined;
  return {
    params: { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) },
    salt: Buffer.from(parts[2]!, 'hex'),
    hash: Buffer.from(parts[3]!, 'hex'),
  };
}
