-- Duplicate-number checks on tracking intake look tracking numbers up on orders learned from Qoo10.
CREATE INDEX orders_tracking_idx ON orders (shop_id, tracking_no) WHERE tracking_no IS NOT NULL;
