import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates for the mutual-TLS tests, made with the machine's `openssl` (EC P-256 keys: fast to generate):
 * a CA, a server certificate for 127.0.0.1/localhost, a client certificate, an expired client certificate,
 * and a server and a client certificate from another CA. Each is a PEM file in a temporary directory
 * (`paths`, for the *_TLS_*_PATH variables) and its text (`pem`, for servers started in the test).
 */
export interface CertificateFiles {
  cert: string;
  key: string;
}

export interface TestCertificates {
  dir: string;
  ca: string;
  otherCa: string;
  server: CertificateFiles;
  client: CertificateFiles;
  expiredClient: CertificateFiles;
  /** A client certificate that expires in 3 days: the check warns or fails on days left. */
  expiringClient: CertificateFiles;
  otherCaServer: CertificateFiles;
  otherCaClient: CertificateFiles;
  read(path: string): string;
  remove(): void;
}

const CA_CONFIG = `
[ca]
default_ca = ca_default
[ca_default]
database = index.txt
new_certs_dir = issued
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `openssl req` arguments for a fresh unencrypted P-256 key written to `keyout`, the request or certificate to `out`. */
function newP256Key(keyout: string, out: string): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyout, '-out', out];
}

function makeCa(dir: string, name: string): string {
  const caDir = join(dir, name);
  execFileSync('mkdir', ['-p', join(caDir, 'issued')]);
  writeFileSync(join(caDir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '1000\n');
  openssl(caDir, [
    'req',
    '-x509',
    ...newP256Key('ca.key', 'ca.pem'),
    '-days',
    '30',
    '-subj',
    `/CN=${name} test CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return caDir;
}

/** Issues a leaf certificate from the CA in `caDir`, valid from `start` to `end` (openssl's YYYYMMDDHHMMSSZ). */
function issue(
  caDir: string,
  name: string,
  ext: 'server_ext' | 'client_ext',
  start: Date,
  end: Date,
): CertificateFiles {
  const key = join(caDir, `${name}.key`);
  const cert = join(caDir, `${name}.pem`);
  const csr = join(caDir, `${name}.csr`);
  openssl(caDir, ['req', ...newP256Key(key, csr), '-subj', `/CN=${name}`]);
  const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  openssl(caDir, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca.key',
    '-extensions',
    ext,
    '-startdate',
    stamp(start),
    '-enddate',
    stamp(end),
    '-notext',
    '-in',
    csr,
    '-out',
    cert,
  ]);
  return { cert, key };
}

export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'esu-bridge-tls-'));
  const day = 86_400_000;
  const now = Date.now();
  const from = new Date(now - day);
  const until = new Date(now + 20 * day);
  const main = makeCa(dir, 'bookmaker-ca');
  const other = makeCa(dir, 'other-ca');
  return {
    dir,
    ca: join(main, 'ca.pem'),
    otherCa: join(other, 'ca.pem'),
    server: issue(main, 'server', 'server_ext', from, until),
    client: issue(main, 'client', 'client_ext', from, until),
    expiredClient: issue(main, 'expired-client', 'client_ext', new Date(now - 10 * day), new Date(now - 2 * day)),
    expiringClient: issue(main, 'expiring-client', 'client_ext', from, new Date(now + 3 * day)),
    otherCaServer: issue(other, 'other-server', 'server_ext', from, until),
    otherCaClient: issue(other, 'other-client', 'client_ext', from, until),
    read: (path) => readFileSync(path, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
