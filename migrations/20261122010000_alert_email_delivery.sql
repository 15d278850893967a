-- Alert emails: retries with exponential backoff, and a claim so that two processes never send the
-- same alert. A process claims a row by setting email_status 'sending' (email_claimed_at = when) in one
-- UPDATE ... RETURNING; only the claimer sends it. A claim older than the mailer's lease belongs to a
-- process that stopped mid-send and may be taken over.
ALTER TABLE alerts DROP CONSTRAINT alerts_email_status_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_email_status_check
  CHECK (email_status IN ('pending', 'sending', 'sent', 'failed', 'not_configured'));

ALTER TABLE alerts
  -- Earliest instant of the next attempt after a failure (NULL: at once).
  ADD COLUMN email_next_attempt_at timestamptz,
  ADD COLUMN email_claimed_at timestamptz;

DROP INDEX alerts_email_pending_idx;
CREATE INDEX alerts_email_due_idx ON alerts (created_at, id) WHERE email_status IN ('pending', 'failed', 'sending');
