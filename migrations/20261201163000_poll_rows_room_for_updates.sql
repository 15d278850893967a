-- ADR 0026: every claims poll updates its job_runs row once (running -> ok) and takes and releases its
-- shop's lease row (released leases stay, expired, and are taken again by an update). None of the updated
-- columns is indexed, so these updates can be HOT (no new index entries) when the row's page has room for
-- the new version: leave that room. Applies to pages filled from now on.
ALTER TABLE job_runs SET (fillfactor = 80);
ALTER TABLE shop_leases SET (fillfactor = 50);
