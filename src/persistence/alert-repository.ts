import type { DataSource } from 'typeorm';

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type EmailStatus = 'pending' | 'sent' | 'failed' | 'not_configured';

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
  createdAt: Date;
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
}
