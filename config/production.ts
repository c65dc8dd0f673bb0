import path from 'node:path';
import { DEV_PAYLOAD_KEYS } from '../codec/encryption.js';
import { parseHash, SCRYPT_PARAMS } from '../crypto/password-hash.js';
import { DEV_CONSOLE_USERS, DEV_SESSION_SECRET, parseConsoleUsers } from './console.js';
import { SIMULATORS } from './counterparts.js';
import { isProduction, parseBoolean, type Env } from './env.js';
import { DEV_JOURNAL_SEAL_KEY } from './journal.js';
import { DEV_BETTOR_REF_KEY } from './secrets.js';
import { DEV_PKCS12_PASSWORD, developmentSigningDir } from './signing.js';

export { isProduction };

/**
 * Production mode. Every development secret and default esu-bridge ships with is listed here once, with the
 * variable that replaces it and the check its value must pass. With NODE_ENV=production (the Dockerfile sets
 * it) each entry point refuses to start while any of its variables fails, naming all of them in one error;
 * in development (anything else) the start-up summary marks each one still in use. The simulators are
 * development tools and are not checked.
 */
/**
 * The processes that read configuration, each checking only the variables it uses. `esu-bridge` is not one of
 * them: its console commands act through the console's API and `esu-bridge migration` through the bookmaker API,
 * which check their own.
 */
export const ENTRY_POINTS = ['worker', 'console', 'api'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

export interface DevelopmentSetting {
  variable: string;
  usedBy: readonly EntryPoint[];
  /** What is wrong with the variable's value for production, or undefined when nothing is. Never quotes a secret. */
  problem(env: Env): string | undefined;
  /** What to set instead. */
  fix: string;
  /** Unset is fine in production too (it inherits another variable or defaults to the safe side). */
  optional?: boolean;
}

const DEVELOPMENT_DEFAULT = 'development default';
/** The shape of every development secret esu-bridge ships (`dev-only-…-change-me`), and of ones copied from examples. */
const PLACEHOLDER = /dev-only|change-?me/i;

const unset = (env: Env, name: string) => env[name] === undefined || env[name] === '';

/** A secret with a development default: refused while unset, equal to the default, or a placeholder. */
function secret(name: string, devValue?: string) {
  return (env: Env): string | undefined => {
    if (unset(env, name) || env[name] === devValue) return DEVELOPMENT_DEFAULT;
    if (PLACEHOLDER.test(env[name]!)) return 'a development placeholder';
    return undefined;
  };
}

/** A non-secret setting whose development default names a development party (`dev-afm-key`, `esu-bridge-bookmaker`). */
function named(name: string, devValue: string) {
  return (env: Env): string | undefined => {
    if (unset(env, name) || env[name] === devValue) return DEVELOPMENT_DEFAULT;
    if (/^dev-/i.test(env[name]!) || PLACEHOLDER.test(env[name]!)) return 'a development placeholder';
    return undefined;
  };
}

/** A counterpart's base URL: its default is a local simulator over http://; production speaks https:// only. */
function httpsUrl(name: string, { inherited = false } = {}) {
  return (env: Env): string | undefined => {
    if (unset(env, name)) return inherited ? undefined : DEVELOPMENT_DEFAULT;
    let url: URL;
    try {
      url = new URL(env[name]!);
    } catch {
      return 'not a URL';
    }
    return url.protocol === 'https:' ? undefined : `plain ${url.protocol}//`;
  };
}

/** AES-256 payload keys: set, well-formed, 32 random-looking bytes each, and none of them the development key. */
function payloadKeys(env: Env): string | undefined {
  const spec = env.PAYLOAD_KEYS;
  if (!spec || spec === DEV_PAYLOAD_KEYS) return DEVELOPMENT_DEFAULT;
  const devKey = DEV_PAYLOAD_KEYS.slice(DEV_PAYLOAD_KEYS.indexOf(':') + 1);
  for (const part of spec.split(',')) {
    const colon = part.indexOf(':');
    if (colon < 1) return 'malformed: expected id:base64key[,…]';
    const id = part.slice(0, colon);
    const text = part.slice(colon + 1).trim();
    const key = Buffer.from(text, 'base64');
    if (text === devKey) return `key "${id}" is the development key`;
    if (key.length !== 32 || key.toString('base64') !== text) return `key "${id}" is not 32 bytes of base64`;
    // 32 random bytes repeat hardly ever; a key of few distinct bytes was typed, not generated.
    if (new Set(key).size < 16) return `key "${id}" is weak: not random`;
  }
  return undefined;
}

function consoleUsers(env: Env): string | undefined {
  if (unset(env, 'CONSOLE_USERS') || env.CONSOLE_USERS === DEV_CONSOLE_USERS) return DEVELOPMENT_DEFAULT;
  let users;
  try {
    users = parseConsoleUsers(env.CONSOLE_USERS!);
  } catch (err) {
    return (err as Error).message.replace(/^CONSOLE_USERS environment variable is invalid: /, 'invalid: ');
  }
  const plain = users.filter((u) => !u.secret.startsWith('scrypt$')).map((u) => u.login);
  if (plain.length) return `plain-text passwords for ${plain.join(', ')}`;
  // Hashes of the older form (N = 2^14) or with weaker parameters than the console's own (N = 2^17).
  const weak = users.filter((u) => (parseHash(u.secret)?.params.N ?? 0) < SCRYPT_PARAMS.N).map((u) => u.login);
  return weak.length
    ? `passwords hashed with scrypt weaker than N=2^17 for ${weak.join(', ')} (hash them again)`
    : undefined;
}

function sessionSecret(env: Env): string | undefined {
  const problem = secret('CONSOLE_SESSION_SECRET', DEV_SESSION_SECRET)(env);
  if (problem) return problem;
  return env.CONSOLE_SESSION_SECRET!.length < 32 ? 'shorter than 32 characters' : undefined;
}

/** Unset, or one of the files generated for development under the data directory (config/signing.ts). */
function notDevelopmentFile(name: string) {
  return (env: Env): string | undefined => {
    if (unset(env, name)) return DEVELOPMENT_DEFAULT;
    return path.resolve(path.dirname(env[name]!)) === path.resolve(developmentSigningDir(env))
      ? 'a development certificate generated by npm start'
      : undefined;
  };
}

const CLIENTS: readonly EntryPoint[] = ['worker', 'console', 'api'];
const RANDOM_SECRET = 'a random secret (openssl rand -base64 32)';

function counterpart(
  prefix: 'ESU' | 'NOMAPAY' | 'AFM',
  simulator: (typeof SIMULATORS)[keyof typeof SIMULATORS],
  what: string,
): DevelopmentSetting[] {
  return [
    {
      variable: `${prefix}_BASE_URL`,
      usedBy: ['worker'],
      problem: httpsUrl(`${prefix}_BASE_URL`),
      fix: `the https:// address of ${what} (the default is the simulator at ${simulator.url})`,
    },
    {
      variable: `${prefix}_API_KEY`,
      usedBy: ['worker'],
      problem: secret(`${prefix}_API_KEY`, simulator.apiKey),
      fix: `the API key ${what} issued to the bookmaker`,
    },
  ];
}

/** Every development secret and default, with the variable that replaces it. */
export const DEVELOPMENT_SETTINGS: readonly DevelopmentSetting[] = [
  {
    variable: 'PAYLOAD_KEYS',
    usedBy: CLIENTS,
    problem: payloadKeys,
    fix: 'id:base64key[,…] with keys from openssl rand -base64 32; the first encrypts, all decrypt',
  },
  {
    variable: 'BETTOR_REF_KEY',
    usedBy: CLIENTS,
    problem: secret('BETTOR_REF_KEY', DEV_BETTOR_REF_KEY),
    fix: `${RANDOM_SECRET}, kept stable: bettor references are derived from it`,
  },
  ...counterpart('ESU', SIMULATORS.esu, 'ESU'),
  ...counterpart('NOMAPAY', SIMULATORS.nomapay, 'Nomapay'),
  // Nomapay's identification API takes the NOMAPAY_* values unless it has its own; checked when it does.
  {
    variable: 'NOMAPAY_ID_BASE_URL',
    usedBy: ['worker'],
    problem: httpsUrl('NOMAPAY_ID_BASE_URL', { inherited: true }),
    fix: "the https:// address of Nomapay's identification API",
    optional: true,
  },
  {
    variable: 'NOMAPAY_ID_API_KEY',
    usedBy: ['worker'],
    problem: (env) =>
      unset(env, 'NOMAPAY_ID_API_KEY') ? undefined : secret('NOMAPAY_ID_API_KEY', SIMULATORS.nomapay.apiKey)(env),
    fix: "the API key of Nomapay's identification API",
    optional: true,
  },
  ...counterpart('AFM', SIMULATORS.afm, 'AFM'),
  // One key and certificate sign AFM submissions, incident cards and consent confirmations (config/signing.ts).
  {
    variable: 'SIGNING_PKCS12_PATH',
    usedBy: ['worker'],
    problem: notDevelopmentFile('SIGNING_PKCS12_PATH'),
    fix: "the PKCS#12 (.p12) with the bookmaker's signing key and its certificate from the national CA",
  },
  {
    variable: 'SIGNING_PKCS12_PASSWORD',
    usedBy: ['worker'],
    problem: secret('SIGNING_PKCS12_PASSWORD', DEV_PKCS12_PASSWORD),
    fix: 'the password of that PKCS#12',
  },
  {
    variable: 'AFM_CERTIFICATE_PATH',
    usedBy: ['api'],
    problem: notDevelopmentFile('AFM_CERTIFICATE_PATH'),
    fix: "AFM's certificate (PEM), which its pushed verdicts are signed with",
  },
  {
    variable: 'AFM_CA_PATH',
    usedBy: ['api'],
    problem: notDevelopmentFile('AFM_CA_PATH'),
    fix: "the CA certificate (PEM) that issued AFM's certificate",
  },
  {
    variable: 'AFM_SENDER',
    usedBy: ['worker'],
    problem: named('AFM_SENDER', 'esu-bridge-bookmaker'),
    fix: "the bookmaker's name to AFM (its BIN or agreed system name)",
  },
  {
    variable: 'INCIDENT_SENDER',
    usedBy: ['worker'],
    problem: named('INCIDENT_SENDER', 'esu-bridge-bookmaker'),
    fix: "the bookmaker's name on incident cards",
  },
  {
    variable: 'CONSOLE_USERS',
    usedBy: ['console'],
    problem: consoleUsers,
    fix: 'login:role:scrypt$… for each officer (npm run cli -- console hash-password)',
  },
  {
    variable: 'JOURNAL_SEAL_KEY',
    usedBy: ['console'],
    problem: secret('JOURNAL_SEAL_KEY', DEV_JOURNAL_SEAL_KEY),
    fix: `${RANDOM_SECRET}: seals the journal's head; kept outside the database, stable (earlier seals are checked with it)`,
  },
  {
    variable: 'CONSOLE_SESSION_SECRET',
    usedBy: ['console'],
    problem: sessionSecret,
    fix: `${RANDOM_SECRET}, at least 32 characters`,
  },
  {
    variable: 'CONSOLE_COOKIE_SECURE',
    usedBy: ['console'],
    problem: (env) =>
      parseBoolean(env.CONSOLE_COOKIE_SECURE ?? '') === false
        ? `${env.CONSOLE_COOKIE_SECURE}: session cookies would travel without TLS`
        : undefined,
    fix: 'leave it unset: in production the session cookie is always Secure (serve the console over HTTPS)',
    optional: true,
  },
  // The bookmaker's HTTP API (api/): without API_KEYS it accepts a development key.
  {
    variable: 'API_KEYS',
    usedBy: ['api'],
    problem: secret('API_KEYS'),
    fix: 'the hashed keys of the bookmaker services allowed to call the API',
  },
  // AFM's pushed verdicts (api/routes/afm-verdicts.ts): on the development key anyone could forge one.
];

export interface DevelopmentSettingInUse {
  variable: string;
  problem: string;
  fix: string;
}

/** The development secrets and defaults an entry point would run with, in the order of DEVELOPMENT_SETTINGS. */
export function developmentSettingsInUse(
  entry: EntryPoint | readonly EntryPoint[],
  env: Env = process.env,
): DevelopmentSettingInUse[] {
  const entries: readonly EntryPoint[] = typeof entry === 'string' ? [entry] : entry;
  return DEVELOPMENT_SETTINGS.filter((s) => s.usedBy.some((e) => entries.includes(e))).flatMap((s) => {
    const problem = s.problem(env);
    return problem ? [{ variable: s.variable, problem, fix: s.fix }] : [];
  });
}

/** For the start-up summary: `{ BETTOR_REF_KEY: 'development default', ESU_BASE_URL: 'plain http://' }`. */
export function developmentSummary(
  entry: EntryPoint | readonly EntryPoint[],
  env: Env = process.env,
): Record<string, string> {
  return Object.fromEntries(developmentSettingsInUse(entry, env).map((s) => [s.variable, s.problem]));
}

/** Start-up refused in production: names every offending variable, never a value. */
export class ProductionConfigError extends Error {
  override readonly name = 'ProductionConfigError';
  /** The offending variables, in the order of DEVELOPMENT_SETTINGS. */
  readonly variables: string[];

  constructor(entry: string, settings: readonly DevelopmentSettingInUse[]) {
    const count =
      settings.length === 1
        ? '1 setting is a development default or unsafe'
        : `${settings.length} settings are development defaults or unsafe`;
    super(
      `esu-bridge ${entry}: refusing to start with NODE_ENV=production, ${count} (${settings.map((s) => s.variable).join(', ')})\n` +
        settings.map((s) => `  ${s.variable}: ${s.problem} — set ${s.fix}`).join('\n'),
    );
    this.variables = settings.map((s) => s.variable);
  }
}

/** First thing every entry point does: in production, throws naming each development setting still in use. */
export function assertProductionReady(entry: EntryPoint | readonly EntryPoint[], env: Env = process.env): void {
  if (!isProduction(env)) return;
  const inUse = developmentSettingsInUse(entry, env);
  if (inUse.length) throw new ProductionConfigError(typeof entry === 'string' ? entry : entry.join(' and '), inUse);
}
