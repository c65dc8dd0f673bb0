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

  it('refuses a plaintext payload when told to, naming its encoding and not its content', async () => {
    const error = await encryptionCodecFromEnv(env, { refusePlaintext: true }).decode([plain]).catch((e) => e);
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
    for (const client of [new Client({ connection }), new Client({ connection, dataConverter: { payloadCodecs: [lookAlike] } })]) {
      expect(() => createEsuBridgeClient({ client, ...options })).toThrow(/createEsuBridgeClient needs a Temporal Client whose dataConverter.payloadCodecs include esu-bridge's EncryptionCodec/);
    }
  });

  it('accepts one that encrypts', () => {
    const client = new Client({ connection, dataConverter: { payloadCodecs: [encryptionCodecFromEnv(env)] } });
    expect(createEsuBridgeClient({ client, ...options }).bettorRef('900517300019')).toMatch(/^[0-9a-f]+$/);
  });
});
