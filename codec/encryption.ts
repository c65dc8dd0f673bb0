import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

/**
 * Encrypts every payload before it reaches Temporal (AES-256-GCM), so bettors' IINs, names and phones in
 * workflow inputs, results and activity arguments are never stored in clear in Temporal's database
 * (seed 002 §§9–10). Search attributes and memo are not payloads: nothing personal goes there at all.
 * Keys are identified by id so they can rotate: new payloads use the current key, old ones still decode.
 */
const { temporal } = proto; // CommonJS package: named exports are not visible to Node's ESM loader
const ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    const current = keys.get(currentKeyId);
    if (!current || current.length !== 32) throw new RangeError(`payload key "${currentKeyId}" must be 32 bytes`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: new TextEncoder().encode(ENCODING),
          [KEY_ID_METADATA]: new TextEncoder().encode(this.currentKeyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || new TextDecoder().decode(encoding) !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? new TextDecoder().decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with unknown key id "${keyId}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** Development key, used only when PAYLOAD_KEYS is unset; start-up says so. */
export const DEV_PAYLOAD_KEYS = 'dev:' + Buffer.alloc(32, 7).toString('base64');

/**
 * `PAYLOAD_KEYS` is `id:base64key[,id:base64key…]`; the first is the current key. Generate one with
 * `openssl rand -base64 32`.
 */
export function encryptionCodecFromEnv(env: Record<string, string | undefined> = process.env): EncryptionCodec {
  const spec = env.PAYLOAD_KEYS || DEV_PAYLOAD_KEYS;
  const entries = spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 1) throw new ReferenceError('PAYLOAD_KEYS environment variable is invalid: expected id:base64key[,…]');
    return [part.slice(0, colon), Buffer.from(part.slice(colon + 1), 'base64')] as const;
  });
  return new EncryptionCodec(new Map(entries), entries[0]![0]);
}
