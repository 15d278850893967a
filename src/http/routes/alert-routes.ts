import { Router } from 'express';
import type { AlertRecord, AlertRepository } from '../../persistence/alert-repository';
import { AlertsQuery } from '../dto/alert.dto';
import { validated } from '../validate';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentAlert(alert: AlertRecord) {
  return {
    id: alert.id,
    shopId: alert.shopId,
    kind: alert.kind,
    severity: alert.severity,
    subject: alert.subject,
    body: alert.body,
    payload: alert.payload,
    createdAt: iso(alert.createdAt),
    email: {
      // not_configured: no SMTP_URL / ALERT_EMAIL_TO; the alert is only shown here.
      status: alert.emailStatus,
      attempts: alert.emailAttempts,
      lastError: alert.emailLastError,
      sentAt: iso(alert.emailedAt),
      nextAttemptAt: alert.emailStatus === 'failed' ? iso(alert.emailNextAttemptAt) : null,
    },
  };
}

/** Recent alerts (newest first) with their email delivery state. */
export function alertRoutes(alerts: AlertRepository): Router {
  const router = Router();
  router.get('/alerts', async (req, res) => {
    const query = validated(AlertsQuery, req.query, 'query');
    res.json({ alerts: (await alerts.recentAlerts(query.limit, query.shopId)).map(presentAlert) });
  });
  return router;
}
