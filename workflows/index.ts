// Bundle entry point for the worker: every workflow esu-bridge runs.
export { deposit, getDepositStatusQuery } from './deposit.js';
export { placeBet, getBetStatusQuery } from './bet.js';
export { settleBet, getSettlementStatusQuery } from './settlement.js';
export { payout, getPayoutStatusQuery } from './payout.js';
export * from './identification.js';
export * from './migration.js';
export * from './incident.js';
export * from './incident-detector.js';
export * from './submission/index.js';
export { consentRevocation } from './consent-revocation.js';
export { retention } from './retention.js';
export * from './verdict-reader.js';
export { reconciliation } from './reconciliation.js';
