-- Tracking rows held for a person to confirm or correct (garbled text, formula text, an unknown carrier,
-- a number failing its carrier's check): never submitted as they are. Values are stored as read (NUL
-- characters replaced), with every reason; a person's correction replaces them and submitting sends the
-- row through the normal intake path, whose report is kept in `result`.
CREATE TABLE held_shipments (
  id                   bigserial PRIMARY KEY,
  shop_id              uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  source               text NOT NULL CHECK (source IN ('csv', 'api', 'manual')),
  -- `file.csv:12`, `api[3]`: where the row came from, as on tracking_numbers.source_ref.
  source_ref           text NOT NULL,
  order_no             text NOT NULL,
  carrier              text NOT NULL,
  service              text NOT NULL DEFAULT '',
  tracking_no          text NOT NULL,
  reasons              jsonb NOT NULL,
  status               text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'submitted', 'discarded')),
  corrected_by         text,
  resolved_by          text,
  result               jsonb,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  resolved_at          timestamptz
);
CREATE INDEX held_shipments_open_idx ON held_shipments (shop_id, status, id);
