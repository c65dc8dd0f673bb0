import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { encryptionCodecFromEnv, type EncryptionCodecOptions } from './encryption.js';

/** codec/failure-converter, with this module's own extension (.ts under tsx, .js once built). */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(`./failure-converter${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * The one data converter of every esu-bridge process (worker, client, console, CLI): payloads encrypted by the
 * codec, failure messages and stack traces moved into encrypted attributes.
 */
export function dataConverterFromEnv(
  env: Record<string, string | undefined> = process.env,
  options?: EncryptionCodecOptions,
): DataConverter {
  return { payloadCodecs: [encryptionCodecFromEnv(env, options)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
