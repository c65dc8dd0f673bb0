import {
  createPrivateKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * PKCS#12 files (the national CA hands out keys and certificates as .p12): parsed with node-forge, then
 * handed to node:crypto, which does the signing. Also issues certificates and PKCS#12 files for development
 * and tests (a self-made CA and the bookmaker's certificate under it).
 */
export interface SigningIdentity {
  privateKey: KeyObject;
  /** The certificate that matches the private key, DER. */
  certificate: Buffer;
  /** The other certificates in the file (the issuing CA, if it is there), DER. */
  chain: Buffer[];
}

/** Thrown when a PKCS#12 cannot be used; the message says why (the caller names the variable). */
export class Pkcs12Error extends Error {}

function derOf(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

export function readPkcs12(der: Buffer, password: string): SigningIdentity {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), password);
  } catch (err) {
    const text = (err as Error).message;
    throw new Pkcs12Error(
      /MAC could not be verified|password/i.test(text)
        ? 'wrong password (the PKCS#12 MAC does not verify)'
        : `not a PKCS#12 file (${text})`,
    );
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const forgeKey = keyBags.find((b) => b.key)?.key;
  if (!forgeKey) throw new Pkcs12Error('it holds no private key');
  const privateKey = createPrivateKey(forge.pki.privateKeyToPem(forgeKey as forge.pki.rsa.PrivateKey));
  const certs = (p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []).flatMap((b) =>
    b.cert ? [derOf(b.cert)] : [],
  );
  const own = certs.find((der) => new X509Certificate(der).checkPrivateKey(privateKey));
  if (!own) throw new Pkcs12Error('it holds no certificate for its private key');
  return { privateKey, certificate: own, chain: certs.filter((der) => der !== own) };
}

export interface IssuedCertificate {
  /** PEM of the certificate. */
  certificate: string;
  /** PEM (PKCS#8) of its private key. */
  privateKey: string;
}

export interface IssueOptions {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Signs the new certificate; none = self-signed (a CA). */
  issuer?: IssuedCertificate;
  /** A CA certificate (basicConstraints cA, keyCertSign). */
  ca?: boolean;
  /** Reuse a key instead of generating one (keys are the slow part). */
  privateKey?: string;
}

/** An RSA 2048 key, generated natively (node:crypto), as PKCS#8 PEM. */
export function rsaKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/** The same, off the main thread: several keys are generated in parallel. */
export async function rsaKeyPemAsync(): Promise<string> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function issueCertificate(o: IssueOptions): IssuedCertificate {
  const keyPem = o.privateKey ?? rsaKeyPem();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = o.notBefore;
  cert.validity.notAfter = o.notAfter;
  cert.setSubject([{ name: 'commonName', value: o.commonName }]);
  const issuerCert = o.issuer ? forge.pki.certificateFromPem(o.issuer.certificate) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : [{ name: 'commonName', value: o.commonName }]);
  cert.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        ],
  );
  // forge lays out the TBSCertificate (sha256WithRSAEncryption); node:crypto signs it (forge's RSA is pure JS, slow).
  cert.sign({ sign: () => '' } as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = nodeSign('sha256', tbs, createPrivateKey(o.issuer ? o.issuer.privateKey : keyPem)).toString(
    'binary',
  );
  return { certificate: forge.pki.certificateToPem(cert), privateKey: keyPem };
}

/** A PKCS#12 (DER) holding the key, its certificate and the chain, under `password`. */
export function pkcs12Of(
  identity: IssuedCertificate,
  password: string,
  chain: string[] = [],
  { iterations = 2048 }: { iterations?: number } = {},
): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(identity.privateKey),
    [forge.pki.certificateFromPem(identity.certificate), ...chain.map((pem) => forge.pki.certificateFromPem(pem))],
    password,
    { algorithm: 'aes256', friendlyName: 'esu-bridge', count: iterations },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
