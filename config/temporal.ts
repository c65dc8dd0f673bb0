import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { boolean, optionalPath, parseEnv, type Env } from './env.js';

/**
 * The Temporal connection, with the SDK's standard variable names (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*), plus our task queue and the retention `setup-temporal` gives a namespace it
 * creates.
 *
 * Not `@temporalio/envconfig` (1.24.0 exists, matching the SDK): it reads the same variable names, but also a TOML
 * profile file (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml) that would let a file on the host
 * change where a production worker connects, past docker-compose's environment and the production refusals; it is
 * in public preview, and its errors would not join ours naming every bad variable at once.
 */
const TemporalEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('esu-bridge-sagas'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: boolean.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalPath,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalPath,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalPath,
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** How long a namespace created by `dist/scripts/setup-temporal.js` keeps closed runs. */
  TEMPORAL_NAMESPACE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: {
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverRootCACertificate?: Buffer;
    serverNameOverride?: string;
  };
  namespaceRetentionDays: number;
}

export function temporalConfig(env: Env = process.env): TemporalConfig {
  const e = parseEnv(TemporalEnv, env);
  const wantsTls = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_TLS_CLIENT_CERT_PATH || e.TEMPORAL_API_KEY);
  return {
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    apiKey: e.TEMPORAL_API_KEY,
    tls: wantsTls
      ? {
          clientCertPair:
            e.TEMPORAL_TLS_CLIENT_CERT_PATH && e.TEMPORAL_TLS_CLIENT_KEY_PATH
              ? {
                  crt: readFileSync(e.TEMPORAL_TLS_CLIENT_CERT_PATH),
                  key: readFileSync(e.TEMPORAL_TLS_CLIENT_KEY_PATH),
                }
              : undefined,
          serverRootCACertificate: e.TEMPORAL_TLS_SERVER_CA_CERT_PATH
            ? readFileSync(e.TEMPORAL_TLS_SERVER_CA_CERT_PATH)
            : undefined,
          serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
    namespaceRetentionDays: e.TEMPORAL_NAMESPACE_RETENTION_DAYS,
  };
}
