-- The outbox keys a decision depends on. A refusal's tracking rows may have been created by an
-- import before the decision (same idempotency key), so "all actions of this decision succeeded"
-- is asked by key, not by the action's request_id.
ALTER TABLE decisions ADD COLUMN action_keys text[] NOT NULL DEFAULT '{}';
