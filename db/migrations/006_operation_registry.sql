-- The operation registry: every deposit, bet, settlement and payout id is registered once, with its kind,
-- bettor and a digest of its request, before any counterpart is called. One id is one operation, whatever
-- workflow started it: a deposit and a payout can never share an id, and the row outlives Temporal's
-- retention, so an id reused months later meets its first use here (activities/operation-registry.ts).
CREATE TABLE IF NOT EXISTS operation_registry (
  operation_id       text PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('DEPOSIT', 'BET', 'SETTLEMENT', 'PAYOUT')),
  bettor_ref         text,
  -- HMAC-SHA256 (BETTOR_REF_KEY) of the canonical request; NULL for operations registered from the
  -- operations list below, whose request was never kept: their ids can be joined by nothing.
  request_digest     text,
  workflow_id        text NOT NULL,
  run_id             text,
  registered_at      timestamptz NOT NULL DEFAULT now(),
  outcome            text CHECK (outcome IN ('COMPLETED', 'FAILED')),
  -- The saga's last state (no personal data: ids, amounts, statuses, receipts), answered to a later reuse.
  final_state        jsonb,
  finished_at        timestamptz,
  -- AFM order No. 9, item 4(7): five years from 1 January of the year after the operation.
  retain_until       date NOT NULL DEFAULT (date_trunc('year', now()) + interval '6 years')::date,
  CHECK ((outcome IS NULL) = (finished_at IS NULL))
);
CREATE INDEX IF NOT EXISTS operation_registry_bettor ON operation_registry (bettor_ref, registered_at);

-- Operations that ran before the registry existed take their ids with them. Their requests are unknown,
-- so the same id arriving again is refused rather than guessed to be a replay.
INSERT INTO operation_registry (operation_id, kind, bettor_ref, request_digest, workflow_id, registered_at, outcome, finished_at)
SELECT operation_id, kind, NULLIF(bettor_ref, ''), NULL, workflow_id, created_at,
       CASE WHEN status IN ('COMPLETED', 'ACCEPTED', 'SETTLED', 'SETTLED_ESU_PENDING', 'COMPLETED_ESU_PENDING') THEN 'COMPLETED'
            WHEN status IN ('REFUSED', 'COMPENSATED', 'VOIDED', 'COMPENSATION_FAILED') THEN 'FAILED' END,
       CASE WHEN status IN ('COMPLETED', 'ACCEPTED', 'SETTLED', 'SETTLED_ESU_PENDING', 'COMPLETED_ESU_PENDING',
                            'REFUSED', 'COMPENSATED', 'VOIDED', 'COMPENSATION_FAILED') THEN updated_at END
FROM operations
WHERE kind IN ('DEPOSIT', 'BET', 'SETTLEMENT', 'PAYOUT')
ON CONFLICT (operation_id) DO NOTHING;
