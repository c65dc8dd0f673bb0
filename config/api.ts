import type { SignerTrust } from '../crypto/signer.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { duration, invalid, parseEnv, type Env } from './env.js';
import { afmCertificateTrust } from './signing.js';

/** What an API key may do: start (`write`) or read (`read`) one kind of operation; `*` is every scope. */
export const SCOPES = [
  'deposits:write',
  'deposits:read',
  'bets:write',
  'bets:read',
  'settlements:write',
  'settlements:read',
  'payouts:write',
  'payouts:read',
  'identifications:write',
  'identifications:read',
  'migrations:write',
  'migrations:read',
  'incidents:write',
  'incidents:read',
  'submissions:write',
  'reconciliations:write',
  'reconciliations:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  /** The calling service, as the journal names it. */
  name: string;
  /** SHA-256 of the key, hex: the key itself is never stored. */
  sha256: string;
  scopes: ReadonlySet<Scope>;
  /** Requests per minute this key may make (its own limit, else API_RATE_LIMIT_PER_MINUTE). */
  ratePerMinute?: number;
}

/** Development-only key: `npm start` prints it; API_KEYS replaces it (and production mode refuses its absence). */
export const DEV_API_KEY = 'dev-only-api-key-change-me';
export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const ENTRY = /^([a-z0-9][a-z0-9._-]{0,63}):([0-9a-f]{64}):([a-z*:+]+?)(?::(\d+))?$/;
const Entry = z
  .string()
  .trim()
  .regex(ENTRY, 'each entry is name:sha256hex:scope+scope[:requestsPerMinute]')
  .transform((entry, ctx): ApiKey => {
    const [, name, sha256, scopeList, rate] = ENTRY.exec(entry)!;
    const scopes = new Set<Scope>();
    for (const scope of scopeList!.split('+')) {
      if (scope === '*') SCOPES.forEach((s) => scopes.add(s));
      else if ((SCOPES as readonly string[]).includes(scope)) scopes.add(scope as Scope);
      else ctx.addIssue({ code: 'custom', message: `unknown scope ${scope} (known: *, ${SCOPES.join(', ')})` });
    }
    return { name: name!, sha256: sha256!, scopes, ratePerMinute: rate ? Number(rate) : undefined };
  });

const ApiEnv = z.object({
  API_KEYS: z.string().min(1).optional(),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /** A photo for identification is up to 700 000 base64 characters: 1 MiB leaves room for the rest. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  API_TLS_CERT_PATH: z.string().min(1).optional(),
  API_TLS_KEY_PATH: z.string().min(1).optional(),
  /** When set, callers must also present a client certificate signed by this CA (mutual TLS). */
  API_TLS_CLIENT_CA_PATH: z.string().min(1).optional(),
  /** The worker's LOG_LEVEL names (TRACE … ERROR); the API logs warnings and errors unless told otherwise. */
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  /** How old a pushed AFM verdict may be before it counts as a replay (the e-government integration rules §47). */
  AFM_CALLBACK_MAX_AGE: duration.default(5 * 60_000),
});

export interface ApiConfig {
  keys: ApiKey[];
  /** True when API_KEYS is unset and the development key is accepted. */
  devKey: boolean;
  host: string;
  port: number;
  ratePerMinute: number;
  bodyLimitBytes: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  /**
   * AFM's pushed verdicts: the certificate AFM signs them with and its CA (AFM_CERTIFICATE_PATH / AFM_CA_PATH,
   * config/signing.ts), and how old a callback may be (AFM_CALLBACK_MAX_AGE).
   */
  afmCallback: { trust: SignerTrust; maxAgeMs: number };
}

function fail(name: string, message: string): never {
  throw invalid(name, message);
}

export function apiConfig(env: Env = process.env): ApiConfig {
  // An empty API_KEYS (docker compose's `${API_KEYS:-}`) is unset.
  const e = parseEnv(ApiEnv, { ...env, API_KEYS: env.API_KEYS || undefined });
  let keys: ApiKey[];
  if (e.API_KEYS) {
    const entries = z.array(Entry).safeParse(e.API_KEYS.split(','));
    if (!entries.success) fail('API_KEYS', entries.error.issues[0]!.message);
    keys = entries.data;
    const names = new Set(keys.map((k) => k.name));
    if (names.size !== keys.length) fail('API_KEYS', 'two keys share a name');
  } else {
    keys = [{ name: 'dev', sha256: sha256Hex(DEV_API_KEY), scopes: new Set(SCOPES) }];
  }
  if (Boolean(e.API_TLS_CERT_PATH) !== Boolean(e.API_TLS_KEY_PATH))
    fail('API_TLS_CERT_PATH', 'set API_TLS_CERT_PATH and API_TLS_KEY_PATH together');
  if (e.API_TLS_CLIENT_CA_PATH && !e.API_TLS_CERT_PATH)
    fail('API_TLS_CLIENT_CA_PATH', 'mutual TLS needs API_TLS_CERT_PATH and API_TLS_KEY_PATH too');
  return {
    keys,
    devKey: !e.API_KEYS,
    host: e.API_HOST,
    port: e.API_PORT,
    ratePerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: e.API_BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL.toLowerCase() as ApiConfig['logLevel'],
    afmCallback: { trust: afmCertificateTrust(env), maxAgeMs: e.AFM_CALLBACK_MAX_AGE },
    tls: e.API_TLS_CERT_PATH
      ? {
          cert: readFileSync(e.API_TLS_CERT_PATH),
          key: readFileSync(e.API_TLS_KEY_PATH!),
          clientCa: e.API_TLS_CLIENT_CA_PATH ? readFileSync(e.API_TLS_CLIENT_CA_PATH) : undefined,
        }
      : undefined,
  };
}

/** An API_KEYS entry for a key (`npm run cli -- api new-key NAME SCOPES` makes both): only its hash is configured. */
export const apiKeyEntry = (name: string, key: string, scopes: string[]) =>
  `${name}:${sha256Hex(key)}:${scopes.join('+')}`;

/** What start-up logs about the API: never a key or its hash. */
export function apiSummary(config: ApiConfig): Record<string, unknown> {
  return {
    keys: config.devKey ? 'DEVELOPMENT KEY (set API_KEYS)' : config.keys.map((k) => k.name),
    tls: Boolean(config.tls),
    mutualTls: Boolean(config.tls?.clientCa),
    ratePerMinute: config.ratePerMinute,
    bodyLimitBytes: config.bodyLimitBytes,
  };
}
