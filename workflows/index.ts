// Bundle entry point for the worker: every workflow esu-bridge runs.
export { deposit, getDepositStatusQuery } from './deposit.js';
