-- The application's own database role (issue 14: the journal must prove itself against its own database). The
-- worker, the API and the console connect as `esu_bridge_app` (DATABASE_ROLE, or a login role that is a member of
-- it), never as the tables' owner, which runs these migrations: so the application can append to the journal but
-- cannot change, delete or truncate an entry, nor disable the triggers that guard it (only an owner may ALTER TABLE).
-- Deployments create their login role themselves, e.g.
--   CREATE ROLE esu_app LOGIN PASSWORD '…' IN ROLE esu_bridge_app;   -- the app's DATABASE_URL user
-- and keep the owner's credentials for `npm run migrate`, backup and restore (MIGRATION_DATABASE_URL).
DO $$
BEGIN
  CREATE ROLE esu_bridge_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are per cluster: another database of the cluster created it already
END $$;

GRANT USAGE ON SCHEMA public TO esu_bridge_app;
-- Everything else the application reads and writes, as it does today (the tables' own triggers still guard the
-- ledger's append-only rows and the retained records).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO esu_bridge_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO esu_bridge_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO esu_bridge_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO esu_bridge_app;

-- The journal, its seals and its chain head: append and read only. A seal locks the head row (SELECT … FOR UPDATE
-- needs an UPDATE right on one column): `updated_at` alone, never seq or hash.
REVOKE UPDATE, DELETE, TRUNCATE ON journal, journal_seals FROM esu_bridge_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON journal_chain_head FROM esu_bridge_app;
GRANT UPDATE (updated_at) ON journal_chain_head TO esu_bridge_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM esu_bridge_app;

-- The chain link moves the head for every writer: it runs with its owner's rights, so the application's INSERT into
-- the journal advances the head without the application holding any right to write the head itself.
ALTER FUNCTION journal_chain_link() SECURITY DEFINER;
ALTER FUNCTION journal_chain_link() SET search_path = public, pg_temp;
