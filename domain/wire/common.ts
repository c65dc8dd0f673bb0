import { z } from 'zod';
import { plainTextOf } from '../text.js';

/** A counterpart's free text, kept but with control, bidi and NUL characters replaced (domain/text.ts). */
const CounterpartText = z.string().transform((s) => plainTextOf(s));
/** A counterpart's code or field name: one line, so a line break is replaced too. */
const CounterpartCode = z.string().transform((s) => plainTextOf(s, {}));

/**
 * Shapes every counterpart shares. Errors follow the e-government integration rules, annex 1: a code, a message and nested
 * sub-errors naming the field at fault.
 */
export const CounterpartErrorBody = z.object({
  error: z.object({
    code: CounterpartCode,
    message: CounterpartText,
    details: z
      .array(z.object({ field: CounterpartCode.optional(), code: CounterpartCode, message: CounterpartText }))
      .optional(),
  }),
});
export type CounterpartErrorBody = z.infer<typeof CounterpartErrorBody>;

/**
 * A counterpart's signature validation call (POST …/signature-checks): it verifies a signed sample body the way it
 * verifies a real message, and changes nothing. `esu-bridge check` asks it whether our signature is accepted
 * (the ESU integration plan, items 10 and 13); `code` says why not (SIGNATURE_INVALID, UNKNOWN_KEY, …).
 */
export const SignatureCheckResult = z.object({
  valid: z.boolean(),
  code: CounterpartCode.optional(),
  message: CounterpartText.optional(),
});
export type SignatureCheckResult = z.infer<typeof SignatureCheckResult>;

/** Header carrying the idempotency key on every mutating request. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Counterparts esu-bridge talks to. */
export const Counterpart = z.enum(['esu', 'nomapay', 'afm', 'tsoid']);
export type Counterpart = z.infer<typeof Counterpart>;

export const IsoDateTime = z.iso.datetime({ offset: true });

/**
 * A document's signature as it travels in the document's own `signature` member, the same on every signed
 * document (AFM submissions, incident cards, the consent confirmation, AFM's pushed verdicts): the algorithm,
 * the SHA-256 fingerprint of the signer's certificate (hex), the certificate itself (base64 DER) and the
 * signature value (base64) over the RFC 8785 form of the document without `signature` (crypto/signer.ts).
 */
export const DocumentSignature = z.strictObject({
  algorithm: z.string().min(1).max(64),
  keyId: z.string().min(1).max(128),
  certificate: z.string().min(1).max(16_384),
  value: z.string().min(1).max(4_096),
});
export type DocumentSignature = z.infer<typeof DocumentSignature>;

/** A signed document, strict: its own fields, then the `signature` member over the rest. */
export function signedDocument<Fields extends z.ZodRawShape>(fields: Fields) {
  return z.strictObject({ ...fields, signature: DocumentSignature });
}
/** A signed document before it is signed. */
export type Unsigned<Document> = Omit<Document, 'signature'>;

/** JSON with sorted keys and no undefined members: the text signatures and request digests are computed over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
