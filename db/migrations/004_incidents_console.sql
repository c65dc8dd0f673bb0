-- Incidents (National Bank resolution No. 116 pp.61–65), the compliance console, and a tamper-evident event journal.
-- Runs once, in one transaction (db/migrate.ts).

-- ─── Tamper-evident journal ──────────────────────────────────────────────────────────────────────────
-- Each entry carries the hash of the one before (prev_hash) and its own hash over its content; chain_seq
-- numbers entries without gaps. A BEFORE INSERT trigger links every entry, whoever writes it, so writers
-- (recordStep, the identification store, the console) need not know. It locks the single chain-head row
-- FOR UPDATE, which orders concurrent writers: each sees the head its predecessor committed.
-- `verify` (console/journal-chain.ts) recomputes every hash and compares the last entry with the head, so an
-- altered, removed or inserted entry shows. UPDATE, DELETE and TRUNCATE are refused outright.
ALTER TABLE journal ADD COLUMN IF NOT EXISTS chain_seq bigint;
ALTER TABLE journal ADD COLUMN IF NOT EXISTS prev_hash text;
ALTER TABLE journal ADD COLUMN IF NOT EXISTS hash text;

CREATE TABLE IF NOT EXISTS journal_chain_head (
  id          integer PRIMARY KEY CHECK (id = 1),
  seq         bigint NOT NULL,
  hash        text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One field of the hashed text: its length in UTF-8 bytes, a colon, the value, a semicolon (N; for NULL), so
-- no two different rows can produce the same text by shifting characters between fields.
CREATE OR REPLACE FUNCTION journal_field(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN x IS NULL THEN 'N;' ELSE octet_length(convert_to(x, 'UTF8'))::text || ':' || x || ';' END
$$;

CREATE OR REPLACE FUNCTION journal_entry_hash(
  prev_hash text, chain_seq bigint, id bigint, started_at timestamptz, ended_at timestamptz, event text, actor text,
  record_id text, result text, details jsonb, dedupe_key text
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    journal_field(prev_hash) || journal_field(chain_seq::text) || journal_field(id::text) ||
    journal_field(((extract(epoch FROM started_at) * 1000000)::bigint)::text) ||
    journal_field(((extract(epoch FROM ended_at) * 1000000)::bigint)::text) ||
    journal_field(event) || journal_field(actor) || journal_field(record_id) || journal_field(result) ||
    journal_field(details::text) || journal_field(dedupe_key), 'UTF8')), 'hex')
$$;

-- Link the entries written before this migration, oldest first, then start the head after them.
DO $$
DECLARE
  r journal%ROWTYPE;
  prev text := repeat('0', 64);
  seq bigint := 0;
BEGIN
  FOR r IN SELECT * FROM journal ORDER BY id LOOP
    seq := seq + 1;
    UPDATE journal SET chain_seq = seq, prev_hash = prev,
      hash = journal_entry_hash(prev, seq, r.id, r.started_at, r.ended_at, r.event, r.actor, r.record_id, r.result, r.details, r.dedupe_key)
    WHERE id = r.id
    RETURNING hash INTO prev;
  END LOOP;
  INSERT INTO journal_chain_head (id, seq, hash) VALUES (1, seq, prev) ON CONFLICT (id) DO NOTHING;
END $$;

ALTER TABLE journal ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE journal ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE journal ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS journal_chain_seq ON journal (chain_seq);

CREATE OR REPLACE FUNCTION journal_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head journal_chain_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM journal_chain_head WHERE id = 1 FOR UPDATE;
  -- The same step journalled again (a local activity that ran twice): skip it here, under the head lock, so a
  -- skipped row never moves the head. ON CONFLICT (dedupe_key) DO NOTHING in the writers stays as a backstop.
  IF NEW.dedupe_key IS NOT NULL AND EXISTS (SELECT 1 FROM journal WHERE dedupe_key = NEW.dedupe_key) THEN
    RETURN NULL;
  END IF;
  NEW.chain_seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := journal_entry_hash(NEW.prev_hash, NEW.chain_seq, NEW.id, NEW.started_at, NEW.ended_at, NEW.event, NEW.actor,
    NEW.record_id, NEW.result, NEW.details, NEW.dedupe_key);
  UPDATE journal_chain_head SET seq = NEW.chain_seq, hash = NEW.hash, updated_at = now() WHERE id = 1;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only (National Bank resolution No. 116, item 55(11), p.62): % refused', TG_OP;
END $$;

DROP TRIGGER IF EXISTS journal_chain_link ON journal;
CREATE TRIGGER journal_chain_link BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_chain_link();
DROP TRIGGER IF EXISTS journal_append_only ON journal;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION journal_append_only();
DROP TRIGGER IF EXISTS journal_no_truncate ON journal;
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();

-- ─── Incidents: the incident journal of p.64, kept at least 5 years (p.62) ───────────────────────────────
-- One row per incident (one card per incident, p.65), written by the incident workflow's local activity with
-- every step; `state` is the workflow's full snapshot (card, submissions, receipts, timeline).
CREATE TABLE IF NOT EXISTS incidents (
  incident_id         text PRIMARY KEY,
  workflow_id         text NOT NULL,
  name                text NOT NULL,
  status              text NOT NULL,
  main_events         text[] NOT NULL DEFAULT '{}',
  origin              text NOT NULL CHECK (origin IN ('OPS', 'DETECTOR')),
  counterpart         text,
  detected_at         timestamptz NOT NULL,
  detected_at_text    text NOT NULL,
  due_at              timestamptz NOT NULL,
  opened_at           timestamptz NOT NULL,
  opened_by           text NOT NULL,
  first_delivered_at  timestamptz,
  timeliness          text CHECK (timeliness IN ('ON_TIME', 'LATE')),
  escalated_at        timestamptz,
  closed_at           timestamptz,
  version             integer NOT NULL,
  revision            integer NOT NULL,
  state               jsonb NOT NULL,
  -- G7: the start point is undefined; count 5 years from the later of the last update and closure.
  retain_until        timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS incidents_status ON incidents (status, due_at);
CREATE INDEX IF NOT EXISTS incidents_detected ON incidents (detected_at);

CREATE OR REPLACE FUNCTION incidents_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.retain_until > now() THEN
    RAISE EXCEPTION 'incident % is retained until % (National Bank resolution No. 116, item 62)', OLD.incident_id, OLD.retain_until;
  END IF;
  RETURN OLD;
END $$;
DROP TRIGGER IF EXISTS incidents_retained ON incidents;
CREATE TRIGGER incidents_retained BEFORE DELETE ON incidents FOR EACH ROW EXECUTE FUNCTION incidents_retained();

-- Reminders and escalations the incident workflow raised, for the console's banner; once per checkpoint.
CREATE TABLE IF NOT EXISTS incident_alerts (
  id            bigserial PRIMARY KEY,
  incident_id   text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('REMINDER', 'INTERNAL_TARGET', 'DEADLINE')),
  checkpoint    text NOT NULL,
  fired_at      timestamptz NOT NULL,
  due_at        timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, checkpoint)
);

-- ─── Compliance console ─────────────────────────────────────────────────────────────────────────────
-- Who works on which inbox item. Items live in their own tables (incidents, submissions, bettor_identifications).
CREATE TABLE IF NOT EXISTS console_assignments (
  inbox         text NOT NULL,
  item_id       text NOT NULL,
  assignee      text NOT NULL,
  assigned_by   text NOT NULL,
  assigned_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (inbox, item_id)
);

-- ─── Availability of counterparts (the e-government integration rules, A7 p.7) ─────────────────────────────────────────────────
-- The connectors' own observations, counted per counterpart and minute by the worker's exchange recorder.
CREATE TABLE IF NOT EXISTS counterpart_exchange_minutes (
  counterpart     text NOT NULL,
  minute          timestamptz NOT NULL,
  ok              integer NOT NULL DEFAULT 0,
  client_errors   integer NOT NULL DEFAULT 0,
  auth_failures   integer NOT NULL DEFAULT 0,
  server_errors   integer NOT NULL DEFAULT 0,
  network_errors  integer NOT NULL DEFAULT 0,
  latency_ms_sum  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (counterpart, minute)
);

-- Planned maintenance announced by a counterpart (the e-government integration rules, item 48: agreed 3 working days ahead), excluded from
-- both T and P of the availability index and from the "unreachable" detector.
CREATE TABLE IF NOT EXISTS maintenance_windows (
  id            bigserial PRIMARY KEY,
  counterpart   text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
  note          text NOT NULL DEFAULT '',
  announced_by  text NOT NULL,
  announced_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS maintenance_windows_counterpart ON maintenance_windows (counterpart, starts_at);
