import { signDocument, type DocumentSigner } from '../crypto/signer.js';
import type { Unsigned } from '../domain/wire/common.js';
import type { ConsentConfirmation } from '../domain/wire/identification.js';

/**
 * Signs the consent confirmation ЦОИД asks with a photo-match personal-data request (ЦОИД rules §14.2, §17.3):
 * the participant's digital signature over the confirmation (consent, match, time), made with the bookmaker's
 * X.509 key from its PKCS#12 (crypto/signer.ts: RSA-SHA256 over the RFC 8785 form, certificate attached). The
 * rules do not say which CA (NUC RK or the NPC's); the simulator checks the certificate registered for us.
 */
export interface ConsentSigner {
  sign(confirmation: Unsigned<ConsentConfirmation>): Promise<ConsentConfirmation>;
}

export function createConsentSigner(signer: DocumentSigner): ConsentSigner {
  return { sign: (confirmation) => signDocument(confirmation, signer) };
}
