-- Retention for every regulated record (AFM order No. 9, item 4(7): at least 5 years from 1 January of the year
-- after the bet or operation; National Bank resolution No. 116 §62 for incidents). Each record carries its
-- `retain_until`, computed here in the database from its own dates, so no writer can forget or miscount it; the
-- retention job (db/retention.ts) removes or anonymises only rows past it, and triggers refuse a deletion before.
-- Runs once, in one transaction (db/migrate.ts).

-- 1 January 00:00 in Almaty of the sixth year after the year (in Almaty) of `at`: five whole years counted from
-- 1 January of the year after. A record of 2026-12-31 23:30 Almaty is kept until 2032-01-01 00:00 Almaty.
-- IMMUTABLE so it can compute stored generated columns; it reads only the time zone database, which
-- PostgreSQL's own timezone() treats the same way.
CREATE OR REPLACE FUNCTION retention_deadline(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT make_date(extract(year FROM timezone('Asia/Almaty', at))::int + 6, 1, 1)::timestamp AT TIME ZONE 'Asia/Almaty'
$$;

-- ─── The dates, one generated column per table (existing rows are backfilled by the table rewrite) ─────────
-- A record's latest date counts: a bet placed on 31 December and settled in January is kept from January.
ALTER TABLE bets ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(greatest(placed_at, settled_at))) STORED;
ALTER TABLE operations ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(greatest(created_at, updated_at))) STORED;
-- The ledger and the journal refuse every deletion already (migrations 004 and 008); their date is recorded so
-- that an export or an auditor can see how long each row must be kept.
ALTER TABLE ledger_transfers ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(created_at)) STORED;
ALTER TABLE ledger_pending_transfers ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(greatest(created_at, resolved_at))) STORED;
ALTER TABLE ledger_tombstones ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(created_at)) STORED;
ALTER TABLE journal ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(greatest(started_at, ended_at))) STORED;

-- The registry's own default (006) counted the year in the server's time zone from the registration alone:
-- replaced by the Almaty year of the later of registration and finish.
ALTER TABLE operation_registry DROP COLUMN IF EXISTS retain_until;
ALTER TABLE operation_registry ADD COLUMN retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(greatest(registered_at, finished_at))) STORED;

-- Bettors' personal data (the identification, what ЦОИД sent, reference photos, the migration source and its
-- outcomes). Their own date is a floor: the guard and the job also keep them while any bet or operation of the
-- same bettor is retained, since those records must still name whom they concern.
ALTER TABLE bettor_identifications ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(greatest(created_at, updated_at))) STORED;
ALTER TABLE bettor_personal_data ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(received_at)) STORED;
ALTER TABLE reference_photos ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(created_at)) STORED;
-- The migration source had no date of its own: rows loaded before this migration count from now.
ALTER TABLE migration_bettors ADD COLUMN IF NOT EXISTS loaded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE migration_bettors ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(loaded_at)) STORED;
ALTER TABLE migration_items ADD COLUMN IF NOT EXISTS retain_until timestamptz
  GENERATED ALWAYS AS (retention_deadline(settled_at)) STORED;
CREATE INDEX IF NOT EXISTS bettor_personal_data_ref ON bettor_personal_data (bettor_ref);

-- What the job scans: each table by its date.
CREATE INDEX IF NOT EXISTS bets_retain_until ON bets (retain_until);
CREATE INDEX IF NOT EXISTS operations_retain_until ON operations (retain_until);
CREATE INDEX IF NOT EXISTS bettor_identifications_retain_until ON bettor_identifications (retain_until);
CREATE INDEX IF NOT EXISTS bettor_personal_data_retain_until ON bettor_personal_data (retain_until);
CREATE INDEX IF NOT EXISTS reference_photos_retain_until ON reference_photos (retain_until);
CREATE INDEX IF NOT EXISTS migration_bettors_retain_until ON migration_bettors (retain_until);
CREATE INDEX IF NOT EXISTS migration_items_retain_until ON migration_items (retain_until);
CREATE INDEX IF NOT EXISTS submissions_retain_until ON submissions (retain_until);
CREATE INDEX IF NOT EXISTS incidents_retain_until ON incidents (retain_until);

-- ─── Guards: no deletion before retain_until, never TRUNCATE ─────────────────────────────────────────────
CREATE OR REPLACE FUNCTION record_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION '% is retained at least 5 years (AFM order No. 9, item 4(7)): TRUNCATE refused', TG_TABLE_NAME;
  END IF;
  IF OLD.retain_until > now() THEN
    RAISE EXCEPTION '% row is retained until % (AFM order No. 9, item 4(7)): DELETE refused', TG_TABLE_NAME, OLD.retain_until;
  END IF;
  RETURN OLD;
END $$;

-- A bettor's personal data is also kept while a bet or an operation of the same bettor is.
CREATE OR REPLACE FUNCTION bettor_data_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION '% is retained at least 5 years (AFM order No. 9, item 4(7)): TRUNCATE refused', TG_TABLE_NAME;
  END IF;
  IF OLD.retain_until > now() THEN
    RAISE EXCEPTION '% row is retained until % (AFM order No. 9, item 4(7)): DELETE refused', TG_TABLE_NAME, OLD.retain_until;
  END IF;
  IF OLD.bettor_ref IS NOT NULL AND (
       EXISTS (SELECT 1 FROM bets WHERE bettor_ref = OLD.bettor_ref AND retain_until > now())
    OR EXISTS (SELECT 1 FROM operations WHERE bettor_ref = OLD.bettor_ref AND retain_until > now())) THEN
    RAISE EXCEPTION '% row is retained while the bettor''s bets and operations are (AFM order No. 9, item 4(7)): DELETE refused', TG_TABLE_NAME;
  END IF;
  RETURN OLD;
END $$;

DO $$
DECLARE
  t text;
  fn text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bets', 'operations', 'operation_registry', 'reference_photos', 'migration_bettors', 'migration_items',
                           'bettor_identifications', 'bettor_personal_data'] LOOP
    fn := CASE WHEN t IN ('bettor_identifications', 'bettor_personal_data') THEN 'bettor_data_retained' ELSE 'record_retained' END;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_retained', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION %I()', t || '_retained', t, fn);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_no_truncate', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION %I()', t || '_no_truncate', t, fn);
  END LOOP;
END $$;

-- Incidents refused a deletion before retain_until (004) but not a TRUNCATE.
DROP TRIGGER IF EXISTS incidents_no_truncate ON incidents;
CREATE TRIGGER incidents_no_truncate BEFORE TRUNCATE ON incidents FOR EACH STATEMENT EXECUTE FUNCTION record_retained();
