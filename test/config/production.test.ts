import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEV_PAYLOAD_KEYS } from '../../codec/encryption.js';
import { consoleConfig, DEV_CONSOLE_USERS, DEV_SESSION_SECRET } from '../../config/console.js';
import { counterpartsConfig } from '../../config/counterparts.js';
import { DEV_BETTOR_REF_KEY, secretsConfig } from '../../config/secrets.js';
import { DEV_PKCS12_PASSWORD, developmentIdentityPaths, signingConfig } from '../../config/signing.js';
import {
  assertProductionReady,
  DEVELOPMENT_SETTINGS,
  developmentSummary,
  ProductionConfigError,
  ENTRY_POINTS,
  type EntryPoint,
} from '../../config/production.js';
import { DEV_JOURNAL_SEAL_KEY, journalSealConfig } from '../../config/journal.js';
import { hashPassword } from '../../console/auth.js';
import { sessionCookie } from '../../console/http.js';
import { refusedWith } from '../support/unit-errors.js';
import { REFUSED_ON_DEFAULTS } from '../support/unit-production.js';

const key = () => randomBytes(32).toString('base64');

/** What a real deployment sets: every secret its own, every counterpart over https://. */
const PRODUCTION: Record<string, string> = {
  NODE_ENV: 'production',
  PAYLOAD_KEYS: `2026-12:${key()},2026-06:${key()}`,
  BETTOR_REF_KEY: randomBytes(24).toString('base64'),
  ESU_BASE_URL: 'https://esu.example.kz/api',
  ESU_API_KEY: 'esu-key-7f3a9c',
  NOMAPAY_BASE_URL: 'https://api.nomapay.example.kz',
  NOMAPAY_API_KEY: 'nomapay-key-e81b',
  AFM_BASE_URL: 'https://afm.example.kz',
  AFM_API_KEY: 'afm-key-10c2',
  // The bookmaker's key and certificate from the national CA, and AFM's certificate its verdicts are signed with.
  SIGNING_PKCS12_PATH: '/run/secrets/bookmaker-rsa.p12',
  SIGNING_PKCS12_PASSWORD: randomBytes(24).toString('base64'),
  AFM_CERTIFICATE_PATH: '/etc/esu-bridge/afm.pem',
  AFM_CA_PATH: '/etc/esu-bridge/nuc-rk-rsa.pem',
  AFM_SENDER: '990140000123',
  INCIDENT_SENDER: '990140000123',
  CONSOLE_USERS: `aigerim:officer:${hashPassword('officer-password')},daniyar:admin:${hashPassword('admin-password')}`,
  CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64'),
  JOURNAL_SEAL_KEY: randomBytes(32).toString('base64'),
  API_KEYS: 'bookmaker-web:sha256$4f2a…',
};
const ALL: EntryPoint[] = [...ENTRY_POINTS];

const refusal = (entry: EntryPoint | EntryPoint[], env: Record<string, string | undefined>) =>
  refusedWith(ProductionConfigError, () => assertProductionReady(entry, env), 'production start-up');

describe('production mode (NODE_ENV=production)', () => {
  it('checks only entry points that exist: each is asserted by a process of ours', () => {
    const sources = execFileSync('git', ['grep', '-h', 'assertProductionReady(', '--', '*.ts', ':!test/'], {
      encoding: 'utf8',
    });
    for (const entry of ENTRY_POINTS) expect(sources, entry).toContain(`assertProductionReady('${entry}'`);
  });

  it('starts every entry point on a real configuration', () => {
    for (const entry of ALL) expect(() => assertProductionReady(entry, PRODUCTION)).not.toThrow();
  });

  it('refuses the development defaults, naming every variable at once, not only the first', () => {
    const error = refusal('worker', { NODE_ENV: 'production' });
    expect(error.variables).toEqual(REFUSED_ON_DEFAULTS.worker);
    for (const variable of error.variables)
      expect(error.message).toMatch(new RegExp(`^  ${variable}: development default — set `, 'm'));
    for (const entry of ['console', 'api'] as const)
      expect(refusal(entry, { NODE_ENV: 'production' }).variables, entry).toEqual(REFUSED_ON_DEFAULTS[entry]);
  });

  it('refuses each development value set explicitly, naming its variable and never quoting it', () => {
    const devValues: Record<string, string> = {
      PAYLOAD_KEYS: DEV_PAYLOAD_KEYS,
      BETTOR_REF_KEY: DEV_BETTOR_REF_KEY,
      ESU_API_KEY: 'dev-esu-key',
      NOMAPAY_API_KEY: 'dev-nomapay-key',
      AFM_API_KEY: 'dev-afm-key',
      SIGNING_PKCS12_PASSWORD: DEV_PKCS12_PASSWORD,
      AFM_SENDER: 'esu-bridge-bookmaker',
      INCIDENT_SENDER: 'esu-bridge-bookmaker',
      CONSOLE_USERS: DEV_CONSOLE_USERS,
      CONSOLE_SESSION_SECRET: DEV_SESSION_SECRET,
      JOURNAL_SEAL_KEY: DEV_JOURNAL_SEAL_KEY,
      // A placeholder in the development style, as docker-compose.yml and examples carry them.
      API_KEYS: 'dev-only-api-key-change-me',
    };
    for (const [variable, value] of Object.entries(devValues)) {
      const error = refusal(ALL, { ...PRODUCTION, [variable]: value });
      expect(error.variables, variable).toEqual([variable]);
      expect(error.message).toContain(`${variable}: `);
      if (!/SENDER|KEY_ID|_PATH$/.test(variable)) expect(error.message).not.toContain(value);
    }
  });

  it('knows every value the configuration falls back to when a variable is unset', () => {
    const { afm, incident } = signingConfig({});
    const dev = developmentIdentityPaths({});
    const c = counterpartsConfig({});
    const consoleDefaults = consoleConfig({});
    const fallbacks: Record<string, string> = {
      BETTOR_REF_KEY: secretsConfig({}).bettorRefKey,
      // The files npm start generates for development (config/signing.ts).
      SIGNING_PKCS12_PATH: dev.bookmaker.pkcs12Path,
      SIGNING_PKCS12_PASSWORD: DEV_PKCS12_PASSWORD,
      AFM_CERTIFICATE_PATH: dev.afm.certificatePath,
      AFM_CA_PATH: dev.caPath,
      AFM_SENDER: afm.sender,
      INCIDENT_SENDER: incident.sender,
      ESU_BASE_URL: c.esu.baseUrl,
      ESU_API_KEY: c.esu.apiKey,
      NOMAPAY_BASE_URL: c.nomapay.baseUrl,
      NOMAPAY_API_KEY: c.nomapay.apiKey,
      AFM_BASE_URL: c.afm.baseUrl,
      AFM_API_KEY: c.afm.apiKey,
      NOMAPAY_ID_BASE_URL: c.nomapayIdentification.baseUrl,
      NOMAPAY_ID_API_KEY: c.nomapayIdentification.apiKey,
      CONSOLE_SESSION_SECRET: consoleDefaults.sessionSecret,
      JOURNAL_SEAL_KEY: journalSealConfig({}).key,
      CONSOLE_USERS: DEV_CONSOLE_USERS,
    };
    expect(consoleDefaults.users.map((u) => u.login)).toEqual(['admin', 'officer', 'auditor']);
    for (const [variable, value] of Object.entries(fallbacks)) {
      expect(refusal(ALL, { ...PRODUCTION, [variable]: value }).variables, variable).toEqual([variable]);
    }
  });

  it('refuses every setting in the list when it is unset (except the Nomapay identification ones, which inherit)', () => {
    expect(DEVELOPMENT_SETTINGS.filter((s) => s.optional).map((s) => s.variable)).toEqual([
      'NOMAPAY_ID_BASE_URL',
      'NOMAPAY_ID_API_KEY',
      'CONSOLE_COOKIE_SECURE',
    ]);
    for (const { variable, optional } of DEVELOPMENT_SETTINGS) {
      const env = { ...PRODUCTION, [variable]: undefined };
      if (optional) expect(() => assertProductionReady(ALL, env)).not.toThrow();
      else expect(refusal(ALL, env).variables, variable).toEqual([variable]);
    }
  });

  it('refuses http:// counterparts, also for a Nomapay identification API of its own', () => {
    const error = refusal('worker', {
      ...PRODUCTION,
      ESU_BASE_URL: 'http://esu.example.kz',
      NOMAPAY_ID_BASE_URL: 'http://id.nomapay.example.kz',
      NOMAPAY_ID_API_KEY: 'dev-nomapay-key',
    });
    expect(error.variables).toEqual(['ESU_BASE_URL', 'NOMAPAY_ID_BASE_URL', 'NOMAPAY_ID_API_KEY']);
    expect(error.message).toContain('ESU_BASE_URL: plain http://');
    expect(() =>
      assertProductionReady('worker', {
        ...PRODUCTION,
        NOMAPAY_ID_BASE_URL: 'https://id.nomapay.example.kz',
        NOMAPAY_ID_API_KEY: 'id-key-93',
      }),
    ).not.toThrow();
  });

  it('refuses weak or malformed payload keys and the development key kept for decryption', () => {
    const cases: [string, RegExp][] = [
      [`2026:${Buffer.alloc(32, 1).toString('base64')}`, /key "2026" is weak/],
      [`2026:${randomBytes(16).toString('base64')}`, /key "2026" is not 32 bytes/],
      [`2026:${key()},${DEV_PAYLOAD_KEYS}`, /key "dev" is the development key/],
      [key(), /malformed/],
    ];
    for (const [spec, problem] of cases) {
      const error = refusal('worker', { ...PRODUCTION, PAYLOAD_KEYS: spec });
      expect(error.variables).toEqual(['PAYLOAD_KEYS']);
      expect(error.message).toMatch(problem);
      expect(error.message).not.toContain(spec.split(',')[0]!.split(':').pop());
    }
  });

  it('refuses console users with plain-text passwords, naming the logins but not the passwords', () => {
    const error = refusal('console', {
      ...PRODUCTION,
      CONSOLE_USERS: `aigerim:officer:${hashPassword('x')},daniyar:admin:plain-admin,saule:auditor:plain-auditor`,
    });
    expect(error.variables).toEqual(['CONSOLE_USERS']);
    expect(error.message).toContain('CONSOLE_USERS: plain-text passwords for daniyar, saule');
    expect(error.message).not.toMatch(/plain-admin|plain-auditor/);
  });

  it('refuses console passwords hashed with scrypt weaker than N=2^17 (the older form included)', () => {
    const legacy = `scrypt$${'00'.repeat(16)}$${'11'.repeat(32)}`;
    const error = refusal('console', {
      ...PRODUCTION,
      CONSOLE_USERS: `aigerim:officer:${hashPassword('x')},daniyar:admin:${legacy},saule:auditor:${hashPassword('y', undefined, { N: 1024, r: 8, p: 1 })}`,
    });
    expect(error.message).toContain(
      'CONSOLE_USERS: passwords hashed with scrypt weaker than N=2^17 for daniyar, saule',
    );
  });

  it('refuses a short session secret and cookies without Secure', () => {
    const error = refusal('console', {
      ...PRODUCTION,
      CONSOLE_SESSION_SECRET: 'only-twenty-chars-xx',
      CONSOLE_COOKIE_SECURE: 'false',
    });
    expect(error.variables).toEqual(['CONSOLE_SESSION_SECRET', 'CONSOLE_COOKIE_SECURE']);
    expect(error.message).not.toContain('only-twenty-chars-xx');
  });

  it('sends the session cookie Secure in production, and as configured in development', () => {
    const production = consoleConfig(PRODUCTION);
    expect(production.cookieSecure).toBe(true);
    expect(sessionCookie('esu_console', 'token', 60, production.cookieSecure)).toMatch(/; Secure$/);
    expect(consoleConfig({}).cookieSecure).toBe(false);
    expect(consoleConfig({ CONSOLE_COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
  });
});

describe('development mode (anything but NODE_ENV=production)', () => {
  it('starts on the development defaults and the summary marks each one', () => {
    for (const mode of [undefined, 'development', 'test', 'Production'])
      expect(() => assertProductionReady(ALL, { NODE_ENV: mode })).not.toThrow();
    const summary = developmentSummary(['worker', 'console'], {
      ESU_BASE_URL: 'http://127.0.0.1:7301',
      CONSOLE_USERS: 'officer:officer:officer',
    });
    expect(summary).toMatchObject({
      BETTOR_REF_KEY: 'development default',
      PAYLOAD_KEYS: 'development default',
      ESU_BASE_URL: 'plain http://',
      CONSOLE_USERS: 'plain-text passwords for officer',
      CONSOLE_SESSION_SECRET: 'development default',
      JOURNAL_SEAL_KEY: 'development default',
    });
    expect(Object.keys(summary)).not.toContain('API_KEYS');
    expect(developmentSummary(ALL, PRODUCTION)).toEqual({});
  });
});
