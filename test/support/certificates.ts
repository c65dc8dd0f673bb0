import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { issueCertificate, pkcs12Of, rsaKeyPemAsync, type IssuedCertificate } from '../../crypto/pkcs12.js';
import { rsaSha256Signer, type DocumentSigner, type SignerTrust } from '../../crypto/signer.js';

/**
 * Test certificates, generated once per process (RSA 2048 keys natively, certificates with node-forge): a CA with
 * the bookmaker's certificate, an expired one and AFM's under it, and another CA with a certificate that looks like
 * the bookmaker's. PKCS#12 files and PEMs are written to one temporary directory.
 */
export interface TestCertificates {
  ca: IssuedCertificate;
  otherCa: IssuedCertificate;
  bookmaker: IssuedCertificate;
  expired: IssuedCertificate;
  /** Issued by otherCa with the bookmaker's name. */
  foreign: IssuedCertificate;
  afm: IssuedCertificate;
  dir: string;
  password: string;
  paths: {
    ca: string;
    bookmakerP12: string;
    bookmakerPem: string;
    expiredP12: string;
    afmP12: string;
    afmPem: string;
    otherCaPem: string;
    foreignPem: string;
  };
}

let cached: TestCertificates | undefined;
let pending: Promise<TestCertificates> | undefined;

/** Generates them (once per process, a few seconds: four RSA keys in parallel); call in `beforeAll`. */
export function loadTestCertificates(): Promise<TestCertificates> {
  return (pending ??= generate().then((c) => (cached = c)));
}

/** The certificates, after `loadTestCertificates()` resolved. */
export function testCertificates(): TestCertificates {
  if (!cached) throw new Error('await loadTestCertificates() first (in beforeAll)');
  return cached;
}

/**
 * The four RSA keys are the slow part (seconds on a loaded machine): generated once and kept in
 * node_modules/.cache, so later test processes only issue fresh certificates with them.
 */
const KEY_CACHE = path.join(process.cwd(), 'node_modules', '.cache', 'esu-bridge', 'test-rsa-keys.json');

async function testKeys(): Promise<string[]> {
  if (existsSync(KEY_CACHE)) {
    const keys = JSON.parse(readFileSync(KEY_CACHE, 'utf8')) as unknown;
    if (Array.isArray(keys) && keys.length === 4 && keys.every((k) => typeof k === 'string')) return keys as string[];
  }
  const keys = await Promise.all([rsaKeyPemAsync(), rsaKeyPemAsync(), rsaKeyPemAsync(), rsaKeyPemAsync()]);
  mkdirSync(path.dirname(KEY_CACHE), { recursive: true });
  const tmp = `${KEY_CACHE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(keys), { mode: 0o600 });
  renameSync(tmp, KEY_CACHE);
  return keys;
}

async function generate(): Promise<TestCertificates> {
  const [caKey, otherCaKey, bookmakerKey, afmKey] = (await testKeys()) as [string, string, string, string];
  const day = 86_400_000;
  const now = Date.now();
  const notBefore = new Date(now - day);
  const notAfter = new Date(now + 365 * day);
  const ca = issueCertificate({ commonName: 'Test national CA', notBefore, notAfter, ca: true, privateKey: caKey });
  const otherCa = issueCertificate({
    commonName: 'Some other CA',
    notBefore,
    notAfter,
    ca: true,
    privateKey: otherCaKey,
  });
  const bookmaker = issueCertificate({
    commonName: 'Test bookmaker',
    notBefore,
    notAfter,
    issuer: ca,
    privateKey: bookmakerKey,
  });
  const expired = issueCertificate({
    commonName: 'Test bookmaker',
    notBefore: new Date(now - 400 * day),
    notAfter: new Date(now - day),
    issuer: ca,
    privateKey: bookmakerKey,
  });
  const foreign = issueCertificate({
    commonName: 'Test bookmaker',
    notBefore,
    notAfter,
    issuer: otherCa,
    privateKey: afmKey,
  });
  const afm = issueCertificate({ commonName: 'Test AFM', notBefore, notAfter, issuer: ca, privateKey: afmKey });
  const dir = mkdtempSync(path.join(tmpdir(), 'esu-bridge-certs-'));
  const password = 'test-pkcs12-password';
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, data);
    return file;
  };
  // Few PBKDF iterations: forge's key derivation is pure JS, and these files protect nothing.
  const fast = { iterations: 16 };
  return {
    ca,
    otherCa,
    bookmaker,
    expired,
    foreign,
    afm,
    dir,
    password,
    paths: {
      ca: write('ca.pem', ca.certificate),
      bookmakerP12: write('bookmaker.p12', pkcs12Of(bookmaker, password, [ca.certificate], fast)),
      bookmakerPem: write('bookmaker.pem', bookmaker.certificate),
      expiredP12: write('expired.p12', pkcs12Of(expired, password, [], fast)),
      afmP12: write('afm.p12', pkcs12Of(afm, password, [], fast)),
      afmPem: write('afm.pem', afm.certificate),
      otherCaPem: write('other-ca.pem', otherCa.certificate),
      foreignPem: write('foreign.pem', foreign.certificate),
    },
  };
}

export function signerOf(issued: IssuedCertificate): DocumentSigner {
  return rsaSha256Signer(createPrivateKey(issued.privateKey), Buffer.from(new X509Certificate(issued.certificate).raw));
}

/** What a receiver trusts in the tests: the bookmaker's certificate under the test CA. */
export function bookmakerTrust(): SignerTrust {
  const c = testCertificates();
  return { registered: c.bookmaker.certificate, ca: c.ca.certificate };
}

export function afmTrust(): SignerTrust {
  const c = testCertificates();
  return { registered: c.afm.certificate, ca: c.ca.certificate };
}

/** The worker's and the API's signing variables for a test stack. */
export function signingEnv(): Record<string, string> {
  const c = testCertificates();
  return {
    SIGNING_PKCS12_PATH: c.paths.bookmakerP12,
    SIGNING_PKCS12_PASSWORD: c.password,
    AFM_CERTIFICATE_PATH: c.paths.afmPem,
    AFM_CA_PATH: c.paths.ca,
  };
}
