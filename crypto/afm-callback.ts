import type { AfmCallback, UnsignedAfmCallback } from '../domain/wire/afm.js';
import { signDocument, verifyDocument, type DocumentSigner, type SignerTrust, type VerifyResult } from './signer.js';

/**
 * AFM's signature on the verdicts it pushes to the bookmaker (the e-government integration rules §§54, 59: every
 * message carries its sender's signature): AFM's X.509 key over the RFC 8785 form of the callback without its
 * signature, the same wire shape as our own signed documents (crypto/signer.ts). We verify it against AFM's
 * certificate and CA as configured (AFM_CERTIFICATE_PATH, AFM_CA_PATH).
 */
export function signAfmCallback(callback: UnsignedAfmCallback, signer: DocumentSigner): Promise<AfmCallback> {
  return signDocument(callback, signer);
}

/** Verifies over the body as received (before any normalisation), so what is checked is what AFM signed. */
export function verifyAfmCallback(callback: Record<string, unknown>, trust: SignerTrust): VerifyResult {
  return verifyDocument(callback, trust);
}
