-- The compliance console's sessions, kept server-side so a logout or an administrator ends them (issue 14).
-- The cookie holds a random token; only its SHA-256 is stored. A session ends after CONSOLE_SESSION_IDLE
-- without a request or CONSOLE_SESSION_TTL after sign-in, whichever comes first (config/console.ts).
CREATE TABLE IF NOT EXISTS console_sessions (
  id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  login         text NOT NULL,
  role          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  end_reason    text
);
CREATE INDEX IF NOT EXISTS console_sessions_open ON console_sessions (login) WHERE ended_at IS NULL;
