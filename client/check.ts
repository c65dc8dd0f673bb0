import { X509Certificate, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { signAfmSubmission } from '../activities/afm.js';
import { createConsentSigner } from '../activities/consent-signer.js';
import { createEsuActivities } from '../activities/esu.js';
import { CounterpartClient, tlsConnectOptions, type CounterpartEndpoint } from '../activities/http.js';
import { createNomapayActivities } from '../activities/nomapay.js';
import { isProduction } from '../config/index.js';
import { documentSigningConfig, signingConfig } from '../config/signing.js';
import { ErrorType } from '../domain/errors.js';
import { Iin, withCheckDigit } from '../domain/iin.js';
import { formatKzt } from '../domain/money.js';
import {
  AFM_SIGNATURE_CHECKS_PATH,
  AfmMessagesPage,
  afmMessagesPath,
  AfmSubmissionMessage,
  type UnsignedAfmSubmission,
} from '../domain/wire/afm.js';
import { SignatureCheckResult } from '../domain/wire/common.js';
import { EsuOperationRequest, EsuReceipt, EsuRecordedOperation } from '../domain/wire/esu.js';
import { CONSENT_SIGNATURE_CHECKS_PATH, ConsentConfirmation } from '../domain/wire/identification.js';
import { WalletTransfer, WalletTransferRequest } from '../domain/wire/nomapay.js';

/**
 * `esu-bridge check`: the ESU integration plan as commands a bookmaker runs against the configured endpoints
 * (items 10, 12, 13 and 15). Per counterpart, in order, each check passing, failing or skipped with its reason:
 *
 * - channel (item 10: TLS certificates, the whitelisted address): DNS, TCP, the TLS version negotiated (≥ 1.2), the
 *   server's chain against the configured CA, days left on our client certificate, and mutual TLS accepted;
 * - authentication (item 10: the API key): one authenticated call that changes nothing;
 * - signing: our signature verified by the counterpart's validation call, where it has one (AFM's submissions,
 *   Nomapay's consent confirmations; ESU's records carry none);
 * - test exchange (items 12–13): with the counterpart's test bettor, through the same connectors the sagas use, a bet
 *   with its odds, a win and a payout recorded by ESU, a test deposit and payout at Nomapay, every receipt checked
 *   against the wire formats (domain/wire/) and read back.
 *
 * A later group is skipped when an earlier one failed. `passed` is true only when every check passed or was skipped
 * as not applicable to the counterpart (a plain http:// simulator has no TLS; ESU has no signature call).
 */
export const CheckCounterpart = z.enum(['esu', 'nomapay', 'afm']);
export type CheckCounterpart = z.infer<typeof CheckCounterpart>;
export type CheckGroup = 'channel' | 'authentication' | 'signing' | 'test exchange';
export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  counterpart: CheckCounterpart;
  group: CheckGroup;
  check: string;
  status: CheckStatus;
  /** Why it passed, failed or was skipped, in words; never a secret or a bettor's IIN. */
  reason: string;
  /** A pass that needs attention soon (a client certificate close to its end). */
  warning?: boolean;
  /** Skipped because it does not apply to this counterpart or endpoint: does not count against the exit code. */
  notApplicable?: boolean;
}

export interface CheckReport {
  checkedAt: string;
  counterparts: CheckCounterpart[];
  passed: boolean;
  results: CheckResult[];
}

/** What the checks run against: the endpoints from config/ (loadConfig's counterparts). */
export type CheckTargets = Record<'esu' | 'nomapay' | 'nomapayIdentification' | 'afm', CounterpartEndpoint>;

/**
 * How our sample bodies are signed for the counterparts' validation calls: the signer the code uses for the real
 * messages, behind one small interface, so another signer (X.509, GOST) drops in without touching the checks.
 */
export interface CheckSigners {
  afm: { sender: string; sign(message: UnsignedAfmSubmission): AfmSubmissionMessage | Promise<AfmSubmissionMessage> };
  consent: {
    sign(confirmation: Omit<ConsentConfirmation, 'signature'>): ConsentConfirmation | Promise<ConsentConfirmation>;
  };
}

export interface CheckOptions {
  counterparts?: readonly CheckCounterpart[];
  /** The counterparts' test bettors (the integration plan, item 13), by IIN; none = the test exchange is skipped. */
  testBettors?: Partial<Record<'esu' | 'nomapay', string>>;
  signers?: CheckSigners;
  /** Client certificate: fail with fewer days left than `fail`, pass with a warning under `warn`. Default 7 / 30. */
  certificateDays?: { warn: number; fail: number };
  /** Each network step's timeout; default 5 s. */
  timeoutMs?: number;
  now?: () => Date;
}

export const DEFAULT_CERTIFICATE_DAYS = { warn: 30, fail: 7 } as const;
const COUNTERPART_NAMES: Record<CheckCounterpart, string> = { esu: 'ESU', nomapay: 'Nomapay', afm: 'AFM' };
const ENV_PREFIX: Record<CheckCounterpart, string> = { esu: 'ESU', nomapay: 'NOMAPAY', afm: 'AFM' };

/** The signers esu-bridge uses (the bookmaker's X.509 key from SIGNING_PKCS12_PATH), from the environment. */
export function configuredSigners(env: Record<string, string | undefined> = process.env): CheckSigners {
  const afm = signingConfig(env).afm;
  const { signer } = documentSigningConfig(env);
  return {
    afm: { sender: afm.sender, sign: (message) => signAfmSubmission(message, signer) },
    consent: createConsentSigner(signer),
  };
}

/** A valid IIN that is nobody's in particular (born 1 January 1990): development's test bettor and the signing samples. */
export const SYNTHETIC_TEST_IIN = (() => {
  for (let serial = 0; ; serial++) {
    try {
      return withCheckDigit(`900101300${String(serial).padStart(2, '0')}`);
    } catch {
      continue;
    }
  }
})();

/**
 * The test bettors from ESU_TEST_BETTOR_IIN / NOMAPAY_TEST_BETTOR_IIN (the ones ЦМААИ and Nomapay give for their test
 * environments). In development each defaults to a synthetic IIN the simulators accept; in production unset = skipped.
 */
export function configuredTestBettors(
  env: Record<string, string | undefined> = process.env,
): Partial<Record<'esu' | 'nomapay', string>> {
  const fallback = isProduction(env) ? undefined : SYNTHETIC_TEST_IIN;
  const read = (variable: string) => {
    const value = env[variable] || fallback;
    if (value === undefined) return undefined;
    const parsed = Iin.safeParse(value);
    if (!parsed.success)
      throw new ReferenceError(`${variable} environment variable is invalid: ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  };
  const esu = read('ESU_TEST_BETTOR_IIN');
  const nomapay = read('NOMAPAY_TEST_BETTOR_IIN');
  return { ...(esu ? { esu } : {}), ...(nomapay ? { nomapay } : {}) };
}

function messageOf(err: unknown): string {
  const e = err as Error & { code?: string; cause?: unknown };
  const cause = e.cause as (Error & { code?: string }) | undefined;
  const inner = cause && cause.message && !e.message.includes(cause.message) ? `: ${cause.message}` : '';
  return `${e.message}${inner}`.replace(/\s+/g, ' ').trim();
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const VERSION_ERROR =
  /protocol version|unsupported protocol|wrong version number|no protocols available|version too low|inappropriate fallback/i;
const CERTIFICATE_ALERT = /certificate|unknown ca|bad certificate|access denied|handshake failure|decrypt error/i;

type Handshake =
  | {
      ok: true;
      protocol: string | null;
      authorized: boolean;
      authorizationError?: string;
      hostError?: string;
      answered: { ok: true } | { ok: false; reason: string };
    }
  | { ok: false; error: Error & { code?: string } };

/**
 * One TLS connection as the connectors make it (TLS 1.2 at least, our certificate, the configured CA) but without
 * refusing an unverified chain, so each fault is reported on its own row; then one bare HTTP request, because under
 * TLS 1.3 a server refuses a client certificate only after the handshake.
 */
function handshake(host: string, port: number, endpoint: CounterpartEndpoint, timeoutMs: number): Promise<Handshake> {
  const servername = endpoint.tls?.serverName ?? (net.isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let settled = false;
    const done = (h: Handshake) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(h);
    };
    const timer = setTimeout(
      () => done({ ok: false, error: new Error(`TLS handshake: no answer within ${timeoutMs} ms`) }),
      timeoutMs,
    );
    const socket = tls.connect({
      host,
      port,
      ...tlsConnectOptions(endpoint.tls),
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
    });
    let secured: Omit<Extract<Handshake, { ok: true }>, 'answered'> | undefined;
    socket.once('secureConnect', () => {
      // (getPeerCertificate, not getPeerX509Certificate: after the latter, Node 20 answers the former with {}.)
      const peer = socket.getPeerCertificate();
      const hostError =
        peer && Object.keys(peer).length
          ? tls.checkServerIdentity(servername ?? host, peer)?.message
          : 'the server sent no certificate';
      secured = {
        ok: true,
        protocol: socket.getProtocol(),
        authorized: socket.authorized,
        ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
        ...(hostError ? { hostError } : {}),
      };
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    socket.once('data', () => secured && done({ ...secured, answered: { ok: true } }));
    socket.once('error', (error: Error & { code?: string }) => {
      if (secured) done({ ...secured, answered: { ok: false, reason: messageOf(error) } });
      else done({ ok: false, error });
    });
    socket.once('close', () => {
      if (secured)
        done({
          ...secured,
          answered: { ok: false, reason: 'the server closed the connection after the handshake without answering' },
        });
      else done({ ok: false, error: new Error('the server closed the connection during the handshake') });
    });
  });
}

/** The channel rows of one counterpart (the ESU integration plan, item 10), and whether the channel is usable. */
async function channelChecks(
  counterpart: CheckCounterpart,
  endpoint: CounterpartEndpoint,
  options: Required<Pick<CheckOptions, 'timeoutMs' | 'certificateDays' | 'now'>>,
  /** The variables' prefix: NOMAPAY_ID for Nomapay's identification API. */
  prefix = ENV_PREFIX[counterpart],
): Promise<{ rows: CheckResult[]; usable: boolean }> {
  const rows: CheckResult[] = [];
  const row = (check: string, status: CheckStatus, reason: string, extra: Partial<CheckResult> = {}) =>
    rows.push({ counterpart, group: 'channel', check, status, reason, ...extra });
  const url = new URL(endpoint.baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = Number(url.port) || (https ? 443 : 80);
  const tlsRows = ['TLS version', 'server chain', 'mutual TLS'];
  // Our certificate's dates need no network: its row comes whenever the endpoint is https://.
  const skipRest = (from: string[], reason: string, notApplicable = false) => {
    from.forEach((check) => row(check, 'skipped', reason, notApplicable ? { notApplicable } : {}));
    if (https && from === tlsRows) rows.push(clientCertificateRow(counterpart, endpoint, prefix, options));
  };

  // DNS
  if (net.isIP(host)) row('DNS', 'pass', `${host} is an address: nothing to resolve`);
  else {
    try {
      const addresses = await withTimeout(lookup(host, { all: true }), options.timeoutMs, `DNS ${host}`);
      row('DNS', 'pass', `${host} resolves to ${addresses.map((a) => a.address).join(', ')}`);
    } catch (err) {
      row('DNS', 'fail', `${host} does not resolve: ${messageOf(err)}`);
      row('TCP', 'skipped', 'the name did not resolve');
      skipRest(tlsRows, 'the name did not resolve');
      return { rows, usable: false };
    }
  }

  // TCP
  const started = Date.now();
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host, port });
        socket.once('connect', () => (socket.destroy(), resolve()));
        socket.once('error', (err) => (socket.destroy(), reject(err)));
      }),
      options.timeoutMs,
      `TCP ${host}:${port}`,
    );
    row('TCP', 'pass', `${host}:${port} accepts connections (${Date.now() - started} ms)`);
  } catch (err) {
    row(
      'TCP',
      'fail',
      `${host}:${port} is not reachable: ${messageOf(err)} (is our address on the counterpart's whitelist?)`,
    );
    skipRest(tlsRows, 'the port is not reachable');
    return { rows, usable: false };
  }

  if (!https) {
    skipRest(
      [...tlsRows, 'client certificate'],
      `${endpoint.baseUrl} is plain http:// (a development simulator): no TLS to check; production needs https://`,
      true,
    );
    return { rows, usable: true };
  }

  // Handshake first: the client certificate's own row comes after the version and the chain.
  const shake = await handshake(host, port, endpoint, options.timeoutMs);
  let usable = true;
  const caName = endpoint.tls?.caPath
    ? `the configured CA (${prefix}_TLS_SERVER_CA_CERT_PATH)`
    : "the system's roots (no " + `${prefix}_TLS_SERVER_CA_CERT_PATH)`;
  let mtls: [CheckStatus, string, boolean?];
  if (!shake.ok) {
    usable = false;
    const message = messageOf(shake.error);
    if (VERSION_ERROR.test(message) || /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/.test(shake.error.code ?? '')) {
      row('TLS version', 'fail', `the server offers no TLS 1.2 or later (we refuse anything older): ${message}`);
      row('server chain', 'skipped', 'no TLS session');
      mtls = ['skipped', 'no TLS session'];
    } else if (CERTIFICATE_ALERT.test(message)) {
      row('TLS version', 'skipped', 'the handshake was refused before a version was agreed (see mutual TLS)');
      row('server chain', 'skipped', 'the handshake was refused');
      mtls = ['fail', refusedCertificate(endpoint, prefix, message)];
    } else {
      row('TLS version', 'fail', `TLS handshake failed: ${message}`);
      row('server chain', 'skipped', 'no TLS session');
      mtls = ['skipped', 'no TLS session'];
    }
  } else {
    const modern = shake.protocol === 'TLSv1.2' || shake.protocol === 'TLSv1.3';
    row(
      'TLS version',
      modern ? 'pass' : 'fail',
      modern
        ? `${shake.protocol} negotiated`
        : `${shake.protocol ?? 'an unknown version'} negotiated: 1.2 or later is required`,
    );
    if (!modern) usable = false;
    if (!shake.authorized) {
      row(
        'server chain',
        'fail',
        `the server's certificate does not verify against ${caName}: ${shake.authorizationError ?? 'not trusted'}`,
      );
      usable = false;
    } else if (shake.hostError) {
      row('server chain', 'fail', `the server's certificate verifies but is not for ${host}: ${shake.hostError}`);
      usable = false;
    } else row('server chain', 'pass', `verifies against ${caName}, issued for ${host}`);
    if (shake.answered.ok) {
      mtls =
        endpoint.tls?.cert || endpoint.tls?.certPath
          ? ['pass', 'the server accepted our client certificate and answered']
          : [
              'skipped',
              `no client certificate configured (${prefix}_TLS_CLIENT_CERT_PATH) and the server did not ask for one`,
              true,
            ];
    } else {
      usable = false;
      mtls = ['fail', refusedCertificate(endpoint, prefix, shake.answered.reason)];
    }
  }
  rows.push(clientCertificateRow(counterpart, endpoint, prefix, options));
  row('mutual TLS', mtls[0], mtls[1], mtls[2] ? { notApplicable: true } : {});
  // A client certificate close to its end fails its own row, but the channel still carries the later checks.
  return { rows, usable };
}

function refusedCertificate(endpoint: CounterpartEndpoint, prefix: string, message: string): string {
  if (!endpoint.tls?.cert && !endpoint.tls?.certPath)
    return `the server requires a client certificate and none is configured (${prefix}_TLS_CLIENT_CERT_PATH, ${prefix}_TLS_CLIENT_KEY_PATH): ${message}`;
  return `the server refused our client certificate (${prefix}_TLS_CLIENT_CERT_PATH): ${message}`;
}

function clientCertificateRow(
  counterpart: CheckCounterpart,
  endpoint: CounterpartEndpoint,
  prefix: string,
  options: Required<Pick<CheckOptions, 'certificateDays' | 'now'>>,
): CheckResult {
  const base = { counterpart, group: 'channel' as const, check: 'client certificate' };
  const pem = tlsConnectOptions(endpoint.tls).cert;
  if (!pem)
    return {
      ...base,
      status: 'skipped',
      reason: `none configured (${prefix}_TLS_CLIENT_CERT_PATH)`,
      notApplicable: true,
    };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    return {
      ...base,
      status: 'fail',
      reason: `${prefix}_TLS_CLIENT_CERT_PATH is not a readable certificate: ${messageOf(err)}`,
    };
  }
  const now = options.now().getTime();
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  const subject = cert.subject.replace(/\n/g, ', ');
  if (now < from)
    return { ...base, status: 'fail', reason: `${subject} is not valid before ${new Date(from).toISOString()}` };
  if (now >= to)
    return {
      ...base,
      status: 'fail',
      reason: `${subject} expired on ${new Date(to).toISOString()}: renew it with the counterpart's CA`,
    };
  const days = Math.floor((to - now) / 86_400_000);
  const { warn, fail } = options.certificateDays;
  if (days < fail)
    return {
      ...base,
      status: 'fail',
      reason: `${subject} expires in ${days} days (${new Date(to).toISOString()}), fewer than ${fail}: renew it now`,
    };
  if (days < warn)
    return {
      ...base,
      status: 'pass',
      warning: true,
      reason: `${subject}: ${days} days left, fewer than ${warn}: renew it soon`,
    };
  return {
    ...base,
    status: 'pass',
    reason: `${subject}: ${days} days left (until ${new Date(to).toISOString().slice(0, 10)})`,
  };
}

/** An authenticated call that changes nothing, and what its answer says about our API key. */
async function authenticationCheck(
  counterpart: CheckCounterpart,
  client: CounterpartClient,
  probeId: string,
): Promise<CheckResult> {
  const base = { counterpart, group: 'authentication' as const, check: 'API key' };
  const prefix = ENV_PREFIX[counterpart];
  const [path, read] =
    counterpart === 'esu'
      ? [`/v1/operations/${probeId}`, () => client.get(`/v1/operations/${probeId}`, EsuRecordedOperation)]
      : counterpart === 'nomapay'
        ? [`/v1/transfers/${probeId}`, () => client.get(`/v1/transfers/${probeId}`, WalletTransfer)]
        : [afmMessagesPath(undefined, 1), () => client.get(afmMessagesPath(undefined, 1), AfmMessagesPage)];
  try {
    const found = await read();
    return {
      ...base,
      status: 'pass',
      reason: `accepted: GET ${path} answered ${found === undefined ? '404 (nothing under that id, as expected)' : '200'}; nothing changed`,
    };
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === ErrorType.CounterpartAuthFailed)
      return { ...base, status: 'fail', reason: `refused (${prefix}_API_KEY): ${messageOf(err)}` };
    return { ...base, status: 'fail', reason: `GET ${path} failed: ${messageOf(err)}` };
  }
}

async function signingCheck(
  counterpart: CheckCounterpart,
  client: CounterpartClient | undefined,
  signers: CheckSigners,
  now: Date,
  stamp: string,
): Promise<CheckResult> {
  const base = { counterpart, group: 'signing' as const, check: 'our signature' };
  if (counterpart === 'esu' || !client) {
    return {
      ...base,
      status: 'skipped',
      notApplicable: true,
      reason: 'ESU records operations under the API key and TLS only: it has no signature of ours to validate',
    };
  }
  let path: string;
  let body: unknown;
  let what: string;
  try {
    if (counterpart === 'afm') {
      path = AFM_SIGNATURE_CHECKS_PATH;
      what = 'a signed sample submission';
      body = AfmSubmissionMessage.parse(
        await signers.afm.sign({
          submissionId: `check-${stamp}-sig`,
          sender: signers.afm.sender,
          sentAt: now.toISOString(),
          record: { iin: SYNTHETIC_TEST_IIN, receivedAt: now.toISOString(), receivedTiyn: 100 },
        }),
      );
    } else {
      path = CONSENT_SIGNATURE_CHECKS_PATH;
      what = 'a signed sample consent confirmation';
      body = ConsentConfirmation.parse(
        await signers.consent.sign({
          consentId: `check-${stamp}-consent`,
          matchId: `check-${stamp}-match`,
          confirmedAt: now.toISOString(),
        }),
      );
    }
  } catch (err) {
    return { ...base, status: 'fail', reason: `could not sign the sample: ${messageOf(err)}` };
  }
  try {
    const result = await client.post(path, body, undefined, SignatureCheckResult, ErrorType.InvalidInput);
    return result.valid
      ? { ...base, status: 'pass', reason: `POST ${path}: ${what} verified` }
      : {
          ...base,
          status: 'fail',
          reason: `POST ${path}: ${what} does not verify: ${result.code ?? 'INVALID'}${result.message ? ` ${result.message}` : ''}`,
        };
  } catch (err) {
    if (err instanceof ApplicationFailure && /→ 404/.test(err.message))
      return { ...base, status: 'skipped', reason: `the counterpart has no validation call at POST ${path} (404)` };
    return { ...base, status: 'fail', reason: `POST ${path} failed: ${messageOf(err)}` };
  }
}

/** ESU's test exchange (the integration plan, item 13): a bet with its odds, a win and a payout, receipts checked and read back. */
async function esuExchange(client: CounterpartClient, iin: string, now: Date, stamp: string): Promise<CheckResult[]> {
  const esu = createEsuActivities({ esu: client });
  const rows: CheckResult[] = [];
  const row = (check: string, status: CheckStatus, reason: string) =>
    rows.push({ counterpart: 'esu', group: 'test exchange', check, status, reason });
  const stake = 10_000;
  const odds = '2.35';
  const winnings = 23_500;
  const bet = { betId: `check-${stamp}`, eventId: 'esu-bridge-check', outcome: 'test-outcome', odds };
  /** One operation of the exchange as we send it to ESU: the same bettor, currency and time, its own kind and amount. */
  const operation = (suffix: string, kind: 'BET' | 'SETTLEMENT' | 'PAYOUT', amountTiyn: number, more = {}) => ({
    operationId: `check-${stamp}-${suffix}`,
    kind,
    iin,
    amountTiyn,
    currency: 'KZT',
    occurredAt: now.toISOString(),
    ...more,
  });
  const requests = [
    {
      check: 'bet with odds',
      what: `bet ${formatKzt(stake)} at ${odds}`,
      request: operation('bet', 'BET', stake, { bet }),
    },
    {
      check: 'win',
      what: `win ${formatKzt(winnings)}`,
      request: operation('win', 'SETTLEMENT', winnings, { bet: { ...bet, result: 'WON', winningsTiyn: winnings } }),
    },
    { check: 'payout', what: `payout ${formatKzt(winnings)}`, request: operation('pay', 'PAYOUT', winnings) },
  ];
  try {
    const eligibility = await esu.checkBettorEligibility({ iin, purpose: 'BET' });
    if (!eligibility.eligible) {
      row(
        'test bettor',
        'fail',
        `ESU's register refuses the test bettor (${eligibility.reason ?? 'no reason given'}): ask ЦМААИ for an eligible test bettor`,
      );
      return rows;
    }
    row('test bettor', 'pass', "eligible in ESU's register");
  } catch (err) {
    row('test bettor', 'fail', `eligibility check failed: ${messageOf(err)}`);
    return rows;
  }
  for (const step of requests) {
    // Our request in the format first (odds as a decimal string, amounts in tiyn), then ESU's receipt in its own.
    const request = EsuOperationRequest.safeParse(step.request);
    if (!request.success) {
      row(
        step.check,
        'fail',
        `${step.what}: our request breaks the format: ${request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
      return rows;
    }
    try {
      const receipt = EsuReceipt.parse(await esu.recordOperation(request.data));
      if (receipt.operationId !== request.data.operationId)
        throw new Error(`the receipt names operation ${receipt.operationId}, not ${request.data.operationId}`);
      const recorded = await client.get(
        `/v1/operations/${encodeURIComponent(request.data.operationId)}`,
        EsuRecordedOperation,
      );
      if (!recorded)
        throw new Error(`receipt ${receipt.receiptId} given, but ESU does not find the operation afterwards`);
      if (
        recorded.kind !== request.data.kind ||
        recorded.amountTiyn !== request.data.amountTiyn ||
        recorded.receiptId !== receipt.receiptId
      ) {
        throw new Error(
          `ESU holds ${recorded.kind} ${formatKzt(recorded.amountTiyn)} under receipt ${recorded.receiptId}, not what was sent`,
        );
      }
      row(
        step.check,
        'pass',
        `${step.what}: receipt ${receipt.receiptId} recorded ${receipt.recordedAt}, read back as sent`,
      );
    } catch (err) {
      row(step.check, 'fail', `${step.what}: ${messageOf(err)}`);
      return rows;
    }
  }
  return rows;
}

/** Nomapay's test exchange (the integration plan, item 13): a test deposit and a test payout on the test bettor's e-wallet. */
async function nomapayExchange(client: CounterpartClient, iin: string, stamp: string): Promise<CheckResult[]> {
  const nomapay = createNomapayActivities({ nomapay: client });
  const rows: CheckResult[] = [];
  const amount = 10_000;
  const steps = [
    {
      check: 'test deposit',
      request: {
        transferId: `check-${stamp}-dep`,
        iin,
        direction: 'BETTOR_TO_BOOKMAKER',
        amountTiyn: amount,
        currency: 'KZT',
      },
    },
    {
      check: 'test payout',
      request: {
        transferId: `check-${stamp}-pay`,
        iin,
        direction: 'BOOKMAKER_TO_BETTOR',
        amountTiyn: amount,
        currency: 'KZT',
      },
    },
  ] as const;
  for (const step of steps) {
    const what = `${formatKzt(amount)} ${step.request.direction === 'BETTOR_TO_BOOKMAKER' ? 'from' : 'to'} the test bettor's e-wallet`;
    const request = WalletTransferRequest.safeParse(step.request);
    if (!request.success) {
      rows.push({
        counterpart: 'nomapay',
        group: 'test exchange',
        check: step.check,
        status: 'fail',
        reason: `our request breaks the format: ${request.error.message}`,
      });
      return rows;
    }
    try {
      const done = await nomapay.transferWallet(request.data);
      const found = await client.get(`/v1/transfers/${encodeURIComponent(request.data.transferId)}`, WalletTransfer);
      if (
        !found ||
        found.status !== 'COMPLETED' ||
        found.amountTiyn !== amount ||
        found.direction !== request.data.direction
      ) {
        throw new Error(
          `transfer ${request.data.transferId} answered ${done.status} but reads back as ${found ? `${found.status} ${found.direction} ${formatKzt(found.amountTiyn)}` : 'missing'}`,
        );
      }
      rows.push({
        counterpart: 'nomapay',
        group: 'test exchange',
        check: step.check,
        status: 'pass',
        reason: `${what}: transfer ${done.transferId} ${done.status} at ${done.completedAt}, read back as sent`,
      });
    } catch (err) {
      rows.push({
        counterpart: 'nomapay',
        group: 'test exchange',
        check: step.check,
        status: 'fail',
        reason: `${what}: ${messageOf(err)}`,
      });
      return rows;
    }
  }
  return rows;
}

function skipped(
  counterpart: CheckCounterpart,
  group: CheckGroup,
  check: string,
  reason: string,
  notApplicable = false,
): CheckResult {
  return { counterpart, group, check, status: 'skipped', reason, ...(notApplicable ? { notApplicable } : {}) };
}

/** Runs every check for the chosen counterparts (all three by default), one counterpart after another. */
export async function runChecks(targets: CheckTargets, options: CheckOptions = {}): Promise<CheckReport> {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 5000;
  const certificateDays = options.certificateDays ?? DEFAULT_CERTIFICATE_DAYS;
  const counterparts = [...(options.counterparts ?? CheckCounterpart.options)];
  const signers = options.signers ?? configuredSigners();
  const testBettors = options.testBettors ?? {};
  const results: CheckResult[] = [];
  const checkedAt = now();
  for (const counterpart of counterparts) {
    const endpoint = { ...targets[counterpart], timeoutMs: Math.min(targets[counterpart].timeoutMs, timeoutMs) };
    // Ids of our test operations: unique per run, marked as checks (`check-…`), never a bettor's data.
    const stamp = `${checkedAt.getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
    const channel = await channelChecks(counterpart, endpoint, { timeoutMs, certificateDays, now });
    results.push(...channel.rows);
    // Nomapay's identification API (ЦОИД rules §§18–20) on a channel of its own (NOMAPAY_ID_*): its rows too.
    const identification = { ...targets.nomapayIdentification, timeoutMs: endpoint.timeoutMs };
    if (
      counterpart === 'nomapay' &&
      (identification.baseUrl !== endpoint.baseUrl ||
        identification.tls?.certPath !== endpoint.tls?.certPath ||
        identification.tls?.caPath !== endpoint.tls?.caPath)
    ) {
      const own = await channelChecks('nomapay', identification, { timeoutMs, certificateDays, now }, 'NOMAPAY_ID');
      results.push(...own.rows.map((r) => ({ ...r, check: `identification API: ${r.check}` })));
      if (!own.usable) channel.usable = false;
    }
    const laterChecks: [CheckGroup, string][] = [
      ['authentication', 'API key'],
      ['signing', 'our signature'],
      ['test exchange', 'test exchange'],
    ];
    if (!channel.usable) {
      results.push(...laterChecks.map(([group, check]) => skipped(counterpart, group, check, 'the channel failed')));
      continue;
    }
    const client = new CounterpartClient(endpoint);
    const signingClient = counterpart === 'nomapay' ? new CounterpartClient(identification) : undefined;
    try {
      const auth = await authenticationCheck(counterpart, client, `check-${stamp}-probe`);
      results.push(auth);
      if (auth.status !== 'pass') {
        results.push(
          ...laterChecks
            .slice(1)
            .map(([group, check]) => skipped(counterpart, group, check, 'the API key was not accepted')),
        );
        continue;
      }
      results.push(
        await signingCheck(counterpart, counterpart === 'afm' ? client : signingClient, signers, now(), stamp),
      );
      if (counterpart === 'afm') {
        results.push(
          skipped(
            'afm',
            'test exchange',
            'test exchange',
            "the integration plan's test exchange (items 12–13) is with ЦМААИ and Nomapay; a submission to AFM is a real report",
            true,
          ),
        );
        continue;
      }
      const iin = testBettors[counterpart];
      if (!iin) {
        results.push(
          skipped(
            counterpart,
            'test exchange',
            'test exchange',
            `no test bettor: set ${ENV_PREFIX[counterpart]}_TEST_BETTOR_IIN to the test bettor ${counterpart === 'esu' ? 'ЦМААИ' : 'Nomapay'} gave for its test environment`,
          ),
        );
        continue;
      }
      results.push(
        ...(counterpart === 'esu'
          ? await esuExchange(client, iin, now(), stamp)
          : await nomapayExchange(client, iin, stamp)),
      );
    } finally {
      await client.close();
      await signingClient?.close();
    }
  }
  const passed = results.every((r) => r.status === 'pass' || (r.status === 'skipped' && r.notApplicable === true));
  return { checkedAt: checkedAt.toISOString(), counterparts, passed, results };
}

/** The report as a table: counterpart, group, check, result, reason. */
export function formatReport(report: CheckReport): string {
  const mark = (r: CheckResult) =>
    r.status === 'pass'
      ? r.warning
        ? 'PASS (!)'
        : 'PASS'
      : r.status === 'fail'
        ? 'FAIL'
        : r.notApplicable
          ? 'n/a'
          : 'SKIPPED';
  const rows = report.results.map((r) => [COUNTERPART_NAMES[r.counterpart], r.group, r.check, mark(r), r.reason]);
  const header = ['counterpart', 'group', 'check', 'result', 'reason'];
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ');
  const counts = { pass: 0, fail: 0, skipped: 0 };
  for (const r of report.results) counts[r.status] += 1;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w)).concat('------')),
    ...rows.map(line),
    '',
    `${report.passed ? 'All checks passed' : 'Not ready'}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped (${report.results.filter((r) => r.notApplicable).length} not applicable) — ${report.checkedAt}`,
  ].join('\n');
}
