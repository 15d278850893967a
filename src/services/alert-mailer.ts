import type { Logger } from '../logger';
import type { AlertRecord, AlertRepository } from '../persistence/alert-repository';
import { MailDeliveryError, type Mailer } from '../notifications/mailer';

export interface AlertMailerOptions {
  /** Attempts per alert, the first included; after the last failure the alert stays 'failed'. */
  maxAttempts: number;
  /** Wait after the first failure (ms); doubles after each further failure, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Alerts claimed per round trip. */
  batchSize: number;
  /**
   * How long a claim holds (ms). Far above the SMTP timeouts, so only a process that stopped
   * mid-send leaves a claim this old; its alert is then retried.
   */
  leaseMs: number;
}

export const DEFAULT_ALERT_MAILER_OPTIONS: AlertMailerOptions = {
  maxAttempts: 6,
  baseDelayMs: 60_000,
  maxDelayMs: 60 * 60_000,
  batchSize: 20,
  leaseMs: 10 * 60_000,
};

export interface SendReport {
  sent: number;
  /** Failed this time, to be retried. */
  failed: number;
  /** Failed for the last allowed time: someone must look at the mail server. */
  gaveUp: number;
}

/**
 * The wait before the next attempt after `attempts` failed ones: base × 2^(attempts − 1), capped.
 * 1, 2, 4, 8, 16 minutes with the defaults. No jitter: one service sends a handful of alerts to one
 * server, there is no herd to spread.
 */
export function emailRetryDelayMs(attempts: number, options: Pick<AlertMailerOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(options.baseDelayMs * 2 ** exponent, options.maxDelayMs);
}

/**
 * Emails recorded alerts. Each alert is claimed in the database before it is sent, so two processes
 * (or two overlapping cycles) never send the same alert; a failure is stored with a safe message and
 * retried with exponential backoff. Without a mailer (no SMTP configured) it does nothing: such alerts
 * are recorded as 'not_configured' and shown in the API only.
 */
export class AlertMailer {
  private readonly options: AlertMailerOptions;
  private readonly logger: Logger;

  constructor(
    private readonly alerts: AlertRepository,
    private readonly mailer: Mailer | null,
    private readonly recipients: readonly string[],
    logger: Logger,
    options: Partial<AlertMailerOptions> = {},
  ) {
    this.options = { ...DEFAULT_ALERT_MAILER_OPTIONS, ...options };
    this.logger = logger.child({ module: 'alert-mailer' });
  }

  async sendPending(now: Date, signal?: AbortSignal): Promise<SendReport> {
    const report: SendReport = { sent: 0, failed: 0, gaveUp: 0 };
    if (!this.mailer || this.recipients.length === 0) return report;
    const released = await this.alerts.releaseAbandonedClaims(now, this.options.leaseMs);
    if (released > 0) this.logger.warn({ released }, 'alert emails left claimed by a stopped process will be retried');
    while (!signal?.aborted) {
      const claimed = await this.alerts.claimDueEmails(now, this.options.maxAttempts, this.options.batchSize);
      for (const alert of claimed) {
        // A claimed alert is always settled (sent or failed) even when shutdown is requested
        // meanwhile: leaving it 'sending' would delay it by a whole lease.
        const outcome = await this.deliver(alert, now);
        report[outcome] += 1;
      }
      if (claimed.length < this.options.batchSize) break;
    }
    return report;
  }

  private async deliver(alert: AlertRecord, now: Date): Promise<keyof SendReport> {
    try {
      await this.mailer!.send({ to: this.recipients, subject: alert.subject, text: alert.body });
      await this.alerts.markEmailSent(alert.id, now);
      this.logger.info({ alertId: alert.id, kind: alert.kind, attempts: alert.emailAttempts }, 'alert emailed');
      return 'sent';
    } catch (error) {
      // Only a MailDeliveryError's message is known to be free of the SMTP URL and its password.
      const message = error instanceof MailDeliveryError ? error.message : `unexpected ${error instanceof Error ? error.name : 'error'} while sending`;
      const lastAttempt = alert.emailAttempts >= this.options.maxAttempts;
      const next = lastAttempt ? null : new Date(now.getTime() + emailRetryDelayMs(alert.emailAttempts, this.options));
      await this.alerts.markEmailFailed(alert.id, message, next);
      const fields = { alertId: alert.id, kind: alert.kind, attempts: alert.emailAttempts, error: message, nextAttemptAt: next?.toISOString() };
      if (lastAttempt) {
        this.logger.error(fields, 'alert email failed for the last time; check SMTP_URL and the mail server');
        return 'gaveUp';
      }
      this.logger.warn(fields, 'alert email failed; will retry');
      return 'failed';
    }
  }
}
