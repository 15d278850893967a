-- Per-shop leases: who works on a shop right now, until when. A queued poll job takes the lease in one
-- short statement and renews it while it works, so no connection is held for it (works behind PgBouncer
-- in transaction mode); a holder that dies stops renewing and the lease lapses after SHOP_LEASE_SECONDS.
-- kind 'session': taken by a holder of the session advisory lock (people's actions, poll --once); the
-- next holder of that session lock knows such a row's holder is gone and may take it over at once.
CREATE TABLE shop_leases (
  shop_id     uuid PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
  holder      uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('lease', 'session')),
  expires_at  timestamptz NOT NULL
);
