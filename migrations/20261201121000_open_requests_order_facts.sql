-- Issue 15: the rate report's open requests read one index, no join. The facts of the order that the
-- report shows (order time and month, item) are kept on the request when either is written
-- (CancelRequestRepository.recordRequests, OrderRepository.upsertOrders), and whether a cancel is
-- booked for the order (CancelRepository.recordCancel), in the same transaction as that write.
ALTER TABLE cancel_requests
  ADD COLUMN ordered_at timestamptz,
  ADD COLUMN order_month text,
  ADD COLUMN item_key text,
  ADD COLUMN item_title text,
  ADD COLUMN cancel_booked boolean NOT NULL DEFAULT false;

UPDATE cancel_requests r SET ordered_at = o.ordered_at, order_month = o.order_month,
  item_key = COALESCE(NULLIF(o.seller_item_code, ''), o.item_no), item_title = o.item_title,
  pack_no = COALESCE(r.pack_no, o.pack_no)
FROM orders o WHERE o.shop_id = r.shop_id AND o.order_no = r.order_no;

UPDATE cancel_requests r SET cancel_booked = true
WHERE EXISTS (SELECT 1 FROM cancels c WHERE c.shop_id = r.shop_id AND c.order_no = r.order_no);

-- The open requests of a shop (the report reads them all): a handful among the shop's whole history.
CREATE INDEX cancel_requests_open_idx ON cancel_requests (shop_id, ordered_at) WHERE status IN ('pending', 'review');
