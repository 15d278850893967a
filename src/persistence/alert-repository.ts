import type { DataSource } from 'typeorm';

export type AlertSeverity = 'info' | 'warning' | 'critical';
/**
 * pending: waits for its first attempt; sending: claimed by one process right now; sent; failed: the
 * last attempt failed (retried with backoff until the mailer's attempt limit); not_configured: no SMTP.
 */
export type EmailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'not_configured';

export interface NewAlert {
  shopId: string | null;
  kind: string;
  /** Makes "once per level per shop per month" (or per request) hold across restarts and processes. */
  dedupeKey: string;
  severity: AlertSeverity;
  subject: string;
  body: string;
  payload?: Record<string, unknown>;
}

export interface AlertRecord extends Required<NewAlert> {
  id: string;
  emailStatus: EmailStatus;
  emailAttempts: number;
  emailLastError: string | null;
  emailedAt: Date | null;
  /** After a failure: the earliest instant of the next attempt. */
  emailNextAttemptAt: Date | null;
  createdAt: Date;
}

/** An active shop's Qoo10 key dates, for the expiry warning. */
export interface ShopKeyDates {
  shopId: string;
  shopName: string;
  keyObtainedAt: Date | null;
  keyExpiresAt: Date | null;
}

/** An active shop's poll history, for the stale-poll warning. */
export interface ShopPollActivity {
  shopId: string;
  shopName: string;
  lastSuccessAt: Date | null;
  firstRunAt: Date | null;
}

interface AlertRow {
  id: string;
  shop_id: string | null;
  kind: string;
  dedupe_key: string;
  severity: AlertSeverity;
  subject: string;
  body: string;
  payload: Record<string, unknown>;
  email_status: EmailStatus;
  email_attempts: number;
  email_last_error: string | null;
  emailed_at: Date | null;
  email_next_attempt_at: Date | null;
  created_at: Date;
}

const toAlert = (row: AlertRow): AlertRecord => ({
  id: String(row.id),
  shopId: row.shop_id,
  kind: row.kind,
  dedupeKey: row.dedupe_key,
  severity: row.severity,
  subject: row.subject,
  body: row.body,
  payload: row.payload,
  emailStatus: row.email_status,
  emailAttempts: row.email_attempts,
  emailLastError: row.email_last_error,
  emailedAt: row.emailed_at,
  emailNextAttemptAt: row.email_next_attempt_at,
  createdAt: row.created_at,
});

export class AlertRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records an alert once per dedupe key; returns the new alert, or null when it was raised before. */
  async raise(alert: NewAlert, emailStatus: EmailStatus): Promise<AlertRecord | null> {
    const rows: AlertRow[] = await this.dataSource.query(
      `INSERT INTO alerts (shop_id, kind, dedupe_key, severity, subject, body, payload, email_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`,
      [alert.shopId, alert.kind, alert.dedupeKey, alert.severity, alert.subject, alert.body, JSON.stringify(alert.payload ?? {}), emailStatus],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async recentAlerts(limit: number, shopId?: string): Promise<AlertRecord[]> {
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT * FROM alerts WHERE ($1::uuid IS NULL OR shop_id = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
      [shopId ?? null, limit],
    );
    return rows.map(toAlert);
  }

  /**
   * A claim older than the lease belongs to a process that stopped while sending: the server may or
   * may not have taken the message. It becomes 'failed' (its attempt already counted) and is retried,
   * so after a crash an alert is sent at least once rather than lost.
   */
  async releaseAbandonedClaims(now: Date, leaseMs: number): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE alerts SET email_status = 'failed', email_claimed_at = NULL, email_next_attempt_at = $1,
         email_last_error = 'interrupted: the sending process stopped before the mail server answered'
       WHERE email_status = 'sending' AND email_claimed_at <= $1::timestamptz - $2::float8 * interval '1 millisecond'
       RETURNING id`,
      [now, leaseMs],
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` alerts whose email is due (pending, or failed and past its backoff, with
   * attempts left) and counts the attempt. One UPDATE over rows locked with SKIP LOCKED: a second
   * process running at the same moment claims other rows or none, never the same ones.
   */
  async claimDueEmails(now: Date, maxAttempts: number, limit: number): Promise<AlertRecord[]> {
    const [rows]: [AlertRow[], number] = await this.dataSource.query(
      `UPDATE alerts SET email_status = 'sending', email_claimed_at = $1, email_attempts = email_attempts + 1
       WHERE id IN (
         SELECT id FROM alerts
         WHERE email_status IN ('pending', 'failed') AND email_attempts < $2
           AND (email_next_attempt_at IS NULL OR email_next_attempt_at <= $1)
         ORDER BY created_at, id
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, maxAttempts, limit],
    );
    return rows.map(toAlert).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || Number(a.id) - Number(b.id));
  }

  async markEmailSent(id: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE alerts SET email_status = 'sent', emailed_at = $2, email_last_error = NULL, email_claimed_at = NULL,
         email_next_attempt_at = NULL
       WHERE id = $1 AND email_status = 'sending'`,
      [id, at],
    );
  }

  /** `nextAttemptAt` null: no attempts left, the alert stays 'failed' (visible in the API). */
  async markEmailFailed(id: string, error: string, nextAttemptAt: Date | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE alerts SET email_status = 'failed', email_last_error = $2, email_next_attempt_at = $3, email_claimed_at = NULL
       WHERE id = $1 AND email_status = 'sending'`,
      [id, error, nextAttemptAt],
    );
  }

  /**
   * Key dates of the active live shops whose key is not known to be dead (an expired or rejected
   * key has its own alert). Read here because only the alert checks need them.
   */
  async findShopKeyDates(): Promise<ShopKeyDates[]> {
    const rows: Array<{ id: string; name: string; key_obtained_at: Date | null; key_expires_at: Date | null }> =
      await this.dataSource.query(
        `SELECT id, name, key_obtained_at, key_expires_at FROM shops
         WHERE active AND NOT is_demo AND seller_auth_key_enc IS NOT NULL AND key_status IN ('unknown', 'ok')
         ORDER BY created_at`,
      );
    return rows.map((row) => ({ shopId: row.id, shopName: row.name, keyObtainedAt: row.key_obtained_at, keyExpiresAt: row.key_expires_at }));
  }

  /**
   * Per active shop: when its last successful poll finished, and when its first poll started. The
   * latest runs are read through the (job, shop_id, started_at DESC) index, so this stays cheap as
   * job_runs grows.
   */
  async findPollActivity(job: string): Promise<ShopPollActivity[]> {
    const rows: Array<{ id: string; name: string; last_ok: Date | null; first_run: Date | null }> = await this.dataSource.query(
      `SELECT s.id, s.name,
         (SELECT r.finished_at FROM job_runs r WHERE r.job = $1 AND r.shop_id = s.id AND r.status = 'ok'
          ORDER BY r.started_at DESC LIMIT 1) AS last_ok,
         (SELECT r.started_at FROM job_runs r WHERE r.job = $1 AND r.shop_id = s.id
          ORDER BY r.started_at LIMIT 1) AS first_run
       FROM shops s WHERE s.active ORDER BY s.created_at`,
      [job],
    );
    return rows.map((row) => ({ shopId: row.id, shopName: row.name, lastSuccessAt: row.last_ok, firstRunAt: row.first_run }));
  }
}
