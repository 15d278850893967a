-- What `cancel-guard verify-live` found out about Qoo10 on each shop's own account.
-- qoo10_verifications keeps every run's whole report (never a key, never buyer data); qoo10_facts keeps the
-- standing verdict per shop and fact, which the service reads (services/verified-facts.ts). A later run that
-- could not tell (unknown) does not erase an earlier confirmed or contradicted verdict.

CREATE TABLE qoo10_verifications (
  id          bigserial PRIMARY KEY,
  shop_id     uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  ran_at      timestamptz NOT NULL,
  -- 'read_only', or 'guided' when a write check was carried out.
  mode        text NOT NULL CHECK (mode IN ('read_only', 'guided')),
  report      jsonb NOT NULL
);
CREATE INDEX qoo10_verifications_shop_idx ON qoo10_verifications (shop_id, ran_at DESC);

CREATE TABLE qoo10_facts (
  shop_id          uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  fact             text NOT NULL,
  verdict          text NOT NULL CHECK (verdict IN ('confirmed', 'contradicted', 'unknown')),
  evidence         text NOT NULL,
  observed         jsonb,
  checked_at       timestamptz NOT NULL,
  verification_id  bigint NOT NULL REFERENCES qoo10_verifications (id) ON DELETE CASCADE,
  PRIMARY KEY (shop_id, fact)
);
