-- A corrected resubmission that changes an amount or a date waits here for a second officer's approval (the
-- console's resubmission rules, console/resubmissions.ts). One pending correction per submission at a time; the
-- request, approval and refusal are journalled (004) with the old and new values of what changed, never the IIN.
-- `payload` is the corrected record as it will be sent: like submissions.payload (005) it carries the bettor's IIN,
-- kept in the bookmaker's own database in Kazakhstan so the second officer reads what they approve.
CREATE TABLE IF NOT EXISTS resubmission_approvals (
  approval_id    bigserial PRIMARY KEY,
  submission_id  text NOT NULL,
  status         text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REFUSED')),
  payload        jsonb NOT NULL,
  -- [{field, old, new}] for every field of the record that changed (amounts, dates; never the IIN, which is pinned).
  changes        jsonb NOT NULL,
  requested_by   text NOT NULL,
  requested_at   timestamptz NOT NULL DEFAULT now(),
  decided_by     text,
  decided_at     timestamptz,
  note           text,
  -- The second officer is someone else: the database holds the rule too.
  CHECK (decided_by IS NULL OR status = 'REFUSED' OR decided_by <> requested_by),
  CHECK ((status = 'PENDING') = (decided_by IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS resubmission_approvals_pending ON resubmission_approvals (submission_id) WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS resubmission_approvals_submission ON resubmission_approvals (submission_id, requested_at);
