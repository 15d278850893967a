-- Issue 15: the rate from pre-aggregated counts, the quarterly rate, the paid cohort, and a cancel's
-- time and cause taken from the more authoritative report (domain/cancel-booking.ts).

-- Orders paid per JST month of payment (the paid cohort's denominator). orders_paid stays keyed by
-- the order's month.
ALTER TABLE monthly_order_counts ADD COLUMN orders_paid_in_month integer NOT NULL DEFAULT 0;
INSERT INTO monthly_order_counts (shop_id, month, orders_paid_in_month)
SELECT shop_id, to_char((paid_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM'), count(*)
FROM orders WHERE paid_at IS NOT NULL GROUP BY 1, 2
ON CONFLICT (shop_id, month) DO UPDATE SET orders_paid_in_month = EXCLUDED.orders_paid_in_month;

-- Where a booked cancel's time and cause came from: time 'qoo10' (its completion date) or 'sent'
-- (our send time, a stand-in until Qoo10's date is known); cause 'decision' (ours, sent) or 'qoo10'
-- (its reason). paid_month: JST month the order was paid, null when unpaid or unknown.
ALTER TABLE cancels
  ADD COLUMN paid_month text,
  ADD COLUMN time_source text NOT NULL DEFAULT 'qoo10' CHECK (time_source IN ('qoo10', 'sent')),
  ADD COLUMN cause_source text NOT NULL DEFAULT 'qoo10' CHECK (cause_source IN ('decision', 'qoo10'));
UPDATE cancels SET time_source = 'sent', cause_source = 'decision' WHERE source = 'action';
UPDATE cancels c SET paid_month = to_char((o.paid_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM')
FROM orders o WHERE o.shop_id = c.shop_id AND o.order_no = c.order_no AND o.paid_at IS NOT NULL;

-- Counts of booked cancels, kept in the same transaction as every write to `cancels`
-- (CancelRepository.recordCancel). paid_month '' = not paid. A month's or quarter's figures are a
-- sum over a few rows per cause; the per-item table serves the item breakdown.
CREATE TABLE cancel_totals (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  cancel_month         text NOT NULL,
  order_month          text NOT NULL,
  paid_month           text NOT NULL,
  cause                text NOT NULL,
  counted              integer NOT NULL DEFAULT 0,
  excluded             integer NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, cancel_month, order_month, paid_month, cause)
);
CREATE INDEX cancel_totals_order_month_idx ON cancel_totals (shop_id, order_month);

CREATE TABLE cancel_item_totals (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  cancel_month         text NOT NULL,
  order_month          text NOT NULL,
  paid_month           text NOT NULL,
  item_key             text NOT NULL,
  cause                text NOT NULL,
  item_title           text NOT NULL DEFAULT '',
  counted              integer NOT NULL DEFAULT 0,
  excluded             integer NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, cancel_month, order_month, paid_month, item_key, cause)
);
CREATE INDEX cancel_item_totals_order_month_idx ON cancel_item_totals (shop_id, order_month);

INSERT INTO cancel_totals (shop_id, cancel_month, order_month, paid_month, cause, counted, excluded)
SELECT shop_id, cancel_month, order_month, COALESCE(paid_month, ''), cause,
  count(*) FILTER (WHERE counted), count(*) FILTER (WHERE NOT counted)
FROM cancels GROUP BY 1, 2, 3, 4, 5;

INSERT INTO cancel_item_totals (shop_id, cancel_month, order_month, paid_month, item_key, cause, item_title, counted, excluded)
SELECT shop_id, cancel_month, order_month, COALESCE(paid_month, ''), item_key, cause, max(item_title),
  count(*) FILTER (WHERE counted), count(*) FILTER (WHERE NOT counted)
FROM cancels GROUP BY 1, 2, 3, 4, 5, 6;
