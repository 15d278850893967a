-- The whole mission's schema, for many shops from day one.
-- Times are timestamptz (UTC inside); JST months are stored as 'YYYY-MM' text computed by the
-- domain calendar at write time, so month queries use plain indexes. Money is integer yen (bigint).

CREATE TABLE shops (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                 text NOT NULL,
  -- AES-256-GCM ciphertext of the seller authorization key (never stored or logged in clear).
  seller_auth_key_enc  text,
  -- sha256 prefix of the key: recognises the same key again without decrypting it.
  key_fingerprint      text,
  key_obtained_at      timestamptz,
  key_expires_at       timestamptz,
  key_status           text NOT NULL DEFAULT 'unknown' CHECK (key_status IN ('unknown', 'ok', 'rejected', 'expired')),
  is_demo              boolean NOT NULL DEFAULT false,
  active               boolean NOT NULL DEFAULT true,
  -- Decision policy: packed orders, made-to-order, auto decision kinds, tracking cut-off.
  policy               jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Our carrier + service -> the ShippingCorp names this shop configured in QSM.
  carrier_names        jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Buyer-message settings: shop signature, coupon, alternatives, high-value threshold, email sending.
  message_settings     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX shops_key_fingerprint_key ON shops (key_fingerprint) WHERE key_fingerprint IS NOT NULL;

-- One row per Qoo10 OrderNo (a line of a cart; PackNo groups the cart).
CREATE TABLE orders (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  order_no             text NOT NULL,
  pack_no              text NOT NULL,
  ordered_at           timestamptz NOT NULL,
  order_month          text NOT NULL,
  paid_at              timestamptz,
  shipping_deadline    timestamptz,
  shipped_at           timestamptz,
  delivered_at         timestamptz,
  shipping_status      smallint,
  item_no              text NOT NULL DEFAULT '',
  seller_item_code     text,
  item_title           text NOT NULL DEFAULT '',
  item_option          text,
  quantity             integer NOT NULL DEFAULT 1 CHECK (quantity >= 0),
  unit_price_yen       bigint NOT NULL DEFAULT 0,
  total_yen            bigint NOT NULL DEFAULT 0,
  payment_method       text,
  carrier              text,
  tracking_no          text,
  -- Buyer personal data: kept for buyer messages only; never logged.
  buyer_name           text,
  buyer_email          text,
  cancelled_at         timestamptz,
  first_seen_at        timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, order_no)
);
CREATE INDEX orders_month_idx ON orders (shop_id, order_month);
CREATE INDEX orders_pack_idx ON orders (shop_id, pack_no);
CREATE INDEX orders_item_idx ON orders (shop_id, seller_item_code);

-- Order counts per JST month, maintained on first sight of an order: the rate's denominator in O(1)
-- even for a shop with a million orders a month.
CREATE TABLE monthly_order_counts (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  month                text NOT NULL,
  orders_placed        integer NOT NULL DEFAULT 0,
  orders_paid          integer NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, month)
);

-- Completed cancels, classified at write time (counted or excluded by the 6-hour rule).
CREATE TABLE cancels (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  order_no             text NOT NULL,
  ordered_at           timestamptz NOT NULL,
  cancelled_at         timestamptz NOT NULL,
  order_month          text NOT NULL,
  cancel_month         text NOT NULL,
  cause                text NOT NULL CHECK (cause IN ('buyer', 'seller_fault', 'shipping_delay')),
  counted              boolean NOT NULL,
  item_key             text NOT NULL,
  item_title           text NOT NULL DEFAULT '',
  -- 'qoo10' learned from ClaimStat 3; 'action' completed by our own SetCancelProcess.
  source               text NOT NULL,
  recorded_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, order_no)
);
CREATE INDEX cancels_cancel_month_idx ON cancels (shop_id, cancel_month);
CREATE INDEX cancels_order_month_idx ON cancels (shop_id, order_month);

CREATE TABLE cancel_requests (
  id                   bigserial PRIMARY KEY,
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  order_no             text NOT NULL,
  pack_no              text,
  requested_at         timestamptz NOT NULL,
  reason               text,
  -- pending: not decided yet; review: waits for a person; acting: an action is in the outbox;
  -- done: settled by us; closed: settled on Qoo10 without us (withdrawn, cancelled elsewhere).
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'review', 'acting', 'done', 'closed')),
  current_decision_id  bigint,
  outcome              text,
  first_seen_at        timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  -- The same request seen by several overlapping polls is one request.
  UNIQUE (shop_id, order_no, requested_at)
);
CREATE INDEX cancel_requests_status_idx ON cancel_requests (shop_id, status, requested_at);
CREATE INDEX cancel_requests_requested_idx ON cancel_requests (shop_id, requested_at DESC);

-- Every decision, automatic or by a person, with the rule trail that explains it. Append-only.
CREATE TABLE decisions (
  id                   bigserial PRIMARY KEY,
  request_id           bigint NOT NULL REFERENCES cancel_requests (id) ON DELETE CASCADE,
  kind                 text NOT NULL CHECK (kind IN ('accept', 'refuse', 'seller-fault', 'review')),
  code                 text NOT NULL,
  reason               text NOT NULL,
  trail                jsonb NOT NULL,
  suggested            text,
  tracking             jsonb,
  seller_fault_cause   text,
  tracking_deadline    timestamptz,
  decided_by           text NOT NULL,
  note                 text,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_request_idx ON decisions (request_id, created_at);
ALTER TABLE cancel_requests
  ADD CONSTRAINT cancel_requests_current_decision_fk FOREIGN KEY (current_decision_id) REFERENCES decisions (id);

-- The outbox: a row is written before any call that changes Qoo10, so a crash or a retry can never
-- send it twice; the idempotency key makes a second row for the same effect impossible.
CREATE TABLE actions (
  id                   bigserial PRIMARY KEY,
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  request_id           bigint REFERENCES cancel_requests (id) ON DELETE SET NULL,
  decision_id          bigint REFERENCES decisions (id) ON DELETE SET NULL,
  kind                 text NOT NULL CHECK (kind IN ('cancel', 'send_tracking')),
  order_no             text NOT NULL,
  idempotency_key      text NOT NULL UNIQUE,
  -- pending: written, not sent; sending: a call may be in flight (after a crash: unknown, reconcile);
  -- succeeded / failed: Qoo10 answered.
  state                text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'succeeded', 'failed')),
  request              jsonb NOT NULL,
  response             jsonb,
  error_code           text,
  error_message        text,
  attempts             integer NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  completed_at         timestamptz
);
CREATE INDEX actions_open_idx ON actions (shop_id, state) WHERE state IN ('pending', 'sending');
CREATE INDEX actions_request_idx ON actions (request_id);
CREATE INDEX actions_order_idx ON actions (shop_id, order_no);

-- Tracking numbers from label-software CSVs, the JSON API, the dashboard, or learned from Qoo10.
CREATE TABLE tracking_numbers (
  id                   bigserial PRIMARY KEY,
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  order_no             text NOT NULL,
  carrier              text NOT NULL,
  qoo10_carrier_name   text NOT NULL,
  tracking_no          text NOT NULL,
  source               text NOT NULL CHECK (source IN ('csv', 'api', 'manual', 'qoo10')),
  source_ref           text,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'submitted', 'confirmed', 'rejected')),
  action_id            bigint REFERENCES actions (id) ON DELETE SET NULL,
  error                text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  submitted_at         timestamptz,
  confirmed_at         timestamptz,
  UNIQUE (shop_id, order_no, tracking_no)
);
CREATE INDEX tracking_numbers_number_idx ON tracking_numbers (shop_id, tracking_no);
CREATE INDEX tracking_numbers_status_idx ON tracking_numbers (shop_id, status, created_at);

-- Facts per seller item code that Qoo10 does not know: stock and made-to-order.
CREATE TABLE item_facts (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  seller_item_code     text NOT NULL,
  available            integer,
  made_to_order        boolean NOT NULL DEFAULT false,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, seller_item_code)
);

-- Facts per order the shop declares: packed, handed to the carrier, a shop fault.
CREATE TABLE order_facts (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  order_no             text NOT NULL,
  packed_at            timestamptz,
  handed_to_carrier_at timestamptz,
  shop_fault           text CHECK (shop_fault IN ('out_of_stock', 'undeliverable_area', 'shipping_delay', 'defect')),
  note                 text,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, order_no)
);

-- Alerts, recorded whether or not email is configured; the dedupe key makes "once per level per
-- shop per month" hold across restarts and several processes.
CREATE TABLE alerts (
  id                   bigserial PRIMARY KEY,
  shop_id              uuid REFERENCES shops (id) ON DELETE CASCADE,
  kind                 text NOT NULL,
  dedupe_key           text NOT NULL UNIQUE,
  severity             text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  subject              text NOT NULL,
  body                 text NOT NULL,
  payload              jsonb NOT NULL DEFAULT '{}'::jsonb,
  email_status         text NOT NULL DEFAULT 'pending' CHECK (email_status IN ('pending', 'sent', 'failed', 'not_configured')),
  email_attempts       integer NOT NULL DEFAULT 0,
  email_last_error     text,
  emailed_at           timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_shop_created_idx ON alerts (shop_id, created_at DESC);
CREATE INDEX alerts_email_pending_idx ON alerts (email_status) WHERE email_status IN ('pending', 'failed');

CREATE TABLE job_runs (
  id                   bigserial PRIMARY KEY,
  job                  text NOT NULL,
  shop_id              uuid REFERENCES shops (id) ON DELETE CASCADE,
  started_at           timestamptz NOT NULL DEFAULT now(),
  finished_at          timestamptz,
  status               text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed', 'aborted')),
  window_from          timestamptz,
  window_to            timestamptz,
  counts               jsonb NOT NULL DEFAULT '{}'::jsonb,
  error                text,
  duration_ms          integer
);
CREATE INDEX job_runs_recent_idx ON job_runs (job, shop_id, started_at DESC);
