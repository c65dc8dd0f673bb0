import { verifyDocument, type SignerTrust } from '../crypto/signer.js';
import { simulatorSignerTrust } from '../config/signing.js';
import type { z } from 'zod';
import { HttpError, parseBody, type Route } from './http.js';

/**
 * How every simulated receiver checks the bookmaker's signature (the e-government integration rules §§54, 58):
 * against the certificate registered for the bookmaker and the CA it must chain to (SIM_SIGNER_CERTIFICATE_PATH,
 * SIM_SIGNER_CA_PATH; in development the generated ones). A refusal is 422 with one of SIGNATURE_INVALID,
 * CERTIFICATE_UNTRUSTED or CERTIFICATE_EXPIRED, the same codes at AFM, ЦМААИ, Nomapay and ЦОИД.
 */
let configured: SignerTrust | undefined;

/** Read (and in development generated) on the first signed document, so simulators that never get one need none. */
export function configuredSignerTrust(): SignerTrust {
  return (configured ??= simulatorSignerTrust());
}

/** The validation call's answer (what `esu-bridge check` reads): the same verification as a signed document meets, nothing held. */
export function signatureCheckAnswer(
  document: Record<string, unknown>,
  trust: SignerTrust | undefined,
): { valid: boolean; code?: string; message?: string } {
  const result = verifyDocument(document, trust ?? configuredSignerTrust());
  return result.ok ? { valid: true } : { valid: false, code: result.code, message: result.message };
}

/** A counterpart's signature validation call: `document` checked by its schema, then its signature; nothing held. */
export function signatureCheckRoute(path: string, document: z.ZodType, trust: SignerTrust | undefined): Route {
  return {
    method: 'POST',
    path,
    handle: ({ body }) => {
      parseBody(document, body);
      return { status: 200, body: signatureCheckAnswer(body as Record<string, unknown>, trust) };
    },
  };
}

/** Throws the receiver's refusal unless `document` is signed by the registered certificate (default: the configured one). */
export function requireSignedBy(document: Record<string, unknown>, trust: SignerTrust | undefined): void {
  const result = verifyDocument(document, trust ?? configuredSignerTrust());
  if (!result.ok)
    throw new HttpError(
      422,
      result.code,
      `${result.message} (authorship not confirmed: the e-government integration rules §54)`,
      [{ field: 'signature', code: result.code, message: result.message }],
    );
}
