-- When a poll last saw the request listed as pending (ClaimStat 1) on Qoo10. A request waiting for a person
-- (or for a refusal to show on Qoo10) that a later poll no longer lists is re-read and leaves the queue with
-- the reason when Qoo10 no longer shows it pending.
ALTER TABLE cancel_requests ADD COLUMN last_listed_at timestamptz;
CREATE INDEX cancel_requests_open_listed ON cancel_requests (shop_id, last_listed_at) WHERE status = 'review';
