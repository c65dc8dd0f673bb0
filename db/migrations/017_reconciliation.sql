-- Daily reconciliation (issue 13): our operations, ledger postings and AFM submissions against ESU's recorded
-- operations, Nomapay's statement and AFM's accepted records, one Almaty day at a time (workflows/reconciliation.ts).
-- Runs once, in one transaction (db/migrate.ts). Every row is kept like the records it compares (AFM order No. 9,
-- item 4(7)): `retain_until` from its own dates, as migration 013 computes it; the retention job removes rows past it.

-- One row per run of a day: the schedule's daily run and every run on demand.
CREATE TABLE IF NOT EXISTS reconciliation_runs (
  run_id          text PRIMARY KEY,
  day             date NOT NULL,
  workflow_id     text NOT NULL,
  trigger         text NOT NULL CHECK (trigger IN ('SCHEDULE', 'ON_DEMAND')),
  status          text NOT NULL CHECK (status IN ('RUNNING', 'CLEAN', 'DIFFERENCES', 'INCOMPLETE')),
  -- Operations younger than this at the run's start are not yet called missing at a counterpart.
  grace_minutes   integer NOT NULL CHECK (grace_minutes >= 0),
  -- Per counterpart: records fetched, compared, matched, still within their grace period, and any error.
  counts          jsonb NOT NULL DEFAULT '{}'::jsonb,
  differences     integer NOT NULL DEFAULT 0,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  retain_until    timestamptz GENERATED ALWAYS AS (retention_deadline(greatest(started_at, finished_at))) STORED
);
CREATE INDEX IF NOT EXISTS reconciliation_runs_day ON reconciliation_runs (day, started_at DESC);
CREATE INDEX IF NOT EXISTS reconciliation_runs_retain_until ON reconciliation_runs (retain_until);

-- What a counterpart listed for a run, page by page: only what the comparison needs (ids, kind, amount, status,
-- time), never the bettor's IIN, so the staging of a large day does not copy personal data.
CREATE TABLE IF NOT EXISTS reconciliation_listed_records (
  run_id          text NOT NULL REFERENCES reconciliation_runs (run_id),
  counterpart     text NOT NULL CHECK (counterpart IN ('ESU', 'NOMAPAY', 'AFM')),
  page            integer NOT NULL,
  position        integer NOT NULL,
  record_id       text NOT NULL,
  kind            text,
  amount_tiyn     bigint,
  status          text NOT NULL,
  at              timestamptz NOT NULL,
  listed_at       timestamptz NOT NULL DEFAULT now(),
  retain_until    timestamptz GENERATED ALWAYS AS (retention_deadline(listed_at)) STORED,
  -- A page fetched again (a retried activity) lands on the same rows.
  PRIMARY KEY (run_id, counterpart, page, position)
);
CREATE INDEX IF NOT EXISTS reconciliation_listed_records_id ON reconciliation_listed_records (run_id, counterpart, record_id);
CREATE INDEX IF NOT EXISTS reconciliation_listed_records_retain_until ON reconciliation_listed_records (retain_until);

-- Every difference found, once per day, counterpart, kind and record: a later run of the same day finds the
-- same row (last_run_id) instead of a copy; one no longer found is resolved by that run. Officers resolve the
-- rest with a reason in the console (journalled), due the next Kazakhstan working day.
CREATE TABLE IF NOT EXISTS reconciliation_differences (
  difference_id   text PRIMARY KEY,
  day             date NOT NULL,
  counterpart     text NOT NULL CHECK (counterpart IN ('ESU', 'NOMAPAY', 'AFM', 'LEDGER')),
  kind            text NOT NULL CHECK (kind IN ('MISSING_AT_COUNTERPART', 'MISSING_AT_OURS', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'DUPLICATE',
                    'ACCOUNT_TOTALS', 'RUNNING_TOTALS', 'UNBALANCED')),
  -- The id the record goes by at the counterpart (dep-X, afm-dep-X) or in the ledger (an account id).
  record_id       text NOT NULL,
  operation_id    text,
  operation_kind  text,
  ours            jsonb,
  theirs          jsonb,
  message         text NOT NULL,
  status          text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RESOLVED')),
  first_run_id    text NOT NULL REFERENCES reconciliation_runs (run_id),
  last_run_id     text NOT NULL REFERENCES reconciliation_runs (run_id),
  found_at        timestamptz NOT NULL DEFAULT now(),
  due_at          timestamptz NOT NULL,
  resolved_at     timestamptz,
  resolved_by     text,
  resolution      text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  retain_until    timestamptz GENERATED ALWAYS AS (retention_deadline(greatest(found_at, resolved_at))) STORED,
  UNIQUE (day, counterpart, kind, record_id),
  CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL AND resolution IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS reconciliation_differences_open ON reconciliation_differences (due_at) WHERE status = 'OPEN';
CREATE INDEX IF NOT EXISTS reconciliation_differences_day ON reconciliation_differences (day, counterpart);
CREATE INDEX IF NOT EXISTS reconciliation_differences_retain_until ON reconciliation_differences (retain_until);

-- No deletion before retain_until, never TRUNCATE (record_retained() of migration 013).
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['reconciliation_runs', 'reconciliation_listed_records', 'reconciliation_differences'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_retained', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION record_retained()', t || '_retained', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_no_truncate', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION record_retained()', t || '_no_truncate', t);
  END LOOP;
END $$;
