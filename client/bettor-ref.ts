// The bettor reference and request digest live in crypto/, shared by the client and the worker.
export { bettorRef, requestDigest } from '../crypto/bettor-ref.js';
