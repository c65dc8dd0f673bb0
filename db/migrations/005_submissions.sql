-- Regulator submissions (AFM, AFM order No. 9, annex 2 and p.5(3); corrected ESU records), one row per attempt, written
-- by the submission workflow's local activity with every step (activities/submissions.ts); each step also goes
-- to the tamper-evident journal (004). The compliance console's submissions inbox reads this table.
-- Every statement is idempotent.
CREATE TABLE IF NOT EXISTS submissions (
  submission_id           text PRIMARY KEY,
  workflow_id             text NOT NULL,
  counterpart             text NOT NULL CHECK (counterpart IN ('AFM', 'ESU')),
  operation_id            text NOT NULL,
  operation_kind          text NOT NULL CHECK (operation_kind IN ('DEPOSIT', 'BET', 'SETTLEMENT', 'PAYOUT')),
  bettor_ref              text NOT NULL,
  -- The chain: attempt 1 is the original; a corrected resubmission is attempt n + 1 of the same original.
  attempt                 integer NOT NULL CHECK (attempt > 0),
  original_submission_id  text NOT NULL,
  corrects_submission_id  text,
  corrected_by            text,
  status                  text NOT NULL CHECK (status IN ('QUEUED', 'SENDING', 'RETRYING', 'WAITING_MAINTENANCE', 'ACKNOWLEDGED',
                            'ACCEPTED', 'REJECTED', 'CORRECTED', 'FAILED')),
  -- The counterpart's proof of acceptance (the e-government integration rules §47) with our own send and receive times (§55).
  message_id              text,
  receipt                 jsonb,
  rejection_code          text,
  rejection_reason        text,
  rejection_source        text CHECK (rejection_source IN ('INITIAL', 'SYNCHRONOUS', 'VERDICT')),
  -- The record as sent. It carries the bettor's IIN (personal data, ЦОИД rules §§9–10): kept in the bookmaker's
  -- own database in Kazakhstan (AFM order No. 9, item 4(1)) so officers can read and correct it, like bettor_personal_data
  -- (003); it never goes to Temporal in clear (the payload codec) nor into search attributes or memo.
  payload                 jsonb NOT NULL,
  sent_at                 timestamptz,
  acknowledged_at         timestamptz,
  window_ends_at          timestamptz,
  rejected_at             timestamptz,
  accepted_at             timestamptz,
  failed_at               timestamptz,
  failure_type            text,
  failure_message         text,
  -- The officers' 1 working day to correct a rejection, the reminder and the escalation when it passes.
  due_at                  timestamptz,
  reminded_at             timestamptz,
  escalated_at            timestamptz,
  revision                integer NOT NULL,
  -- AFM order No. 9, item 4(7): at least 5 years from 1 January of the year after the operation.
  retain_until            timestamptz NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (counterpart, operation_id, attempt)
);
CREATE INDEX IF NOT EXISTS submissions_status ON submissions (status, updated_at);
CREATE INDEX IF NOT EXISTS submissions_bettor ON submissions (bettor_ref, created_at);
CREATE INDEX IF NOT EXISTS submissions_original ON submissions (original_submission_id, attempt);

-- No deletion path while retained, and never TRUNCATE (AFM order No. 9, item 4(7); like incidents in 004).
CREATE OR REPLACE FUNCTION submissions_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'submissions are retained at least 5 years (AFM order No. 9, item 4(7)): TRUNCATE refused';
  END IF;
  IF OLD.retain_until > now() THEN
    RAISE EXCEPTION 'submission % is retained until % (AFM order No. 9, item 4(7))', OLD.submission_id, OLD.retain_until;
  END IF;
  RETURN OLD;
END $$;
DROP TRIGGER IF EXISTS submissions_retained ON submissions;
CREATE TRIGGER submissions_retained BEFORE DELETE ON submissions FOR EACH ROW EXECUTE FUNCTION submissions_retained();
DROP TRIGGER IF EXISTS submissions_no_truncate ON submissions;
CREATE TRIGGER submissions_no_truncate BEFORE TRUNCATE ON submissions FOR EACH STATEMENT EXECUTE FUNCTION submissions_retained();
