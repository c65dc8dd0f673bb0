-- Seals of the journal's chain head: (seq, hash) with a keyed MAC computed by the application under a key the
-- database never holds (JOURNAL_SEAL_KEY). The chain's own hash is unkeyed, so the database's owner could rewrite
-- entries and re-hash them; a sealed head it cannot forge, so verification finds every entry changed or removed at
-- or before the newest seal. The latest seal is also written outside the database (beside each export and backup,
-- and printed for the auditor's own records), so removing seals is found too.
CREATE TABLE IF NOT EXISTS journal_seals (
  seq        bigint PRIMARY KEY CHECK (seq >= 0),
  hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  sealed_at  timestamptz NOT NULL,
  key_id     text NOT NULL,
  mac        text NOT NULL CHECK (mac ~ '^[0-9a-f]{64}$')
);

DROP TRIGGER IF EXISTS journal_seals_append_only ON journal_seals;
CREATE TRIGGER journal_seals_append_only BEFORE UPDATE OR DELETE ON journal_seals FOR EACH ROW EXECUTE FUNCTION journal_append_only();
DROP TRIGGER IF EXISTS journal_seals_no_truncate ON journal_seals;
CREATE TRIGGER journal_seals_no_truncate BEFORE TRUNCATE ON journal_seals FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
