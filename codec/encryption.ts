import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

/**
 * Encrypts every payload before it reaches Temporal (AES-256-GCM), so bettors' IINs, names and phones in
 * workflow inputs, results and activity arguments are never stored in clear in Temporal's database
 * (ЦОИД rules §§9–10). Search attributes and memo are not payloads: nothing personal goes there at all.
 * Keys are identified by id so they can rotate: new payloads use the current key, old ones still decode.
 *
 * The worker's codec refuses plaintext in production (`refusePlaintext`): a payload that is not ours came from
 * a caller that bypassed the codec (a client, `temporal` CLI or Web UI without PAYLOAD_KEYS), and a bettor's
 * data in it already sits in Temporal in clear. Decoding fails, so the workflow task fails with the reason in
 * its history and nothing runs. Payloads without data (an absent or `undefined` value) reveal nothing and pass.
 * A plaintext signal wedges its workflow the same way; reset it past the signal
 * (`temporal workflow reset --type LastWorkflowTask --reapply-exclude Signal`) once the caller is fixed.
 */
const { temporal } = proto; // CommonJS package: named exports are not visible to Node's ESM loader
const ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
/**
 * Payloads written since the format was versioned carry `encryption-format: aad-v1`: their key id and encoding are
 * bound to the ciphertext as associated data, so metadata edited in Temporal's database fails authentication
 * instead of steering decryption. Payloads without it are the earlier format and still decode (histories are
 * immutable); removing the marker from a new payload fails too, as its tag covers the associated data.
 */
const FORMAT_METADATA = 'encryption-format';
const FORMAT_AAD_V1 = 'aad-v1';
const associatedData = (keyId: string) => Buffer.from(`esu-bridge/${ENCODING}/${FORMAT_AAD_V1}/${keyId}`, 'utf8');
const IV_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** The key id a payload names in its (unencrypted) metadata, if it is one of ours. */
export function payloadKeyId(payload: Payload): string | undefined {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  if (!encoding || new TextDecoder().decode(encoding) !== ENCODING) return undefined;
  const id = payload.metadata?.[KEY_ID_METADATA];
  return id ? new TextDecoder().decode(id) : '';
}
const TAG_BYTES = 16;
/** Marks our codec across copies of this module (tsx and compiled builds, two installs): `instanceof` would not. */
const BRAND = Symbol.for('esu-bridge.EncryptionCodec');

export interface EncryptionCodecOptions {
  /** Throw on a payload that carries data but is not encrypted (the worker, in production). */
  refusePlaintext?: boolean;
}

/** A payload reached the worker unencrypted. Names its encoding, never its content. */
export class PlaintextPayloadError extends Error {
  override readonly name = 'PlaintextPayloadError';
}

export class EncryptionCodec implements PayloadCodec {
  readonly [BRAND] = true;
  private readonly refusePlaintext: boolean;

  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
    options: EncryptionCodecOptions = {},
  ) {
    const current = keys.get(currentKeyId);
    if (!current || current.length !== 32) throw new RangeError(`payload key "${currentKeyId}" must be 32 bytes`);
    // An older key is checked as strictly as the current one: a wrong one would only show when a history needs it.
    for (const [id, key] of keys) {
      if (!KEY_ID.test(id))
        throw new RangeError(`payload key id "${id.slice(0, 40)}" must be 1–64 letters, digits, '.', '_' or '-'`);
      if (key.length !== 32)
        throw new RangeError(
          `payload key "${id}" must be 32 bytes (it is ${key.length}): older keys decode the histories written with them`,
        );
    }
    this.refusePlaintext = options.refusePlaintext ?? false;
  }

  /**
   * The keyring, current key first: each id with a key check value (the first 12 hex of HMAC-SHA256 of a fixed
   * text under the key), so two deployments can compare their keys without showing them.
   */
  keyring(): { keyId: string; current: boolean; check: string }[] {
    const ids = [this.currentKeyId, ...[...this.keys.keys()].filter((id) => id !== this.currentKeyId)];
    return ids.map((keyId) => ({
      keyId,
      current: keyId === this.currentKeyId,
      check: createHmac('sha256', this.keys.get(keyId)!)
        .update('esu-bridge payload key check')
        .digest('hex')
        .slice(0, 12),
    }));
  }

  /** True for esu-bridge's encryption codec, whichever copy of this module built it. */
  static is(codec: unknown): codec is EncryptionCodec {
    return typeof codec === 'object' && codec !== null && (codec as Record<symbol, unknown>)[BRAND] === true;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associatedData(this.currentKeyId));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: new TextEncoder().encode(ENCODING),
          [KEY_ID_METADATA]: new TextEncoder().encode(this.currentKeyId),
          [FORMAT_METADATA]: new TextEncoder().encode(FORMAT_AAD_V1),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encodingBytes = payload.metadata?.[METADATA_ENCODING_KEY];
      const encoding = encodingBytes ? new TextDecoder().decode(encodingBytes) : undefined;
      if (encoding !== ENCODING) {
        if (this.refusePlaintext && (payload.data?.length ?? 0) > 0) {
          throw new PlaintextPayloadError(
            `refused a plaintext payload (encoding ${encoding ?? 'none'}): in production every payload must be encrypted by esu-bridge's codec (PAYLOAD_KEYS); the caller bypassed it`,
          );
        }
        return payload;
      }
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? new TextDecoder().decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with unknown key id "${keyId}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const formatBytes = payload.metadata?.[FORMAT_METADATA];
      const format = formatBytes ? new TextDecoder().decode(formatBytes) : undefined;
      if (format !== undefined && format !== FORMAT_AAD_V1)
        throw new Error(`payload in unknown encryption format "${format}"`);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      if (format === FORMAT_AAD_V1) decipher.setAAD(associatedData(keyId));
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(
          `payload under key id "${keyId}" failed authentication: its ciphertext or metadata was altered, or the key is wrong`,
        );
      }
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
export function encryptionCodecFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: EncryptionCodecOptions = {},
): EncryptionCodec {
  const spec = env.PAYLOAD_KEYS || DEV_PAYLOAD_KEYS;
  const entries = spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 1) throw new ReferenceError('PAYLOAD_KEYS environment variable is invalid: expected id:base64key[,…]');
    return [part.slice(0, colon).trim(), Buffer.from(part.slice(colon + 1).trim(), 'base64')] as const;
  });
  const ids = entries.map(([id]) => id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  // Two keys under one id: payloads of one would fail to decode with the other.
  if (twice !== undefined)
    throw new ReferenceError(`PAYLOAD_KEYS environment variable is invalid: key id "${twice}" appears twice`);
  return new EncryptionCodec(new Map(entries), entries[0]![0], options);
}
