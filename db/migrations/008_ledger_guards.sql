-- Ledger guards: the ledger's history is append-only in the database itself, whoever connects, and the running
-- totals can never go negative and are checked against the transfers. Runs once, in one transaction (db/migrate.ts).

-- ─── Transfers and tombstones: written once, never changed ────────────────────────────────────────────
-- A posting is undone by a mirror transfer (`<leg>-reversal`), never by editing or removing it; a tombstone
-- removed would let a posting land after its compensation.
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused (undo a posting with its reversal)', TG_TABLE_NAME, TG_OP;
END $$;

DROP TRIGGER IF EXISTS ledger_transfers_append_only ON ledger_transfers;
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
DROP TRIGGER IF EXISTS ledger_transfers_no_truncate ON ledger_transfers;
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

DROP TRIGGER IF EXISTS ledger_tombstones_append_only ON ledger_tombstones;
CREATE TRIGGER ledger_tombstones_append_only BEFORE UPDATE OR DELETE ON ledger_tombstones FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
DROP TRIGGER IF EXISTS ledger_tombstones_no_truncate ON ledger_tombstones;
CREATE TRIGGER ledger_tombstones_no_truncate BEFORE TRUNCATE ON ledger_tombstones FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- ─── Pending transfers: resolved once ──────────────────────────────────────────────────────────────────
-- A reservation is kept for good. Its one change is its resolution, PENDING → POSTED or VOIDED with the time
-- it happened (activities/betting-ledger.ts postReservation, voidReservation); what it holds, from and to
-- which account, under which id, never changes.
CREATE OR REPLACE FUNCTION ledger_pending_resolves_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'ledger_pending_transfers is append-only: % refused (a reservation is voided, not removed)', TG_OP;
  END IF;
  IF OLD.status <> 'PENDING' THEN
    RAISE EXCEPTION 'reservation % is already resolved (%): it cannot change', OLD.id, OLD.status;
  END IF;
  IF (NEW.id, NEW.operation_id, NEW.leg, NEW.debit_account_id, NEW.credit_account_id, NEW.amount_tiyn, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.operation_id, OLD.leg, OLD.debit_account_id, OLD.credit_account_id, OLD.amount_tiyn, OLD.created_at) THEN
    RAISE EXCEPTION 'reservation %: only its status and resolved_at may change', OLD.id;
  END IF;
  IF NEW.status NOT IN ('POSTED', 'VOIDED') OR NEW.resolved_at IS NULL THEN
    RAISE EXCEPTION 'reservation % resolves from PENDING to POSTED or VOIDED, with its resolved_at', OLD.id;
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS ledger_pending_resolves_once ON ledger_pending_transfers;
CREATE TRIGGER ledger_pending_resolves_once BEFORE UPDATE OR DELETE ON ledger_pending_transfers FOR EACH ROW EXECUTE FUNCTION ledger_pending_resolves_once();
DROP TRIGGER IF EXISTS ledger_pending_no_truncate ON ledger_pending_transfers;
CREATE TRIGGER ledger_pending_no_truncate BEFORE TRUNCATE ON ledger_pending_transfers FOR EACH STATEMENT EXECUTE FUNCTION ledger_pending_resolves_once();

-- ─── Running totals (AFM order No. 9, item 4(6)): never negative ────────────────────────────────────────────────────
-- Each is a sum of amounts moved (a reversal takes back only what its posting added), so a negative one is
-- a total changed outside the ledger.
DO $$
DECLARE
  col text;
BEGIN
  FOREACH col IN ARRAY ARRAY['received_tiyn', 'paid_tiyn', 'staked_tiyn', 'winnings_tiyn', 'operations'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'bettor_totals'::regclass AND conname = 'bettor_totals_' || col || '_not_negative') THEN
      EXECUTE format('ALTER TABLE bettor_totals ADD CONSTRAINT %I CHECK (%I >= 0)', 'bettor_totals_' || col || '_not_negative', col);
    END IF;
  END LOOP;
END $$;

-- ─── Running totals checked against the transfers ──────────────────────────────────────────────────────
-- What each bettor's totals should be, recomputed from ledger_transfers alone, next to what bettor_totals
-- holds; `consistent` is false where they differ (the reconciliation reads `WHERE NOT consistent`):
--   received  deposits credited (wallet-clearing → bettor), less their reversals;
--   paid      payouts posted (bettor → wallet-clearing);
--   staked    stakes posted on ESU's receipt (bettor → stakes-held);
--   winnings  what a WON settlement credited the bettor (stake returned plus winnings), by bets.settlement_id;
--   operations one per deposit, payout, accepted stake and settlement, less one per reversal.
CREATE OR REPLACE VIEW bettor_totals_check AS
WITH moves AS (
  SELECT a.bettor_ref, t.amount_tiyn,
         CASE WHEN t.reverses IS NULL THEN 1 ELSE -1 END AS sign,
         -- A reversal counts against the total of the transfer it mirrors, so it is classed by that one's direction.
         CASE
           WHEN o.kind = 'WALLET_CLEARING' AND (t.credit_account_id = a.id) = (t.reverses IS NULL) THEN 'received'
           WHEN o.kind = 'WALLET_CLEARING' THEN 'paid'
           WHEN o.kind = 'STAKES_HELD' AND (t.debit_account_id = a.id) = (t.reverses IS NULL) THEN 'staked'
         END AS total
  FROM ledger_transfers t
  JOIN ledger_accounts a ON a.kind = 'BETTOR' AND a.id IN (t.debit_account_id, t.credit_account_id)
  JOIN ledger_accounts o ON o.id = CASE WHEN t.credit_account_id = a.id THEN t.debit_account_id ELSE t.credit_account_id END
),
settlements AS (
  SELECT b.bettor_ref, t.operation_id,
         coalesce(sum(t.amount_tiyn) FILTER (WHERE b.result = 'WON' AND c.kind = 'BETTOR'), 0) AS winnings_tiyn
  FROM ledger_transfers t
  JOIN bets b ON b.settlement_id = t.operation_id
  JOIN ledger_accounts c ON c.id = t.credit_account_id
  WHERE t.reverses IS NULL
  GROUP BY b.bettor_ref, t.operation_id
),
figures AS (
  SELECT bettor_ref,
         CASE WHEN total = 'received' THEN sign * amount_tiyn ELSE 0 END AS received_tiyn,
         CASE WHEN total = 'paid' THEN sign * amount_tiyn ELSE 0 END AS paid_tiyn,
         CASE WHEN total = 'staked' THEN sign * amount_tiyn ELSE 0 END AS staked_tiyn,
         0::bigint AS winnings_tiyn,
         CASE WHEN total IS NOT NULL THEN sign ELSE 0 END AS operations
  FROM moves
  UNION ALL
  SELECT bettor_ref, 0, 0, 0, winnings_tiyn, 1 FROM settlements
),
expected AS (
  SELECT bettor_ref,
         sum(received_tiyn)::bigint AS received_tiyn,
         sum(paid_tiyn)::bigint AS paid_tiyn,
         sum(staked_tiyn)::bigint AS staked_tiyn,
         sum(winnings_tiyn)::bigint AS winnings_tiyn,
         sum(operations)::integer AS operations
  FROM figures
  GROUP BY bettor_ref
)
SELECT coalesce(bt.bettor_ref, e.bettor_ref) AS bettor_ref,
       coalesce(bt.received_tiyn, 0) AS received_tiyn, coalesce(e.received_tiyn, 0) AS expected_received_tiyn,
       coalesce(bt.paid_tiyn, 0) AS paid_tiyn, coalesce(e.paid_tiyn, 0) AS expected_paid_tiyn,
       coalesce(bt.staked_tiyn, 0) AS staked_tiyn, coalesce(e.staked_tiyn, 0) AS expected_staked_tiyn,
       coalesce(bt.winnings_tiyn, 0) AS winnings_tiyn, coalesce(e.winnings_tiyn, 0) AS expected_winnings_tiyn,
       coalesce(bt.operations, 0) AS operations, coalesce(e.operations, 0) AS expected_operations,
       (coalesce(bt.received_tiyn, 0), coalesce(bt.paid_tiyn, 0), coalesce(bt.staked_tiyn, 0), coalesce(bt.winnings_tiyn, 0), coalesce(bt.operations, 0))
         = (coalesce(e.received_tiyn, 0), coalesce(e.paid_tiyn, 0), coalesce(e.staked_tiyn, 0), coalesce(e.winnings_tiyn, 0), coalesce(e.operations, 0))
         AS consistent
FROM bettor_totals bt
FULL JOIN expected e ON e.bettor_ref = bt.bettor_ref;
