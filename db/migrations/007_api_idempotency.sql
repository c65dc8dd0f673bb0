-- Idempotency keys of the bookmaker API's steps (identification and incident commands) and of the starts whose
-- workflows keep no request fingerprint (migrations, incidents). One row per caller and key: the fingerprint of
-- the request (a keyed hash, never the body) tells a replay from a conflicting reuse, and the stored answer is
-- what a replay of a step gets back. Deposits, bets, settlements and payouts keep their fingerprint in the
-- workflow memo instead.
CREATE TABLE IF NOT EXISTS api_idempotency_keys (
  caller           text NOT NULL,
  idempotency_key  text NOT NULL,
  route            text NOT NULL,
  fingerprint      text NOT NULL,
  status_code      integer,
  response         jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  PRIMARY KEY (caller, idempotency_key)
);
