import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalBytes,
  certificateFingerprint,
  signDocument,
  verifyDocument,
  type SignerTrust,
} from '../../crypto/signer.js';
import { documentSigningConfig, ensureDevelopmentIdentities, simulatorSignerTrust } from '../../config/signing.js';
import {
  bookmakerTrust,
  loadTestCertificates,
  signerOf,
  testCertificates,
  type TestCertificates,
} from '../support/certificates.js';

let c: TestCertificates;
const scratch = mkdtempSync(path.join(tmpdir(), 'esu-bridge-signer-'));
beforeAll(async () => {
  c = await loadTestCertificates();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('RFC 8785 canonical form', () => {
  it('serialises the RFC 8785 §3.2.2 sample (numbers in ES6 form, minimal string escapes, sorted keys)', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalBytes(input).toString('utf8')).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = JSON.parse(
      String.raw`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
    );
    const text = canonicalBytes(input).toString('utf8');
    const order = [...text.matchAll(/:"([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(text.startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
  });

  it('is the same bytes whatever the key order the document was built in', () => {
    expect(canonicalBytes({ b: { y: 1, x: [2, { d: 1, c: 2 }] }, a: 'é' })).toEqual(
      canonicalBytes({ a: 'é', b: { x: [2, { c: 2, d: 1 }], y: 1 } }),
    );
  });
});

describe('X.509 document signer (RSA-SHA256)', () => {
  const doc = {
    submissionId: 'afm-dep-1',
    sentAt: '2026-12-01T05:00:00.000Z',
    record: { iin: '900101300123', receivedTiyn: 250_000 },
  };

  it('signs with the certificate attached and verifies against the registered certificate and CA', async () => {
    const signed = await signDocument(doc, signerOf(c.bookmaker));
    expect(signed.signature.algorithm).toBe('RSA-SHA256');
    expect(signed.signature.keyId).toBe(certificateFingerprint(signerOf(c.bookmaker).certificate));
    expect(verifyDocument(signed, bookmakerTrust())).toMatchObject({ ok: true });
    // Key order on the wire does not matter: the canonical form does.
    const reordered = {
      signature: signed.signature,
      record: { receivedTiyn: 250_000, iin: '900101300123' },
      sentAt: doc.sentAt,
      submissionId: doc.submissionId,
    };
    expect(verifyDocument(reordered, bookmakerTrust())).toMatchObject({ ok: true });
  });

  it('refuses a tampered body, or a signature by another key under our certificate: SIGNATURE_INVALID', async () => {
    const signed = await signDocument(doc, signerOf(c.bookmaker));
    expect(
      verifyDocument({ ...signed, record: { ...signed.record, receivedTiyn: 1 } }, bookmakerTrust()),
    ).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const otherKey = await signDocument(doc, { ...signerOf(c.afm), certificate: signerOf(c.bookmaker).certificate });
    expect(verifyDocument(otherKey, bookmakerTrust())).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(
      verifyDocument({ ...signed, signature: { ...signed.signature, algorithm: 'HMAC-SHA256' } }, bookmakerTrust()),
    ).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyDocument({ ...doc }, bookmakerTrust())).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(
      verifyDocument({ ...signed, signature: { ...signed.signature, keyId: 'f'.repeat(64) } }, bookmakerTrust()),
    ).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID', message: expect.stringContaining('keyId') });
  });

  it('refuses a certificate that is not the registered one, or one from another CA: CERTIFICATE_UNTRUSTED', async () => {
    const foreign = await signDocument(doc, signerOf(c.foreign));
    expect(verifyDocument(foreign, bookmakerTrust())).toMatchObject({ ok: false, code: 'CERTIFICATE_UNTRUSTED' });
    // Registered, but the receiver's CA did not issue it.
    const anotherCa: SignerTrust = { registered: c.foreign.certificate, ca: c.ca.certificate };
    expect(verifyDocument(foreign, anotherCa)).toMatchObject({
      ok: false,
      code: 'CERTIFICATE_UNTRUSTED',
      message: expect.stringContaining('certification centre'),
    });
    const garbage = await signDocument(doc, signerOf(c.bookmaker));
    expect(
      verifyDocument(
        { ...garbage, signature: { ...garbage.signature, certificate: 'bm90IGEgY2VydA==' } },
        bookmakerTrust(),
      ),
    ).toMatchObject({ ok: false, code: 'CERTIFICATE_UNTRUSTED' });
  });

  it('refuses the registered certificate outside its validity period: CERTIFICATE_EXPIRED', async () => {
    const expired = await signDocument(doc, signerOf(c.expired));
    expect(verifyDocument(expired, { registered: c.expired.certificate, ca: c.ca.certificate })).toMatchObject({
      ok: false,
      code: 'CERTIFICATE_EXPIRED',
    });
    const signed = await signDocument(doc, signerOf(c.bookmaker));
    const later = { ...bookmakerTrust(), now: () => new Date(Date.now() + 2 * 365 * 86_400_000) };
    expect(verifyDocument(signed, later)).toMatchObject({ ok: false, code: 'CERTIFICATE_EXPIRED' });
  });
});

describe('PKCS#12 signing configuration', () => {
  it('loads the key and certificate from SIGNING_PKCS12_PATH with SIGNING_PKCS12_PASSWORD', async () => {
    const { signer, development } = documentSigningConfig({
      SIGNING_PKCS12_PATH: c.paths.bookmakerP12,
      SIGNING_PKCS12_PASSWORD: c.password,
    });
    expect(development).toBe(false);
    expect(verifyDocument(await signDocument({ a: 1 }, signer), bookmakerTrust())).toMatchObject({ ok: true });
  });

  it('names the variable for a missing file, a wrong password, a file without a key, an expired certificate', () => {
    const missing = path.join(scratch, 'nowhere.p12');
    expect(() => documentSigningConfig({ SIGNING_PKCS12_PATH: missing, SIGNING_PKCS12_PASSWORD: 'x' })).toThrow(
      `SIGNING_PKCS12_PATH environment variable is invalid: no file at ${missing}`,
    );
    expect(() =>
      documentSigningConfig({ SIGNING_PKCS12_PATH: c.paths.bookmakerP12, SIGNING_PKCS12_PASSWORD: 'wrong' }),
    ).toThrow(/^SIGNING_PKCS12_PASSWORD environment variable is invalid: .*wrong password/);
    expect(() => documentSigningConfig({ SIGNING_PKCS12_PATH: c.paths.bookmakerP12 })).toThrow(
      /^SIGNING_PKCS12_PASSWORD environment variable is invalid: required/,
    );
    const certOnly = path.join(scratch, 'cert-only.p12');
    const asn1 = forge.pkcs12.toPkcs12Asn1(null, [forge.pki.certificateFromPem(c.bookmaker.certificate)], 'pw', {
      algorithm: 'aes256',
      count: 16,
    });
    writeFileSync(certOnly, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    expect(() => documentSigningConfig({ SIGNING_PKCS12_PATH: certOnly, SIGNING_PKCS12_PASSWORD: 'pw' })).toThrow(
      /^SIGNING_PKCS12_PATH environment variable is invalid: .*holds no private key/,
    );
    const notP12 = path.join(scratch, 'not.p12');
    writeFileSync(notP12, 'hello');
    expect(() => documentSigningConfig({ SIGNING_PKCS12_PATH: notP12, SIGNING_PKCS12_PASSWORD: 'pw' })).toThrow(
      /^SIGNING_PKCS12_PATH environment variable is invalid: .*not a PKCS#12/,
    );
    expect(() =>
      documentSigningConfig({ SIGNING_PKCS12_PATH: c.paths.expiredP12, SIGNING_PKCS12_PASSWORD: c.password }),
    ).toThrow(/^SIGNING_PKCS12_PATH environment variable is invalid: .*its certificate expired at \d{4}-/);
  });

  it('in production requires the PKCS#12; in development generates one under the data directory on first use, once', () => {
    expect(() => documentSigningConfig({ NODE_ENV: 'production' })).toThrow(
      /^SIGNING_PKCS12_PATH environment variable is invalid: required/,
    );
    const env = { ESU_BRIDGE_DATA_DIR: path.join(scratch, 'data') };
    const first = documentSigningConfig(env);
    expect(first.development).toBe(true);
    const ids = ensureDevelopmentIdentities(env);
    expect(ids.bookmaker.pkcs12Path.startsWith(env.ESU_BRIDGE_DATA_DIR)).toBe(true);
    // The same identity on the next start, and the simulators trust it by default.
    const again = documentSigningConfig(env);
    expect(again.certificate.fingerprint256).toBe(first.certificate.fingerprint256);
    return signDocument({ a: 1 }, again.signer).then((signed) =>
      expect(verifyDocument(signed, simulatorSignerTrust(env))).toMatchObject({ ok: true }),
    );
  });
});
