-- Buyer messages that reach the buyer (issue 19).
-- A person may edit one draft before sending it (a personal line); the original text is kept.
ALTER TABLE buyer_messages
  ADD COLUMN edited_subject          text,
  ADD COLUMN edited_body             text,
  ADD COLUMN edited_at               timestamptz,
  ADD COLUMN edited_by               text,
  -- Sent by hand through QSM's buyer messaging (the usual channel on Qoo10): when and by whom.
  ADD COLUMN qsm_sent_at             timestamptz,
  ADD COLUMN qsm_sent_by             text,
  -- Call-first cases: the alert raised at once, and the escalation when still unsent later.
  ADD COLUMN call_first_alerted_at   timestamptz,
  ADD COLUMN call_first_escalated_at timestamptz;
CREATE INDEX buyer_messages_call_first_open_idx ON buyer_messages (created_at)
  WHERE call_first AND purpose = 'decision' AND qsm_sent_at IS NULL AND emailed_at IS NULL;

-- Buyer contact facts Qoo10 may give (field names INF): the buyer's phone for call-first cases and
-- the delivery country, which picks the message language per buyer. Personal data: never logged.
ALTER TABLE orders
  ADD COLUMN buyer_phone   text,
  ADD COLUMN buyer_country text;

-- What a person records about a case beyond the decision (one row per request): how and when the
-- buyer was reached, the call, what was offered, the buyer's reaction and the root cause.
CREATE TABLE case_notes (
  request_id      bigint PRIMARY KEY REFERENCES cancel_requests (id) ON DELETE CASCADE,
  shop_id         uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  contact_channel text CHECK (contact_channel IN ('qsm', 'email', 'phone', 'other')),
  contacted_at    timestamptz,
  call_made       boolean NOT NULL DEFAULT false,
  call_summary    text,
  offered         text[] NOT NULL DEFAULT '{}',
  buyer_reaction  text,
  root_cause      text,
  updated_by      text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cancel_requests_qsm_handled_idx ON cancel_requests (shop_id, updated_at) WHERE status = 'closed';

-- sent_by_hand: a person sent the message through QSM, so the email must not follow it.
ALTER TABLE buyer_messages DROP CONSTRAINT buyer_messages_email_held_reason_check;
ALTER TABLE buyer_messages ADD CONSTRAINT buyer_messages_email_held_reason_check
  CHECK (email_held_reason IN ('needs_person', 'call_first', 'stale', 'interrupted', 'sent_by_hand'));
