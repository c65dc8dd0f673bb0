import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { createEsuBridgeClient } from '../../client/index.js';
import { EncryptionCodec, encryptionCodecFromEnv, PlaintextPayloadError } from '../../codec/encryption.js';

const env = { PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}` };
const bettor = { iin: '900517300019', phone: '+77010000000' };
const plain = defaultPayloadConverter.toPayload(bettor);

describe('payload codec', () => {
  it('encrypts every payload and decodes it back', async () => {
    const codec = encryptionCodecFromEnv(env, { refusePlaintext: true });
    const [encrypted] = await codec.encode([plain]);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain(bettor.iin);
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(bettor);
  });

  it('binds the key id and format to the ciphertext: altered metadata or a stripped format marker fails authentication', async () => {
    const twoKeys = { PAYLOAD_KEYS: `k2:${randomBytes(32).toString('base64')},${env.PAYLOAD_KEYS}` };
    const codec = encryptionCodecFromEnv(twoKeys);
    const [encrypted] = await codec.encode([plain]);
    expect(Buffer.from(encrypted!.metadata!['encryption-format']!).toString()).toBe('aad-v1');
    const stripped = { ...encrypted!, metadata: { ...encrypted!.metadata } };
    delete stripped.metadata!['encryption-format'];
    await expect(codec.decode([stripped])).rejects.toThrow(/failed authentication/);
    const flipped = { ...encrypted!, data: Buffer.from(encrypted!.data!) };
    flipped.data[20]! ^= 1;
    await expect(codec.decode([flipped])).rejects.toThrow(/failed authentication/);
    await expect(
      codec.decode([{ ...encrypted!, metadata: { ...encrypted!.metadata, 'encryption-format': Buffer.from('v9') } }]),
    ).rejects.toThrow(/unknown encryption format "v9"/);
  });

  it('still decodes payloads written before the format carried associated data', async () => {
    const { createCipheriv } = await import('node:crypto');
    const key = Buffer.from(env.PAYLOAD_KEYS.slice(3), 'base64');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const { temporal } = (await import('@temporalio/proto')).default;
    const body = temporal.api.common.v1.Payload.encode(plain).finish();
    const legacy: Payload = {
      metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from('k1') },
      data: Buffer.concat([iv, cipher.update(body), cipher.final(), cipher.getAuthTag()]),
    };
    const [decoded] = await encryptionCodecFromEnv(env).decode([legacy]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(bettor);
  });

  it('refuses a plaintext payload when told to, naming its encoding and not its content', async () => {
    const error = await encryptionCodecFromEnv(env, { refusePlaintext: true })
      .decode([plain])
      .catch((e) => e);
    expect(error).toBeInstanceOf(PlaintextPayloadError);
    expect(error.message).toMatch(/refused a plaintext payload \(encoding json\/plain\).*PAYLOAD_KEYS/);
    expect(error.message).not.toContain(bettor.iin);
  });

  it('lets through payloads that carry no data (an undefined value) and, in development, plaintext', async () => {
    const none = defaultPayloadConverter.toPayload(undefined);
    const empty: Payload = {};
    expect(await encryptionCodecFromEnv(env, { refusePlaintext: true }).decode([none, empty])).toEqual([none, empty]);
    expect(await encryptionCodecFromEnv(env).decode([plain])).toEqual([plain]);
  });

  it('recognises its own codec and no look-alike', () => {
    const lookAlike: PayloadCodec = { encode: async (p) => p, decode: async (p) => p };
    expect(EncryptionCodec.is(encryptionCodecFromEnv(env))).toBe(true);
    expect(EncryptionCodec.is(lookAlike)).toBe(false);
    expect(EncryptionCodec.is(undefined)).toBe(false);
  });
});

describe('createEsuBridgeClient', () => {
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  afterAll(() => connection.close());
  const options = { taskQueue: 'esu-bridge-sagas', bettorRefKey: 'unit-test-bettor-ref-key' };

  it('refuses a Temporal client without the encryption codec', () => {
    const lookAlike: PayloadCodec = { encode: async (p) => p, decode: async (p) => p };
    for (const client of [
      new Client({ connection }),
      new Client({ connection, dataConverter: { payloadCodecs: [lookAlike] } }),
    ]) {
      expect(() => createEsuBridgeClient({ client, ...options })).toThrow(
        /createEsuBridgeClient needs a Temporal Client whose dataConverter.payloadCodecs include esu-bridge's EncryptionCodec/,
      );
    }
  });

  it('accepts one that encrypts', () => {
    const client = new Client({ connection, dataConverter: { payloadCodecs: [encryptionCodecFromEnv(env)] } });
    expect(createEsuBridgeClient({ client, ...options }).bettorRef('900517300019')).toMatch(/^[0-9a-f]+$/);
  });
});

describe('payload keyring (rotation: the newest key first, older ones decode older histories)', () => {
  const k = () => randomBytes(32).toString('base64');

  it('refuses an older key of the wrong length or a key id given twice, naming the key', () => {
    expect(() =>
      encryptionCodecFromEnv({ PAYLOAD_KEYS: `new:${k()},old:${randomBytes(16).toString('base64')}` }),
    ).toThrow(/payload key "old" must be 32 bytes \(it is 16\)/);
    expect(() => encryptionCodecFromEnv({ PAYLOAD_KEYS: `a:${k()},a:${k()}` })).toThrow(/key id "a" appears twice/);
    expect(() => encryptionCodecFromEnv({ PAYLOAD_KEYS: `a b:${k()}` })).toThrow(/key id "a b"/);
  });

  it('lists the key ids, the current one first, with a check value that tells keys apart without showing them', () => {
    const secret = k();
    const ring = encryptionCodecFromEnv({ PAYLOAD_KEYS: `k3:${secret},k2:${k()}` }).keyring();
    expect(ring.map((r) => [r.keyId, r.current])).toEqual([
      ['k3', true],
      ['k2', false],
    ]);
    expect(ring[0]!.check).toMatch(/^[0-9a-f]{12}$/);
    expect(ring[0]!.check).not.toBe(ring[1]!.check);
    expect(encryptionCodecFromEnv({ PAYLOAD_KEYS: `other:${secret}` }).keyring()[0]!.check).toBe(ring[0]!.check);
    expect(JSON.stringify(ring)).not.toContain(secret);
  });

  it('finds the key id of every payload in a history, at any depth, without the key', async () => {
    const { keyIdsIn } = await import('../../codec/key-usage.js');
    const old = encryptionCodecFromEnv({ PAYLOAD_KEYS: `old:${k()}` });
    const current = encryptionCodecFromEnv({ PAYLOAD_KEYS: `new:${k()}` });
    const [a] = await old.encode([plain]);
    const [b, c] = await current.encode([plain, plain]);
    const history = {
      events: [
        { workflowExecutionStartedEventAttributes: { input: { payloads: [a] } } },
        { activityTaskCompletedEventAttributes: { result: { payloads: [b] } } },
        { failure: { encodedAttributes: c } },
        { marker: { details: { x: { payloads: [plain] } } } },
      ],
    };
    expect(Object.fromEntries(keyIdsIn(history))).toEqual({ old: 1, new: 2 });
  });
});
