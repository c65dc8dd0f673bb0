import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { X509Certificate } from 'node:crypto';
import { issueCertificate, pkcs12Of, Pkcs12Error, readPkcs12, type IssuedCertificate } from '../crypto/pkcs12.js';
import { rsaSha256Signer, type DocumentSigner, type SignerTrust } from '../crypto/signer.js';
import { z } from 'zod';
import { invalid, isProduction, parseEnv, type Env } from './env.js';

/**
 * Signing settings for the documents that must prove authorship (AFM submissions, incident cards, the consent
 * confirmation; the e-government integration rules §§54–59, ЦОИД rules §14.2): one PKCS#12 from the national CA
 * holds the bookmaker's key and certificate (SIGNING_PKCS12_PATH, SIGNING_PKCS12_PASSWORD). AFM's pushed verdicts
 * are checked against AFM's certificate and CA (AFM_CERTIFICATE_PATH, AFM_CA_PATH).
 *
 * In development, unset variables fall back to identities generated on first use under the data directory
 * (ESU_BRIDGE_DATA_DIR, default .data/signing): a development CA, the bookmaker's and AFM's PKCS#12 under it.
 * The simulators trust those by default, so `npm start` signs and verifies with no manual step.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The password of the generated development PKCS#12 files; production refuses the development files altogether. */
export const DEV_PKCS12_PASSWORD = 'dev-only-pkcs12-password';

export interface DevelopmentIdentities {
  dir: string;
  caPath: string;
  bookmaker: { pkcs12Path: string; certificatePath: string };
  afm: { pkcs12Path: string; certificatePath: string };
}

export function developmentSigningDir(env: Env = process.env): string {
  return path.join(env.ESU_BRIDGE_DATA_DIR ?? path.join(ROOT, '.data'), 'signing');
}

function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Where the development identities live (nothing is generated). */
export function developmentIdentityPaths(env: Env = process.env): DevelopmentIdentities {
  const dir = developmentSigningDir(env);
  return {
    dir,
    caPath: path.join(dir, 'dev-ca.pem'),
    bookmaker: { pkcs12Path: path.join(dir, 'bookmaker.p12'), certificatePath: path.join(dir, 'bookmaker.pem') },
    afm: { pkcs12Path: path.join(dir, 'afm.p12'), certificatePath: path.join(dir, 'afm.pem') },
  };
}

/** Generates the development CA and the two PKCS#12 files once; later calls find them on disk. */
export function ensureDevelopmentIdentities(env: Env = process.env): DevelopmentIdentities {
  const ids = developmentIdentityPaths(env);
  const dir = ids.dir;
  if (
    [
      ids.caPath,
      ids.bookmaker.pkcs12Path,
      ids.bookmaker.certificatePath,
      ids.afm.pkcs12Path,
      ids.afm.certificatePath,
    ].every((f) => existsSync(f))
  )
    return ids;
  mkdirSync(dir, { recursive: true });
  const notBefore = new Date(Date.now() - 60_000);
  const years = (n: number) => new Date(Date.now() + n * 365 * 86_400_000);
  const ca = issueCertificate({
    commonName: 'esu-bridge development CA (not the national CA)',
    notBefore,
    notAfter: years(10),
    ca: true,
  });
  const issue = (commonName: string): IssuedCertificate =>
    issueCertificate({ commonName, notBefore, notAfter: years(2), issuer: ca });
  const bookmaker = issue('esu-bridge development bookmaker');
  const afm = issue('AFM simulator (development)');
  writeAtomically(ids.caPath, ca.certificate);
  writeAtomically(ids.bookmaker.certificatePath, bookmaker.certificate);
  writeAtomically(ids.bookmaker.pkcs12Path, pkcs12Of(bookmaker, DEV_PKCS12_PASSWORD, [ca.certificate]));
  writeAtomically(ids.afm.certificatePath, afm.certificate);
  writeAtomically(ids.afm.pkcs12Path, pkcs12Of(afm, DEV_PKCS12_PASSWORD, [ca.certificate]));
  console.log(
    `esu-bridge: generated development signing certificates in ${dir} (development only; production needs SIGNING_PKCS12_PATH)`,
  );
  return ids;
}

function readVariableFile(variable: string, file: string): Buffer {
  if (!existsSync(file)) throw invalid(variable, `no file at ${file}`);
  return readFileSync(file);
}

export interface LoadedSigner {
  signer: DocumentSigner;
  certificate: X509Certificate;
  /** The generated development identity is in use. */
  development: boolean;
}

/**
 * Loads a signer from `<prefix>_PKCS12_PATH` / `<prefix>_PKCS12_PASSWORD`: a missing file, a wrong password, a file
 * with no key, or a certificate outside its validity period at start each fail naming the variable.
 */
export function pkcs12SignerConfig(prefix: string, env: Env, fallback?: () => string): LoadedSigner {
  const pathVar = `${prefix}_PKCS12_PATH`;
  const passwordVar = `${prefix}_PKCS12_PASSWORD`;
  const file = env[pathVar] ?? fallback?.();
  if (!file) throw invalid(pathVar, 'required: the PKCS#12 (.p12) with the signing key and certificate');
  const password = env[pathVar] ? env[passwordVar] : (env[passwordVar] ?? DEV_PKCS12_PASSWORD);
  if (password === undefined) throw invalid(passwordVar, `required: the password of ${file}`);
  const der = readVariableFile(pathVar, file);
  let identity;
  try {
    identity = readPkcs12(der, password);
  } catch (err) {
    if (!(err instanceof Pkcs12Error)) throw err;
    throw invalid(/password/.test(err.message) ? passwordVar : pathVar, `${file}: ${err.message}`);
  }
  const certificate = new X509Certificate(identity.certificate);
  const now = Date.now();
  if (now > Date.parse(certificate.validTo))
    throw invalid(pathVar, `${file}: its certificate expired at ${new Date(certificate.validTo).toISOString()}`);
  if (now < Date.parse(certificate.validFrom))
    throw invalid(
      pathVar,
      `${file}: its certificate is valid only from ${new Date(certificate.validFrom).toISOString()}`,
    );
  return {
    signer: rsaSha256Signer(identity.privateKey, identity.certificate),
    certificate,
    development: !env[pathVar],
  };
}

/** The bookmaker's document signer (SIGNING_PKCS12_PATH / SIGNING_PKCS12_PASSWORD); in development the generated one. */
export function documentSigningConfig(env: Env = process.env): LoadedSigner {
  return pkcs12SignerConfig(
    'SIGNING',
    env,
    isProduction(env) ? undefined : () => ensureDevelopmentIdentities(env).bookmaker.pkcs12Path,
  );
}

/** A certificate pair from `<certificateVar>` / `<caVar>` (PEM files), falling back in development. */
function trustFrom(
  certificateVar: string,
  caVar: string,
  env: Env,
  fallback: (ids: DevelopmentIdentities) => string,
): SignerTrust {
  const dev = isProduction(env) ? undefined : () => ensureDevelopmentIdentities(env);
  const certFile = env[certificateVar] ?? (dev ? fallback(dev()) : undefined);
  const caFile = env[caVar] ?? (dev ? dev().caPath : undefined);
  if (!certFile) throw invalid(certificateVar, 'required: the PEM certificate the signer registered');
  if (!caFile) throw invalid(caVar, 'required: the PEM certificate of the CA that issued it');
  const registered = readVariableFile(certificateVar, certFile);
  const ca = readVariableFile(caVar, caFile);
  for (const [variable, pem] of [
    [certificateVar, registered],
    [caVar, ca],
  ] as const) {
    try {
      new X509Certificate(pem);
    } catch {
      throw invalid(variable, 'not a PEM or DER X.509 certificate');
    }
  }
  return { registered, ca };
}

/**
 * AFM's certificate and CA, which its pushed verdicts must be signed under (AFM_CERTIFICATE_PATH, AFM_CA_PATH). Read
 * at once in production (a missing file stops the start); in development on the first callback, so a process that
 * never receives one generates nothing.
 */
export function afmCertificateTrust(env: Env = process.env): SignerTrust {
  const load = () => trustFrom('AFM_CERTIFICATE_PATH', 'AFM_CA_PATH', env, (ids) => ids.afm.certificatePath);
  if (isProduction(env)) return load();
  let loaded: SignerTrust | undefined;
  return {
    get registered() {
      return (loaded ??= load()).registered;
    },
    get ca() {
      return (loaded ??= load()).ca;
    },
  };
}

export interface MessageSigning {
  /** How the bookmaker is known to the receiver (its BIN or system name). */
  sender: string;
}

/** How the bookmaker names itself to AFM (AFM_SENDER) and on incident cards (INCIDENT_SENDER). */
export function signingConfig(env: Env = process.env): { afm: MessageSigning; incident: MessageSigning } {
  const e = parseEnv(
    z.object({
      AFM_SENDER: z.string().min(1).max(64).default('esu-bridge-bookmaker'),
      INCIDENT_SENDER: z.string().min(1).max(64).default('esu-bridge-bookmaker'),
    }),
    env,
  );
  return { afm: { sender: e.AFM_SENDER }, incident: { sender: e.INCIDENT_SENDER } };
}

/** Every variable this file reads (the compose file is held to what the code reads: test/config/compose.test.ts). */
export const SIGNING_VARIABLES = [
  'ESU_BRIDGE_DATA_DIR',
  'SIGNING_PKCS12_PATH',
  'SIGNING_PKCS12_PASSWORD',
  'AFM_CERTIFICATE_PATH',
  'AFM_CA_PATH',
  'SIM_SIGNER_CERTIFICATE_PATH',
  'SIM_SIGNER_CA_PATH',
  'SIM_AFM_PKCS12_PATH',
  'SIM_AFM_PKCS12_PASSWORD',
] as const;

/**
 * The simulators' side: the bookmaker's registered certificate and the CA it must chain to
 * (SIM_SIGNER_CERTIFICATE_PATH, SIM_SIGNER_CA_PATH), and the PKCS#12 the AFM simulator signs its verdicts with
 * (SIM_AFM_PKCS12_PATH / SIM_AFM_PKCS12_PASSWORD). Defaults: the generated development identities.
 */
export function simulatorSignerTrust(env: Env = process.env): SignerTrust {
  return trustFrom('SIM_SIGNER_CERTIFICATE_PATH', 'SIM_SIGNER_CA_PATH', env, (ids) => ids.bookmaker.certificatePath);
}

export function simulatorAfmSigner(env: Env = process.env): DocumentSigner {
  return pkcs12SignerConfig('SIM_AFM', env, () => ensureDevelopmentIdentities(env).afm.pkcs12Path).signer;
}
