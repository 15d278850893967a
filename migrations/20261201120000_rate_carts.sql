-- Issue 15: the cart (Qoo10 PackNo) as a counting unit beside the order line (OrderNo), chosen by
-- CANCEL_RATE_COUNTING_UNIT. Both units' counts are kept at write time, so switching needs no rebuild
-- and the rate stays a sum over count tables (ADR 0019).

-- One row per cart: its order time is its earliest line's, its payment time its earliest paid line's.
-- Kept by OrderRepository.upsertOrders in the same statement batch as the orders.
CREATE TABLE carts (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  pack_no              text NOT NULL,
  ordered_at           timestamptz NOT NULL,
  order_month          text NOT NULL,
  paid_at              timestamptz,
  PRIMARY KEY (shop_id, pack_no)
);
CREATE INDEX carts_month_idx ON carts (shop_id, order_month);

INSERT INTO carts (shop_id, pack_no, ordered_at, order_month, paid_at)
SELECT shop_id, pack_no, min(ordered_at), to_char((min(ordered_at) AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM'), min(paid_at)
FROM orders GROUP BY shop_id, pack_no;

-- Carts per JST month, beside the order lines: placed and paid (by order month), paid (by payment month).
ALTER TABLE monthly_order_counts
  ADD COLUMN carts_placed integer NOT NULL DEFAULT 0,
  ADD COLUMN carts_paid integer NOT NULL DEFAULT 0,
  ADD COLUMN carts_paid_in_month integer NOT NULL DEFAULT 0;
INSERT INTO monthly_order_counts (shop_id, month, carts_placed, carts_paid)
SELECT shop_id, order_month, count(*), count(paid_at) FROM carts GROUP BY 1, 2
ON CONFLICT (shop_id, month) DO UPDATE SET carts_placed = EXCLUDED.carts_placed, carts_paid = EXCLUDED.carts_paid;
INSERT INTO monthly_order_counts (shop_id, month, carts_paid_in_month)
SELECT shop_id, to_char((paid_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM'), count(*) FROM carts WHERE paid_at IS NOT NULL GROUP BY 1, 2
ON CONFLICT (shop_id, month) DO UPDATE SET carts_paid_in_month = EXCLUDED.carts_paid_in_month;

-- The cart of a booked cancel (the stored order's PackNo; the order number when no order is stored).
ALTER TABLE cancels ADD COLUMN pack_no text;
UPDATE cancels c SET pack_no = COALESCE((SELECT o.pack_no FROM orders o WHERE o.shop_id = c.shop_id AND o.order_no = c.order_no), c.order_no);
ALTER TABLE cancels ALTER COLUMN pack_no SET NOT NULL;
CREATE INDEX cancels_pack_idx ON cancels (shop_id, pack_no);

-- A cart's cancel: one per cart with a cancelled line, standing for its lines (domain/cancel-booking.ts
-- cartCancelOf): counted when any cancelled line counts, at the first counted line's time, cause and
-- item (the first cancelled line's when every one was excluded). order_month and paid_month are the
-- cart's. Kept by CancelRepository.recordCancel in the same transaction as the line's booking.
CREATE TABLE cart_cancels (
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  pack_no              text NOT NULL,
  order_no             text NOT NULL,
  ordered_at           timestamptz NOT NULL,
  cancelled_at         timestamptz NOT NULL,
  order_month          text NOT NULL,
  cancel_month         text NOT NULL,
  paid_month           text,
  cause                text NOT NULL,
  counted              boolean NOT NULL,
  item_key             text NOT NULL,
  item_title           text NOT NULL DEFAULT '',
  source               text NOT NULL,
  PRIMARY KEY (shop_id, pack_no)
);
CREATE INDEX cart_cancels_cancel_month_idx ON cart_cancels (shop_id, cancel_month);
CREATE INDEX cart_cancels_order_month_idx ON cart_cancels (shop_id, order_month);

INSERT INTO cart_cancels (shop_id, pack_no, order_no, ordered_at, cancelled_at, order_month, cancel_month, paid_month, cause, counted,
  item_key, item_title, source)
SELECT DISTINCT ON (c.shop_id, c.pack_no) c.shop_id, c.pack_no, c.order_no, c.ordered_at, c.cancelled_at,
  COALESCE(k.order_month, c.order_month), c.cancel_month,
  CASE WHEN k.pack_no IS NULL THEN c.paid_month ELSE to_char((k.paid_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM') END,
  c.cause, c.counted, c.item_key, c.item_title, c.source
FROM cancels c LEFT JOIN carts k ON k.shop_id = c.shop_id AND k.pack_no = c.pack_no
ORDER BY c.shop_id, c.pack_no, c.counted DESC, c.cancelled_at, c.order_no COLLATE "C";

-- The count tables hold both units, told apart by `unit`.
ALTER TABLE cancel_totals ADD COLUMN unit text NOT NULL DEFAULT 'order_line' CHECK (unit IN ('order_line', 'cart'));
ALTER TABLE cancel_totals DROP CONSTRAINT cancel_totals_pkey;
ALTER TABLE cancel_totals ADD PRIMARY KEY (shop_id, unit, cancel_month, order_month, paid_month, cause);
DROP INDEX cancel_totals_order_month_idx;
CREATE INDEX cancel_totals_order_month_idx ON cancel_totals (shop_id, unit, order_month);

ALTER TABLE cancel_item_totals ADD COLUMN unit text NOT NULL DEFAULT 'order_line' CHECK (unit IN ('order_line', 'cart'));
ALTER TABLE cancel_item_totals DROP CONSTRAINT cancel_item_totals_pkey;
ALTER TABLE cancel_item_totals ADD PRIMARY KEY (shop_id, unit, cancel_month, order_month, paid_month, item_key, cause);
DROP INDEX cancel_item_totals_order_month_idx;
CREATE INDEX cancel_item_totals_order_month_idx ON cancel_item_totals (shop_id, unit, order_month);

INSERT INTO cancel_totals (shop_id, unit, cancel_month, order_month, paid_month, cause, counted, excluded)
SELECT shop_id, 'cart', cancel_month, order_month, COALESCE(paid_month, ''), cause,
  count(*) FILTER (WHERE counted), count(*) FILTER (WHERE NOT counted)
FROM cart_cancels GROUP BY 1, 3, 4, 5, 6;

INSERT INTO cancel_item_totals (shop_id, unit, cancel_month, order_month, paid_month, item_key, cause, item_title, counted, excluded)
SELECT shop_id, 'cart', cancel_month, order_month, COALESCE(paid_month, ''), item_key, cause, max(item_title),
  count(*) FILTER (WHERE counted), count(*) FILTER (WHERE NOT counted)
FROM cart_cancels GROUP BY 1, 3, 4, 5, 6, 7;
