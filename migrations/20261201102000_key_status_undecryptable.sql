-- A stored Qoo10 key that cannot be decrypted (CREDENTIALS_SECRET changed since it was stored) is its
-- own key status: detected at start-up, shown on the dashboard and alerted, until the key is stored
-- again (`cancel-guard shops set-key`).
ALTER TABLE shops DROP CONSTRAINT shops_key_status_check;
ALTER TABLE shops ADD CONSTRAINT shops_key_status_check
  CHECK (key_status IN ('unknown', 'ok', 'rejected', 'expired', 'undecryptable'));
