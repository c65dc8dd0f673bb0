import type { EntryPoint } from '../../config/production.js';

/**
 * The variables an entry point names when it is started in production on the development defaults (nothing set
 * but NODE_ENV), in the order it names them.
 */
export const REFUSED_ON_DEFAULTS = {
  worker: [
    'PAYLOAD_KEYS',
    'BETTOR_REF_KEY',
    'ESU_BASE_URL',
    'ESU_API_KEY',
    'NOMAPAY_BASE_URL',
    'NOMAPAY_API_KEY',
    'AFM_BASE_URL',
    'AFM_API_KEY',
    'SIGNING_PKCS12_PATH',
    'SIGNING_PKCS12_PASSWORD',
    'AFM_SENDER',
    'INCIDENT_SENDER',
  ],
  console: ['PAYLOAD_KEYS', 'BETTOR_REF_KEY', 'CONSOLE_USERS', 'JOURNAL_SEAL_KEY', 'CONSOLE_SESSION_SECRET'],
  api: ['PAYLOAD_KEYS', 'BETTOR_REF_KEY', 'AFM_CERTIFICATE_PATH', 'AFM_CA_PATH', 'API_KEYS'],
} as const satisfies Partial<Record<EntryPoint, readonly string[]>>;
