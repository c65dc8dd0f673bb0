/**
 * The closed set of failure types esu-bridge raises as `ApplicationFailure.type`. Client code, the CLI
 * and tests map a failed workflow to one of these; never match on message text.
 */
export const ErrorType = {
  /** Input failed validation; the message names the field. Nothing moved. */
  InvalidInput: 'InvalidInput',
  /** ESU's register refuses this bettor (under 21, self-excluded, barred). Nothing moved. */
  BettorRestricted: 'BettorRestricted',
  /**
   * The bettor is under 21 by the date of birth in the IIN (or the IIN encodes none): esu-bridge's own check,
   * made before ESU is asked. Nothing moved.
   */
  BettorUnderage: 'BettorUnderage',
  /** The bettor has not been identified through Nomapay (or is blocked, in review, refused). Nothing moved. */
  BettorNotIdentified: 'BettorNotIdentified',
  /** Nomapay refused the wallet transfer (insufficient funds, unknown or unidentified wallet). */
  WalletRejected: 'WalletRejected',
  /** ESU refused to record the operation with a documented reason code. */
  EsuRejected: 'EsuRejected',
  /** The ledger refused a posting (balance would go negative, unknown account). */
  LedgerRejected: 'LedgerRejected',
  /** The same idempotency key arrived with a different body. */
  IdempotencyConflict: 'IdempotencyConflict',
  /** A compensation could not complete; compliance must look at the operation. */
  CompensationFailed: 'CompensationFailed',
  /** The counterpart refused our credentials (wrong API key or certificate): not retried. */
  CounterpartAuthFailed: 'CounterpartAuthFailed',
  /**
   * A counterpart answered outside its contract: a body that does not parse or fit its schema, or one larger than
   * the connector's cap. Not retried (the same answer would come back); ops look at the counterpart.
   */
  CounterpartContractViolation: 'CounterpartContractViolation',
  /** A counterpart stayed unreachable past the step's deadline (retries exhausted by time). */
  CounterpartUnavailable: 'CounterpartUnavailable',
  /** Nomapay's identification API (ЦОИД rules) refused a request with a documented code (ЦОИД rules). */
  IdentificationRejected: 'IdentificationRejected',
  /** An identification step arrived out of order or past a ЦОИД limit (4 liveness checks, 2 SMS, the 15-minute block). */
  IdentificationStepRejected: 'IdentificationStepRejected',
  /** The bettor revoked consent: no further personal-data request is made (ЦОИД rules §§26–27, 31). */
  ConsentRevoked: 'ConsentRevoked',
  /** The photo fails ЦОИД rules, annex 1; it was not sent. */
  PhotoRequirementsNotMet: 'PhotoRequirementsNotMet',
  /** The incident card lacks mandatory rows (National Bank resolution No. 116, item 55(3)); the message names each one. Nothing was sent. */
  IncidentCardIncomplete: 'IncidentCardIncomplete',
  /** An incident command arrived out of order (closing before the card went out, amending a closed incident). */
  IncidentStepRejected: 'IncidentStepRejected',
  /** The operator or ЦМААИ refused the incident card with a documented reason. */
  IncidentCardRejected: 'IncidentCardRejected',
  /** A settlement or payout names a bet esu-bridge has no record of. */
  UnknownBet: 'UnknownBet',
  /** The bet exists but was never accepted by ESU (voided, refused, still pending): it cannot be settled. */
  BetNotAccepted: 'BetNotAccepted',
  /** The same bet was settled before with another result: a settlement is final. */
  SettlementConflict: 'SettlementConflict',
  /** The betting account does not hold enough for the stake or the payout. Nothing moved. */
  InsufficientBalance: 'InsufficientBalance',
  /** AFM (or ESU, for a submission) refused the data with a reason; compliance corrects and resubmits. */
  SubmissionRejected: 'SubmissionRejected',
  /**
   * PostgreSQL refused a value as data (SQLSTATE class 22: a NUL in text, a number out of range, a malformed
   * date). The same value is refused on every retry, so the step fails at once; the message names the
   * problem, never the value.
   */
  DataRejected: 'DataRejected',
  /** A submission command arrived in the wrong state (resubmitting an accepted one, retrying one that is in flight). */
  SubmissionStepRejected: 'SubmissionStepRejected',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Failure types that retrying cannot fix: every activity proxy lists them as non-retryable. */
export const NON_RETRYABLE_ERROR_TYPES: ErrorType[] = Object.values(ErrorType).filter(
  (type) => type !== ErrorType.CounterpartUnavailable,
);
