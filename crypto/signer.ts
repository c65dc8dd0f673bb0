import { createHash, sign as rsaSign, verify as rsaVerify, X509Certificate, type KeyObject } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { DocumentSignature } from '../domain/wire/common.js';

/**
 * The one signing interface for the documents the bookmaker sends with its authorship attached (the e-government
 * integration rules §§54, 58, 59: every message carries the sender's signature, authorship is proven when it
 * corresponds to the sender's registered certificate; ЦОИД rules §14.2: the consent confirmation is signed with
 * the participant's key). Today: RSA-SHA256 under a key and X.509 certificate loaded from a PKCS#12 file
 * (crypto/pkcs12.ts). A GOST 34.310 signer (KalkanCrypt, NCALayer) implements the same interface and registers a
 * verifier for its algorithm; the callers (AFM submissions, incident cards, the consent confirmation) do not change.
 *
 * What is signed: the document without its `signature` member, in the RFC 8785 JSON canonical form (JCS), UTF-8.
 * What travels, in the document's own `signature` body member, the same shape on all three documents:
 * `{ algorithm, keyId: SHA-256 fingerprint of the certificate (hex), certificate: base64 DER, value: base64 }`.
 * The transport signature carries no timestamp (the e-government integration rules §55): the document's own
 * `sentAt`/`confirmedAt` is inside what is signed.
 */
export interface DocumentSigner {
  /** The signature algorithm written on the wire, e.g. `RSA-SHA256` (or `GOST34310-2004` for a Kalkan signer). */
  readonly algorithm: string;
  /** The signer's X.509 certificate, DER. */
  readonly certificate: Buffer;
  /** Signs the canonical bytes; returns the raw signature. */
  sign(canonicalBytes: Uint8Array): Buffer | Promise<Buffer>;
}

export { DocumentSignature };

/** The codes a receiver refuses a signed document with, the same at every simulator and at our callback endpoint. */
export const SignatureRefusal = {
  /** The body does not match the signature (tampered, or signed with another key than the certificate's). */
  Invalid: 'SIGNATURE_INVALID',
  /** The certificate is not the one registered for the sender, or does not chain to the configured CA. */
  Untrusted: 'CERTIFICATE_UNTRUSTED',
  /** The registered certificate is outside its validity period. */
  Expired: 'CERTIFICATE_EXPIRED',
} as const;
export type SignatureRefusalCode = (typeof SignatureRefusal)[keyof typeof SignatureRefusal];

export type VerifyResult =
  { ok: true; certificate: X509Certificate } | { ok: false; code: SignatureRefusalCode; message: string };

/** `canonicalize` is CommonJS (module.exports = the function); its typings describe an ES default export. */
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** RFC 8785 canonical form of a JSON document, as bytes. */
export function canonicalBytes(document: unknown): Buffer {
  const text = canonicalize(document);
  if (text === undefined) throw new TypeError('the document has no JSON form');
  return Buffer.from(text, 'utf8');
}

export function certificateFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Signs `document` (which must not carry a signature yet) and returns it with its `signature` member. */
export async function signDocument<T extends object>(
  document: T,
  signer: DocumentSigner,
): Promise<T & { signature: DocumentSignature }> {
  const value = await signer.sign(canonicalBytes(document));
  return {
    ...document,
    signature: {
      algorithm: signer.algorithm,
      keyId: certificateFingerprint(signer.certificate),
      certificate: signer.certificate.toString('base64'),
      value: value.toString('base64'),
    },
  };
}

/** RSA-SHA256 (PKCS#1 v1.5) with a node:crypto private key. */
export function rsaSha256Signer(privateKey: KeyObject, certificateDer: Buffer): DocumentSigner {
  return {
    algorithm: 'RSA-SHA256',
    certificate: certificateDer,
    sign: (bytes) => rsaSign('sha256', bytes, privateKey),
  };
}

/** Checks a signature value for one algorithm. A GOST verifier is added here under its algorithm name. */
export type SignatureCheck = (canonical: Buffer, signature: Buffer, certificate: X509Certificate) => boolean;
export const SIGNATURE_CHECKS: ReadonlyMap<string, SignatureCheck> = new Map([
  [
    'RSA-SHA256',
    (canonical: Buffer, signature: Buffer, certificate: X509Certificate) =>
      rsaVerify('sha256', canonical, certificate.publicKey, signature),
  ],
]);

/** What a receiver trusts: the certificate registered for the sender and the CA it must chain to. */
export interface SignerTrust {
  /** The sender's registered certificate (PEM or DER). */
  registered: string | Buffer;
  /** The certification centre that issued it (PEM or DER). */
  ca: string | Buffer;
  now?: () => Date;
  checks?: ReadonlyMap<string, SignatureCheck>;
}

/**
 * Verifies a signed document as received (before any normalisation, so what is checked is what was signed):
 * the attached certificate is the registered one and chains to the CA, is inside its validity period (the
 * e-government integration rules §58: the signature belongs to the sender and is valid), and the signature
 * verifies over the RFC 8785 form of the document without `signature`.
 */
export function verifyDocument(
  document: { signature?: unknown } & Record<string, unknown>,
  trust: SignerTrust,
): VerifyResult {
  const parsed = DocumentSignature.safeParse(document.signature);
  if (!parsed.success)
    return {
      ok: false,
      code: SignatureRefusal.Invalid,
      message: 'signature: not an X.509 document signature (algorithm, keyId, certificate, value)',
    };
  const signature = parsed.data;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(signature.certificate, 'base64'));
  } catch {
    return { ok: false, code: SignatureRefusal.Untrusted, message: 'signature.certificate: not an X.509 certificate' };
  }
  if (signature.keyId !== certificateFingerprint(certificate.raw)) {
    return {
      ok: false,
      code: SignatureRefusal.Invalid,
      message: 'signature.keyId: not the SHA-256 fingerprint of signature.certificate',
    };
  }
  const registered = new X509Certificate(trust.registered);
  const ca = new X509Certificate(trust.ca);
  if (certificate.fingerprint256 !== registered.fingerprint256) {
    return {
      ok: false,
      code: SignatureRefusal.Untrusted,
      message: `signature.certificate: not the certificate registered for the sender (${certificate.subject.replace(/\n/g, ', ')})`,
    };
  }
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    return {
      ok: false,
      code: SignatureRefusal.Untrusted,
      message: 'signature.certificate: not issued by the configured certification centre',
    };
  }
  const now = (trust.now ?? (() => new Date()))().getTime();
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
    return {
      ok: false,
      code: SignatureRefusal.Expired,
      message: `signature.certificate: valid ${certificate.validFrom} – ${certificate.validTo}, not now`,
    };
  }
  const check = (trust.checks ?? SIGNATURE_CHECKS).get(signature.algorithm);
  if (!check)
    return {
      ok: false,
      code: SignatureRefusal.Invalid,
      message: `signature.algorithm: ${signature.algorithm} is not accepted`,
    };
  const { signature: _omitted, ...unsigned } = document;
  let valid = false;
  try {
    valid = check(canonicalBytes(unsigned), Buffer.from(signature.value, 'base64'), certificate);
  } catch {
    valid = false;
  }
  if (!valid)
    return {
      ok: false,
      code: SignatureRefusal.Invalid,
      message:
        'signature.value: does not verify over the document: authorship not confirmed (the e-government integration rules §54)',
    };
  return { ok: true, certificate };
}
