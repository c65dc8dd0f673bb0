-- Foundation: double-entry ledger, running totals, the operations list and the event journal.
-- Every statement is idempotent so migrations can run on every start.

-- Accounts in the TigerBeetle style: posted and pending sums per side. A bettor's betting account is a
-- liability the bookmaker owes the bettor, so its credits must always cover its debits (balance >= 0).
CREATE TABLE IF NOT EXISTS ledger_accounts (
  id                 text PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('BETTOR', 'WALLET_CLEARING', 'STAKES_HELD', 'BOOKMAKER_REVENUE')),
  bettor_ref         text,
  currency           text NOT NULL DEFAULT 'KZT' CHECK (currency = 'KZT'),
  debits_posted      bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted     bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_pending     bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  credits_pending    bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT balance_never_negative
    CHECK (NOT debits_must_not_exceed_credits OR debits_posted + debits_pending <= credits_posted)
);

-- One row per posting. The id is the idempotency key `<operationId>:<leg>`; a replayed posting finds it.
CREATE TABLE IF NOT EXISTS ledger_transfers (
  id                 text PRIMARY KEY,
  operation_id       text NOT NULL,
  leg                text NOT NULL,
  debit_account_id   text NOT NULL REFERENCES ledger_accounts (id),
  credit_account_id  text NOT NULL REFERENCES ledger_accounts (id),
  amount_tiyn        bigint NOT NULL CHECK (amount_tiyn > 0),
  reverses           text REFERENCES ledger_transfers (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (operation_id, leg),
  CHECK (debit_account_id <> credit_account_id)
);
CREATE INDEX IF NOT EXISTS ledger_transfers_operation ON ledger_transfers (operation_id);

-- A reversal that arrives before the posting it undoes (the posting's outcome was unknown) leaves a
-- tombstone, so the late posting is refused instead of applied after its compensation.
CREATE TABLE IF NOT EXISTS ledger_tombstones (
  transfer_id        text PRIMARY KEY,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- Running (cumulative) totals per bettor, AFM order No. 9, item 4(6), updated in the same transaction as the ledger.
CREATE TABLE IF NOT EXISTS bettor_totals (
  bettor_ref         text PRIMARY KEY,
  received_tiyn      bigint NOT NULL DEFAULT 0,
  paid_tiyn          bigint NOT NULL DEFAULT 0,
  operations         integer NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The operations list bookmaker apps and compliance read (never Temporal visibility, which lags).
CREATE TABLE IF NOT EXISTS operations (
  operation_id       text PRIMARY KEY,
  kind               text NOT NULL,
  workflow_id        text NOT NULL,
  bettor_ref         text NOT NULL,
  amount_tiyn        bigint NOT NULL,
  status             text NOT NULL,
  esu_receipt_id     text,
  failure_type       text,
  failure_message    text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS operations_status ON operations (status, updated_at);
CREATE INDEX IF NOT EXISTS operations_bettor ON operations (bettor_ref, created_at);

-- Event journal with the attributes of National Bank resolution No. 116 §55.11: start, event, acting user, record id, end, result.
-- Retained at least 5 years (AFM order No. 9, item 4(7), National Bank resolution No. 116 §64): there is no deletion path.
CREATE TABLE IF NOT EXISTS journal (
  id                 bigserial PRIMARY KEY,
  started_at         timestamptz NOT NULL,
  ended_at           timestamptz NOT NULL,
  event              text NOT NULL,
  actor              text NOT NULL,
  record_id          text NOT NULL,
  result             text NOT NULL,
  details            jsonb NOT NULL DEFAULT '{}'::jsonb,
  dedupe_key         text UNIQUE
);
CREATE INDEX IF NOT EXISTS journal_record ON journal (record_id, id);
CREATE INDEX IF NOT EXISTS journal_started ON journal (started_at);

INSERT INTO ledger_accounts (id, kind) VALUES ('wallet-clearing', 'WALLET_CLEARING') ON CONFLICT DO NOTHING;
