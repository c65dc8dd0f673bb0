-- Bettor identification by the ЦОИД rules and the bulk migration of existing bettors.
-- Every statement is idempotent. Journal rows go to `journal` (001), which has no deletion path (≥ 5 years).

-- The bettor's identification status: what deposit and bet sagas check (bettor_ref is the keyed IIN hash).
CREATE TABLE IF NOT EXISTS bettor_identifications (
  bettor_id            text PRIMARY KEY,
  bettor_ref           text,
  workflow_id          text NOT NULL,
  status               text NOT NULL
    CHECK (status IN ('IN_PROGRESS', 'BLOCKED', 'IN_REVIEW', 'IDENTIFIED', 'REFUSED', 'ABANDONED', 'FAILED')),
  step                 text NOT NULL,
  method               text CHECK (method IN ('TWO_FACTOR', 'PHOTO_MATCH', 'OFFLINE_REVIEW')),
  blocked_until        timestamptz,
  reason               text,
  consent_id           text,
  consent_given_at     timestamptz,
  consent_revoked_at   timestamptz,
  esu_registration_id  text,
  wallet_id            text,
  identified_at        timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bettor_identifications_ref ON bettor_identifications (bettor_ref);
CREATE INDEX IF NOT EXISTS bettor_identifications_status ON bettor_identifications (status, updated_at);

-- Personal data received through Nomapay from ЦОИД: never biometrics (ЦОИД rules §§15(4), 23(5), 30). Kept in
-- the bookmaker's own database in Kazakhstan (§9); it never enters Temporal.
CREATE TABLE IF NOT EXISTS bettor_personal_data (
  bettor_id            text PRIMARY KEY,
  bettor_ref           text NOT NULL,
  source               text NOT NULL CHECK (source IN ('TWO_FACTOR', 'PHOTO_MATCH')),
  data                 jsonb NOT NULL,
  received_at          timestamptz NOT NULL DEFAULT now()
);

-- Reference photos from the bookmaker's earlier KYC, with the annex 1 measurements of the capture software.
CREATE TABLE IF NOT EXISTS reference_photos (
  photo_ref            text PRIMARY KEY,
  image                bytea NOT NULL,
  quality              jsonb NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now()
);

-- The default migration source table (a migration may name another table with the same columns).
CREATE TABLE IF NOT EXISTS migration_bettors (
  bettor_id            text PRIMARY KEY,
  iin                  text NOT NULL,
  phone                text NOT NULL,
  consent_given_at     text NOT NULL,
  agreement_version    text NOT NULL,
  photo_ref            text NOT NULL
);

-- One row per bettor per migration: its outcome, written once (the key makes a replayed write a no-op).
CREATE TABLE IF NOT EXISTS migration_items (
  migration_id         text NOT NULL,
  bettor_id            text NOT NULL,
  position             integer NOT NULL,
  outcome              text NOT NULL
    CHECK (outcome IN ('IDENTIFIED', 'ALREADY_IDENTIFIED', 'IN_REVIEW', 'REFUSED', 'FAILED', 'INVALID', 'BUSY')),
  detail               text,
  settled_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (migration_id, bettor_id)
);
CREATE INDEX IF NOT EXISTS migration_items_outcome ON migration_items (migration_id, outcome);
