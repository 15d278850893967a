-- Buyer messages (issue 8): the draft written for each settled decision, and the written summary
-- after a phone call. The case log is not a table: it is read from decisions + orders, which are
-- append-only / kept anyway, so it can never disagree with what was decided.
CREATE TABLE buyer_messages (
  id                     bigserial PRIMARY KEY,
  shop_id                uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  request_id             bigint NOT NULL REFERENCES cancel_requests (id) ON DELETE CASCADE,
  -- The decision the draft answers; for a call summary, the request's decision when it was written.
  decision_id            bigint REFERENCES decisions (id) ON DELETE CASCADE,
  order_no               text NOT NULL,
  -- 'decision': the message a settled decision calls for; 'call_summary': the follow-up to a call.
  purpose                text NOT NULL CHECK (purpose IN ('decision', 'call_summary')),
  -- 'decision:<decision id>' or 'call:<request id>:<sha256 of the text>': the same draft is stored
  -- once, whichever process or double click writes it.
  draft_key              text NOT NULL UNIQUE,
  template_key           text NOT NULL,
  language               text NOT NULL CHECK (language IN ('ja', 'en')),
  -- NULL when a person must write the message (needs_person); the missing facts say why.
  subject                text,
  body                   text,
  needs_person           boolean NOT NULL,
  missing                text[] NOT NULL DEFAULT '{}',
  problems               text[] NOT NULL DEFAULT '{}',
  -- Offers left out because their settings were unusable (for the seller, never sent).
  notes                  text[] NOT NULL DEFAULT '{}',
  call_first             boolean NOT NULL DEFAULT false,
  call_reasons           text[] NOT NULL DEFAULT '{}',
  call_outline           text[] NOT NULL DEFAULT '{}',
  -- Integer yen of the cart the call-first check looked at.
  cart_total_yen         bigint,
  -- not_configured: no SMTP or the shop does not send by email; no_address: the buyer's address is
  -- unknown; held: not sent on purpose (see email_held_reason); pending → sending (claimed by one
  -- process) → sent, or failed (retried with backoff until the attempt limit).
  email_status           text NOT NULL CHECK (email_status IN ('not_configured', 'no_address', 'held', 'pending', 'sending', 'sent', 'failed')),
  -- needs_person; call_first (the call comes first, its summary is what gets sent); stale (too
  -- old to send unasked); interrupted (the sender stopped mid-send: the buyer may have it already,
  -- so it is never sent again automatically).
  email_held_reason      text CHECK (email_held_reason IN ('needs_person', 'call_first', 'stale', 'interrupted')),
  email_attempts         integer NOT NULL DEFAULT 0,
  email_last_error       text,
  email_next_attempt_at  timestamptz,
  email_claimed_at       timestamptz,
  emailed_at             timestamptz,
  created_at             timestamptz NOT NULL
);
CREATE INDEX buyer_messages_request_idx ON buyer_messages (request_id, id);
CREATE INDEX buyer_messages_decision_idx ON buyer_messages (decision_id);
CREATE INDEX buyer_messages_recent_idx ON buyer_messages (shop_id, created_at DESC, id DESC);
CREATE INDEX buyer_messages_email_due_idx ON buyer_messages (created_at, id) WHERE email_status IN ('pending', 'failed', 'sending');

-- Drafting looks at requests settled recently, and the case log at decisions of one JST month;
-- both would otherwise scan every request a shop ever had.
CREATE INDEX cancel_requests_settled_idx ON cancel_requests (updated_at, id) WHERE status = 'done';
CREATE INDEX decisions_created_idx ON decisions (created_at);
