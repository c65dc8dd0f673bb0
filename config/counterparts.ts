import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Counterpart } from '../domain/wire/common.js';
import { boolean, invalid, notDefined, optionalPath, parseEnv, type Env } from './env.js';

/**
 * The counterparts: every one has a base URL and an API key, and optionally mutual TLS, so a bookmaker swaps the
 * simulators for the real endpoints by setting these and nothing else.
 */

/** How to reach one counterpart: its base URL, API key and, where it asks for it, mutual TLS (the ESU integration plan, item 10; ЦОИД rules §§18–20). */
export interface CounterpartEndpoint {
  counterpart: Counterpart;
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; shorter than the activities' startToCloseTimeout so a retry gets a chance. */
  timeoutMs: number;
  /** Largest answer body read, in bytes (DEFAULT_MAX_RESPONSE_BYTES when absent); a larger 2xx answer is a contract violation. */
  maxResponseBytes?: number;
  tls?: CounterpartTls;
}

/**
 * Mutual TLS towards one counterpart: PEM files by path, and their contents when config/ has read them at start
 * (so a missing file stops the process there, naming its variable). The CA bundle replaces the system's roots.
 */
export interface CounterpartTls {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

export const DEFAULT_PORTS = { temporal: 7233, temporalUi: 8233, esu: 7301, nomapay: 7302, afm: 7303 } as const;

/** The counterparts' simulators (npm start): the development defaults of an address and an API key. */
export const SIMULATORS = {
  esu: { url: `http://127.0.0.1:${DEFAULT_PORTS.esu}`, apiKey: 'dev-esu-key' },
  nomapay: { url: `http://127.0.0.1:${DEFAULT_PORTS.nomapay}`, apiKey: 'dev-nomapay-key' },
  afm: { url: `http://127.0.0.1:${DEFAULT_PORTS.afm}`, apiKey: 'dev-afm-key' },
} as const;

const CounterpartEnv = (prefix: string, defaultUrl: string, defaultKey: string) =>
  z.object({
    [`${prefix}_BASE_URL`]: z.url().default(defaultUrl),
    [`${prefix}_API_KEY`]: z.string().min(1).default(defaultKey),
    [`${prefix}_TIMEOUT_MS`]: z.coerce.number().int().positive().default(10_000),
    [`${prefix}_TLS_CLIENT_CERT_PATH`]: optionalPath,
    [`${prefix}_TLS_CLIENT_KEY_PATH`]: optionalPath,
    [`${prefix}_TLS_SERVER_CA_CERT_PATH`]: optionalPath,
    [`${prefix}_TLS_SERVER_NAME`]: z.string().min(1).optional(),
  });

/** A PEM file a *_TLS_*_PATH variable names, read at start: a missing or unreadable file is an error naming the variable. */
function pemFile(variable: string, path: string, what: 'certificate' | 'key'): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw invalid(variable, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const marker = what === 'key' ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/;
  if (!marker.test(text.toString('latin1')))
    throw invalid(variable, `${path} holds no PEM ${what === 'key' ? 'private key' : 'certificate'}`);
  return text;
}

function counterpartEndpoint(
  counterpart: Counterpart,
  prefix: string,
  simulator: keyof typeof SIMULATORS,
  env: Env,
): CounterpartEndpoint {
  const { url: defaultUrl, apiKey: defaultKey } = SIMULATORS[simulator];
  const e = parseEnv(CounterpartEnv(prefix, defaultUrl, defaultKey), env) as Record<
    string,
    string | number | undefined
  >;
  const get = (name: string) => e[`${prefix}_${name}`] as string | undefined;
  const tlsPaths = {
    certPath: get('TLS_CLIENT_CERT_PATH'),
    keyPath: get('TLS_CLIENT_KEY_PATH'),
    caPath: get('TLS_SERVER_CA_CERT_PATH'),
    serverName: get('TLS_SERVER_NAME'),
  };
  // Mutual TLS (the ESU integration plan, item 10; ЦОИД rules §§18–20): a client certificate goes with its key.
  if (tlsPaths.certPath && !tlsPaths.keyPath)
    throw notDefined(`${prefix}_TLS_CLIENT_KEY_PATH`, `${prefix}_TLS_CLIENT_CERT_PATH needs its private key`);
  if (tlsPaths.keyPath && !tlsPaths.certPath)
    throw notDefined(`${prefix}_TLS_CLIENT_CERT_PATH`, `${prefix}_TLS_CLIENT_KEY_PATH needs its certificate`);
  const tls = Object.values(tlsPaths).some(Boolean)
    ? {
        ...tlsPaths,
        ...(tlsPaths.certPath
          ? { cert: pemFile(`${prefix}_TLS_CLIENT_CERT_PATH`, tlsPaths.certPath, 'certificate') }
          : {}),
        ...(tlsPaths.keyPath ? { key: pemFile(`${prefix}_TLS_CLIENT_KEY_PATH`, tlsPaths.keyPath, 'key') } : {}),
        ...(tlsPaths.caPath
          ? { ca: pemFile(`${prefix}_TLS_SERVER_CA_CERT_PATH`, tlsPaths.caPath, 'certificate') }
          : {}),
      }
    : undefined;
  return {
    counterpart,
    baseUrl: get('BASE_URL')!,
    apiKey: get('API_KEY')!,
    timeoutMs: e[`${prefix}_TIMEOUT_MS`] as number,
    tls,
  };
}

export interface CounterpartsConfig {
  esu: CounterpartEndpoint;
  nomapay: CounterpartEndpoint;
  /** AFM's submission API (AFM order No. 9; REQ-AFM-23: endpoint and credentials are configuration). */
  afm: CounterpartEndpoint;
  /**
   * Nomapay's identification API (the ЦОИД participant; ЦОИД rules §45). NOMAPAY_ID_* when it differs (its own
   * host, or mutual TLS with certificates from the operator's CA, §§18–20); otherwise the NOMAPAY_* values.
   */
  nomapayIdentification: CounterpartEndpoint;
}

export function counterpartsConfig(env: Env = process.env): CounterpartsConfig {
  return {
    esu: counterpartEndpoint('esu', 'ESU', 'esu', env),
    nomapay: counterpartEndpoint('nomapay', 'NOMAPAY', 'nomapay', env),
    afm: counterpartEndpoint('afm', 'AFM', 'afm', env),
    nomapayIdentification: counterpartEndpoint('tsoid', 'NOMAPAY_ID', 'nomapay', {
      ...Object.fromEntries(
        Object.entries(env).flatMap(([k, v]) =>
          k.startsWith('NOMAPAY_') ? [[k.replace('NOMAPAY_', 'NOMAPAY_ID_'), v]] : [],
        ),
      ),
      ...env,
    }),
  };
}

/**
 * BETTOR_IDENTIFICATION_REQUIRED (default true): deposits and bets are taken only from bettors whose
 * identification through Nomapay (the ESU integration plan, items 6–7) ended IDENTIFIED. Turn it off only for
 * benchmarks or a bookmaker whose bettors are identified by another system of record.
 */
export function identificationConfig(env: Env = process.env): { required: boolean } {
  return {
    required: parseEnv(z.object({ BETTOR_IDENTIFICATION_REQUIRED: boolean.default(true) }), env)
      .BETTOR_IDENTIFICATION_REQUIRED,
  };
}
