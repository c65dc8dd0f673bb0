import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { request } from 'undici';
import { signAfmCallback } from '../crypto/afm-callback.js';
import type { DocumentSigner, SignerTrust } from '../crypto/signer.js';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../config/index.js';
import { simulatorAfmSigner } from '../config/signing.js';
import { requireSignedBy, signatureCheckRoute } from './signatures.js';
import {
  AFM_SIGNATURE_CHECKS_PATH,
  AfmSubmissionMessage,
  type AfmReceipt,
  type AfmRejection,
  type AfmSubmissionStatus,
  type AfmVerdictMessage,
} from '../domain/wire/afm.js';
import { afmRejectionWindowEnd } from '../domain/afm-rejection-window.js';
import { compileCalendar, type WorkingDayCalendar } from '../domain/working-days.js';
import { Listings, type AfmAcceptedRecord } from '../domain/wire/listings.js';
import { found, HttpError, mutation, parseBody, reading, requireKeyIs, type Route, settingRoute } from './http.js';
import { dayListing } from './listing.js';

/**
 * AFM (ҚМА АЖ) as a simulator, speaking domain/wire/afm.ts: it validates the five fields with the same schema
 * the connector uses (400 naming each bad field), checks the sender's signature (422 SIGNATURE_INVALID), stores
 * each submission once (the idempotency of `startCounterpartServer` replays the receipt for a repeated key) and
 * answers with a receipt whose messageId is the proof of acceptance. Like AFM under AFM order No. 9, item 5(3), it may reject
 * a submission later, within 1 working day of receipt: through `POST /__admin/submissions/:messageId/reject`
 * (409 WINDOW_CLOSED afterwards) or an auto-reject rule. `GET /__admin/submissions` lists everything it holds.
 *
 * Each rejection is also a verdict message (the e-government integration rules §47): published in order on `GET /v1/messages?after=&limit=`
 * (the cursor is the last message's sequence number) and, when a callback URL is configured (option,
 * AFM_CALLBACK_URL, or `POST /__admin/callback`), pushed there signed with AFM's own certificate (SIM_AFM_PKCS12_PATH). The feed carries
 * rejections only: an acknowledged submission without one is accepted when its window closes. Pushes are tried
 * once each and listed, with the answer, on `GET /__admin/callbacks`.
 */
export interface AfmSimulatorOptions {
  /** The bookmaker's registered certificate and its CA. Defaults to SIM_SIGNER_CERTIFICATE_PATH / SIM_SIGNER_CA_PATH. */
  trust?: SignerTrust;
  calendar?: WorkingDayCalendar;
  now?: () => Date;
  /** Where verdicts are pushed; none = fetch only. */
  callbackUrl?: string;
  /** AFM's own signer for pushed verdicts. Defaults to SIM_AFM_PKCS12_PATH (in development the generated AFM identity). */
  callbackSigner?: DocumentSigner;
}

export interface PushedCallback {
  messageId: string;
  url: string;
  status: number | 'NETWORK_ERROR';
  body?: unknown;
}

export interface HeldSubmission {
  messageId: string;
  submissionId: string;
  message: AfmSubmissionMessage;
  acceptedAt: string;
  windowEndsAt: string;
  status: AfmSubmissionStatus['status'];
  rejection?: AfmRejection;
}

const AutoRejectRule = z.object({
  /** Matches submissions whose id starts with this, and/or whose record names this IIN. */
  match: z
    .object({ submissionIdPrefix: z.string().min(1).optional(), iin: z.string().optional() })
    .refine((m) => m.submissionIdPrefix || m.iin, 'name submissionIdPrefix or iin'),
  code: z.string().min(1),
  reason: z.string().min(1),
  /** How many matching submissions it rejects; 0 = every one. */
  times: z.number().int().nonnegative().default(1),
});
type AutoRejectRule = z.infer<typeof AutoRejectRule>;
const Rejection = z.object({ code: z.string().min(1), reason: z.string().min(1) });
const CallbackTarget = z.object({ url: z.url().nullable() });
const MessagesQuery = z.object({
  after: z.string().regex(/^\d+$/, 'must be a cursor this feed gave').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function createAfmSimulator({
  trust,
  calendar,
  now = () => new Date(),
  callbackUrl,
  callbackSigner,
}: AfmSimulatorOptions = {}) {
  const workingDays = calendar ?? compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));
  const byMessageId = new Map<string, HeldSubmission>();
  const bySubmissionId = new Map<string, HeldSubmission>();
  let rules: (AutoRejectRule & { hits: number })[] = [];
  let sequence = 0;
  const messages: AfmVerdictMessage[] = [];
  const pushes: PushedCallback[] = [];
  let callbackTarget = callbackUrl;
  // Reconciliation: amounts altered by a test (domain/wire/listings.ts).
  const amounts = new Map<string, number>();
  /** The records AFM accepted on a day, with their status now: what the bookmaker reconciles against. */
  const acceptedRecords = dayListing<AfmAcceptedRecord, HeldSubmission>({
    listing: Listings.AFM,
    holds: bySubmissionId,
    listed: (held) => ({
      submissionId: held.submissionId,
      messageId: held.messageId,
      acceptedAt: held.acceptedAt,
      status: held.status,
      amountTiyn:
        amounts.get(held.submissionId) ?? held.message.record.receivedTiyn ?? held.message.record.paidTiyn ?? 0,
    }),
    drop: (held) => {
      bySubmissionId.delete(held.submissionId);
      byMessageId.delete(held.messageId);
    },
    statuses: ['ACCEPTED_FOR_PROCESSING', 'REJECTED'],
    alter: (held, change) => {
      if (change.amountTiyn !== undefined) amounts.set(held.submissionId, change.amountTiyn);
      if (change.status === 'REJECTED' || change.status === 'ACCEPTED_FOR_PROCESSING') held.status = change.status;
    },
  });

  /** Publishes the verdict on the feed and pushes it to the callback URL, if any. */
  function publish(held: HeldSubmission): void {
    const message: AfmVerdictMessage = {
      id: `MSG-${messages.length + 1}`,
      type: 'SUBMISSION_REJECTED',
      messageId: held.messageId,
      submissionId: held.submissionId,
      rejection: held.rejection!,
      publishedAt: now().toISOString(),
    };
    messages.push(message);
    if (callbackTarget) void push(callbackTarget, message);
  }

  async function push(url: string, message: AfmVerdictMessage): Promise<void> {
    const callback = await signAfmCallback(
      { message, sentAt: now().toISOString() },
      (callbackSigner ??= simulatorAfmSigner()),
    );
    const entry: PushedCallback = { messageId: message.id, url, status: 'NETWORK_ERROR' };
    pushes.push(entry);
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(callback),
        signal: AbortSignal.timeout(10_000),
      });
      entry.status = res.statusCode;
      const text = await res.body.text();
      try {
        entry.body = JSON.parse(text);
      } catch {
        entry.body = text;
      }
    } catch (err) {
      entry.body = (err as Error).message;
    }
  }

  const status = (held: HeldSubmission): AfmSubmissionStatus => ({
    messageId: held.messageId,
    status: held.status,
    ...(held.rejection ? { rejection: held.rejection } : {}),
  });
  const receipt = (held: HeldSubmission): AfmReceipt => ({ messageId: held.messageId, acceptedAt: held.acceptedAt });
  const heldMessage = (messageId: string) =>
    found(byMessageId.get(messageId), `no submission with message id ${messageId}`);

  function autoReject(held: HeldSubmission): void {
    const rule = rules.find(
      (r) =>
        (r.times === 0 || r.hits < r.times) &&
        (!r.match.submissionIdPrefix || held.submissionId.startsWith(r.match.submissionIdPrefix)) &&
        (!r.match.iin || held.message.record.iin === r.match.iin),
    );
    if (!rule) return;
    rule.hits += 1;
    held.status = 'REJECTED';
    held.rejection = { code: rule.code, reason: rule.reason, rejectedAt: held.acceptedAt };
    publish(held);
  }

  const routes: Route[] = [
    // The validation call `esu-bridge check` uses: the same verification as a submission, nothing held.
    signatureCheckRoute(AFM_SIGNATURE_CHECKS_PATH, AfmSubmissionMessage, trust),
    mutation('/v1/submissions', AfmSubmissionMessage, (message, { body, idempotencyKey, applied }) => {
      requireKeyIs('submissionId', idempotencyKey, message.submissionId);
      requireSignedBy(body as Record<string, unknown>, trust);
      const existing = bySubmissionId.get(message.submissionId);
      if (existing) return { status: 202, body: receipt(existing) }; // held once, even if the replay store was lost
      sequence += 1;
      const at = now();
      const held: HeldSubmission = {
        messageId: `AFM-${at.getTime().toString(36)}-${sequence}`,
        submissionId: message.submissionId,
        message,
        acceptedAt: at.toISOString(),
        windowEndsAt: new Date(afmRejectionWindowEnd(at.getTime(), workingDays)).toISOString(),
        status: 'ACCEPTED_FOR_PROCESSING',
      };
      byMessageId.set(held.messageId, held);
      bySubmissionId.set(held.submissionId, held);
      autoReject(held);
      applied(held.submissionId);
      return { status: 202, body: receipt(held) };
    }),
    reading('/v1/submissions/:messageId', ({ params }) => status(heldMessage(params.messageId!))),
    reading('/v1/messages', ({ query }) => {
      const { after, limit } = parseBody(MessagesQuery, query);
      const from = after === undefined ? 0 : Number(after);
      const page = messages.slice(from, from + limit);
      const next = from + page.length;
      return { messages: page, ...(next > 0 ? { nextCursor: String(next) } : {}), hasMore: next < messages.length };
    }),
    acceptedRecords.route,
    reading('/v1/submission-receipts/:submissionId', ({ params }) =>
      receipt(found(bySubmissionId.get(params.submissionId!), `no submission ${params.submissionId} was received`)),
    ),
  ];

  const adminRoutes: Route[] = [
    reading('/__admin/submissions', () => [...byMessageId.values()]),
    {
      method: 'POST',
      path: '/__admin/submissions/:messageId/reject',
      handle: ({ params, body }) => {
        const { code, reason } = parseBody(Rejection, body);
        const held = heldMessage(params.messageId!);
        const at = now();
        if (at.getTime() >= Date.parse(held.windowEndsAt)) {
          throw new HttpError(
            409,
            'WINDOW_CLOSED',
            `the 1-working-day window of ${held.messageId} closed at ${held.windowEndsAt} (AFM order No. 9, item 5(3))`,
          );
        }
        if (held.status === 'REJECTED')
          throw new HttpError(409, 'ALREADY_REJECTED', `${held.messageId} is already rejected`);
        held.status = 'REJECTED';
        held.rejection = { code, reason, rejectedAt: at.toISOString() };
        publish(held);
        return { status: 200, body: status(held) };
      },
    },
    reading('/__admin/messages', () => messages),
    reading('/__admin/callbacks', () => pushes),
    {
      method: 'POST',
      path: '/__admin/callback',
      handle: ({ body }) => {
        callbackTarget = parseBody(CallbackTarget, body).url ?? undefined;
        return { status: 200, body: { url: callbackTarget ?? null } };
      },
    },
    settingRoute('/__admin/auto-reject', AutoRejectRule, (rule) => rules.push({ ...rule, hits: 0 })),
    { method: 'DELETE', path: '/__admin/auto-reject', handle: () => ((rules = []), { status: 204, body: undefined }) },
    ...acceptedRecords.adminRoutes,
  ];

  return {
    routes,
    adminRoutes,
    reset() {
      byMessageId.clear();
      bySubmissionId.clear();
      acceptedRecords.reset();
      amounts.clear();
      rules = [];
      sequence = 0;
      messages.length = 0;
      pushes.length = 0;
      callbackTarget = callbackUrl;
    },
    /** The pushes tried so far, with AFM's view of the answer. */
    pushes,
  };
}
