-- ADR 0021: every holder of a shop (queued polls, people's actions, tracking sends, verify-live, poll --once)
-- takes the same lease; the session advisory lock and the 'session' kind are gone. A 'session' row left by an
-- older version is an ordinary lease from now on: it lapses at its expires_at like any other.
-- The column stays (always 'lease') so queries that name it keep working.
UPDATE shop_leases SET kind = 'lease' WHERE kind <> 'lease';
ALTER TABLE shop_leases ALTER COLUMN kind SET DEFAULT 'lease';
ALTER TABLE shop_leases DROP CONSTRAINT shop_leases_kind_check;
ALTER TABLE shop_leases ADD CONSTRAINT shop_leases_kind_check CHECK (kind = 'lease');
