-- Tokens the console issues to a signed-in officer for the CLI (issue 14): `esu-bridge login` signs in through
-- the console and gets one; every console action of the CLI then sends it as `Authorization: Bearer …`, and the
-- server, not the caller, says who acts and with which role. Only the token's SHA-256 is stored. A token holds
-- until expires_at (CONSOLE_CLI_TOKEN_TTL after issue, 8 hours by default) or until it is revoked
-- (`esu-bridge logout`), and only while its user still exists with that role.
CREATE TABLE IF NOT EXISTS cli_tokens (
  id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  login         text NOT NULL,
  role          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX IF NOT EXISTS cli_tokens_live ON cli_tokens (login) WHERE revoked_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON cli_tokens TO esu_bridge_app;
