-- Bets, settlements and payouts (the ESU integration plan, item 13; AFM order No. 9, item 4(3), §4.6). Runs once, in one transaction.

-- Running totals (AFM order No. 9, item 4(6)) grow with the amounts staked and won, next to received and paid (001).
ALTER TABLE bettor_totals ADD COLUMN IF NOT EXISTS staked_tiyn bigint NOT NULL DEFAULT 0;
ALTER TABLE bettor_totals ADD COLUMN IF NOT EXISTS winnings_tiyn bigint NOT NULL DEFAULT 0;

-- Pending transfers in the TigerBeetle style: a reservation counts in the accounts' *_pending sums (so
-- balance_never_negative already refuses a stake or payout the balance cannot cover) until it is posted
-- (it then becomes a ledger_transfers row with the same id) or voided. A void that arrives before its
-- reservation leaves a ledger_tombstones row, so the late reservation is refused.
CREATE TABLE IF NOT EXISTS ledger_pending_transfers (
  id                 text PRIMARY KEY,
  operation_id       text NOT NULL,
  leg                text NOT NULL,
  debit_account_id   text NOT NULL REFERENCES ledger_accounts (id),
  credit_account_id  text NOT NULL REFERENCES ledger_accounts (id),
  amount_tiyn        bigint NOT NULL CHECK (amount_tiyn > 0),
  status             text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'POSTED', 'VOIDED')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  resolved_at        timestamptz,
  UNIQUE (operation_id, leg),
  CHECK (debit_account_id <> credit_account_id)
);
CREATE INDEX IF NOT EXISTS ledger_pending_open ON ledger_pending_transfers (created_at) WHERE status = 'PENDING';

-- Every bet esu-bridge placed, with its odds as ESU recorded them. The IIN is kept here, in the bookmaker's
-- own database, because ESU's settlement record names the bettor by IIN (AFM order No. 9, annex 2 item 1) and a
-- settlement request carries only the bet id; visibility and memo never see it. Retained ≥ 5 years (§4.7).
CREATE TABLE IF NOT EXISTS bets (
  bet_id             text PRIMARY KEY,
  workflow_id        text NOT NULL,
  bettor_ref         text NOT NULL,
  iin                text NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
  event_id           text NOT NULL,
  outcome            text NOT NULL,
  odds               text NOT NULL CHECK (odds ~ '^[0-9]{1,6}(\.[0-9]{1,4})?$'),
  stake_tiyn         bigint NOT NULL CHECK (stake_tiyn > 0),
  status             text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'VOIDED', 'SETTLED')),
  esu_receipt_id     text,
  result             text CHECK (result IN ('WON', 'LOST', 'VOID', 'REFUNDED')),
  winnings_tiyn      bigint CHECK (winnings_tiyn >= 0),
  settlement_id      text UNIQUE,
  placed_at          timestamptz NOT NULL DEFAULT now(),
  accepted_at        timestamptz,
  settled_at         timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'SETTLED') = (result IS NOT NULL)),
  CHECK (status NOT IN ('ACCEPTED', 'SETTLED') OR esu_receipt_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS bets_bettor ON bets (bettor_ref, placed_at);
CREATE INDEX IF NOT EXISTS bets_event ON bets (event_id, status);

INSERT INTO ledger_accounts (id, kind) VALUES ('stakes-held', 'STAKES_HELD'), ('bookmaker-revenue', 'BOOKMAKER_REVENUE')
ON CONFLICT DO NOTHING;
