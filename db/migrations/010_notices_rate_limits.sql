-- AFM's written notices (AFM order No. 9, item 5(3)) and the outbound rate limits shared by all workers.
-- Every statement is idempotent.

-- A written notice rejects a submission with its own source (the workflow's rejection.source = 'NOTICE').
ALTER TABLE submissions DROP CONSTRAINT IF EXISTS submissions_rejection_source_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_rejection_source_check
  CHECK (rejection_source IN ('INITIAL', 'SYNCHRONOUS', 'VERDICT', 'NOTICE'));

-- One row per notice and submission, with the officer's scan of the letter. The scan may carry personal data
-- (the bettor's IIN in AFM's letter): like reference_photos (003) and submissions.payload (005) it stays in the
-- bookmaker's own database in Kazakhstan (AFM order No. 9, item 4(1)), and never goes to Temporal (the workflow gets its
-- SHA-256). Kept as long as the submission it belongs to (AFM order No. 9, item 4(7)).
CREATE TABLE IF NOT EXISTS submission_notices (
  submission_id     text NOT NULL,
  afm_reference     text NOT NULL,
  notice_date       timestamptz NOT NULL,
  reason            text NOT NULL,
  scan              bytea NOT NULL,
  scan_media_type   text NOT NULL CHECK (scan_media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  scan_sha256       text NOT NULL CHECK (scan_sha256 ~ '^[0-9a-f]{64}$'),
  scan_bytes        integer NOT NULL CHECK (scan_bytes > 0 AND scan_bytes <= 2097152 AND scan_bytes = octet_length(scan)),
  recorded_by       text NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (submission_id, afm_reference)
);

-- Outbound rate limits (the e-government integration rules, annex 2: the state integration's peak of 2 000 requests an hour; ЦОИД rules
-- §49.3: anomalous traffic suspends a participant). One token bucket per counterpart, shared by every worker:
-- activities/rate-limit.ts takes a token with one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING. Time is
-- the database's clock, so workers' clocks do not matter. A negative balance is a queue of reserved slots.
CREATE TABLE IF NOT EXISTS counterpart_rate_limits (
  -- '<counterpart> <endpoint origin>', e.g. 'afm https://afm.example.kz': the limit is the receiver's.
  counterpart       text PRIMARY KEY,
  tokens            double precision NOT NULL,
  refilled_at       timestamptz NOT NULL,
  granted           boolean NOT NULL,
  taken             bigint NOT NULL DEFAULT 0
);
