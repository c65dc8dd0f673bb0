-- How AFM's verdicts reach the submissions (the e-government integration rules §47: the result fetched from the receiver's messages or
-- pushed to the sender's endpoint), and what a submission shows while it keeps retrying through an outage.
-- Every statement is idempotent.

-- Each verdict reader's position in its counterpart's messages feed (one reader per counterpart and task queue,
-- named by its workflow id): a restarted reader goes on from here.
CREATE TABLE IF NOT EXISTS verdict_cursors (
  reader       text PRIMARY KEY,
  counterpart  text NOT NULL CHECK (counterpart IN ('AFM')),
  cursor       text NOT NULL,
  delivered    bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every verdict AFM pushed that we took: a second push with the same message id is a replay, refused.
CREATE TABLE IF NOT EXISTS afm_callbacks (
  verdict_id     text PRIMARY KEY,
  message_id     text NOT NULL,
  submission_id  text NOT NULL,
  sent_at        timestamptz NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now()
);

-- A RETRYING submission shows what the last attempt met and when the next one goes.
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS outage_since timestamptz;
-- A push names its submission by message id.
CREATE INDEX IF NOT EXISTS submissions_message ON submissions (message_id) WHERE message_id IS NOT NULL;
