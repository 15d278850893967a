import type { Logger } from '../logger';
import { MailDeliveryError, type Mailer } from '../notifications/mailer';
import { maskEmailsIn, type BuyerMessageRepository, type ClaimedBuyerEmail } from '../persistence/buyer-message-repository';
import { emailRetryDelayMs } from './alert-mailer';
import { DEFAULT_BUYER_MESSAGE_OPTIONS } from './buyer-message-service';

export interface BuyerMailerOptions {
  /** Attempts per message, the first included; after the last failure it stays 'failed' for a person. */
  maxAttempts: number;
  /** Wait after the first failure (ms); doubles after each further failure, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  batchSize: number;
  /** How long a claim holds (ms); far above the SMTP timeouts, so only a stopped process leaves one this old. */
  leaseMs: number;
  /** Messages older than this are not sent on their own any more (see BuyerMessageOptions.maxEmailAgeMs). */
  maxAgeMs: number;
  /** BUYER_EMAIL_REPLY_TO: where buyers' replies go when the shop set no replyTo; null: to the sender. */
  defaultReplyTo: string | null;
}

export const DEFAULT_BUYER_MAILER_OPTIONS: BuyerMailerOptions = {
  maxAttempts: 5,
  baseDelayMs: 60_000,
  maxDelayMs: 30 * 60_000,
  batchSize: 20,
  leaseMs: 10 * 60_000,
  maxAgeMs: DEFAULT_BUYER_MESSAGE_OPTIONS.maxEmailAgeMs,
  defaultReplyTo: null,
};

export interface BuyerSendReport {
  sent: number;
  /** Failed this time, to be retried. */
  failed: number;
  /** Failed for the last allowed time: a person sends it by hand. */
  gaveUp: number;
  /** Left a sender's claim unanswered after a crash, too old, or the shop stopped email: not sent. */
  withdrawn: number;
}

/**
 * The mailer that sends as `from`. The Mailer interface leaves the sender to the mailer's
 * configuration, and each shop may have its own address, hence one mailer per sender.
 */
export type MailerForSender = (from: string) => Mailer;

/**
 * Emails buyer-message drafts. Each draft is claimed in the database before it is sent, so two
 * processes (or two overlapping cycles) never send the same one; a failure is stored (addresses
 * masked) and retried with exponential backoff. A claim left by a process that stopped mid-send is
 * never retried: the buyer may already have the message, and a second copy is worse than a person
 * checking. Without a mailer it does nothing; drafts are then 'not_configured' from the start.
 */
export class BuyerMailer {
  private readonly options: BuyerMailerOptions;
  private readonly logger: Logger;
  private readonly mailers = new Map<string, Mailer>();

  constructor(
    private readonly messages: BuyerMessageRepository,
    private readonly mailerFor: MailerForSender | null,
    /** BUYER_EMAIL_FROM (ALERT_EMAIL_FROM when unset): the sender when the shop set none. */
    private readonly defaultFrom: string,
    logger: Logger,
    options: Partial<BuyerMailerOptions> = {},
  ) {
    this.options = { ...DEFAULT_BUYER_MAILER_OPTIONS, ...options };
    this.logger = logger.child({ module: 'buyer-mailer' });
  }

  async sendPending(now: Date, signal?: AbortSignal): Promise<BuyerSendReport> {
    const report: BuyerSendReport = { sent: 0, failed: 0, gaveUp: 0, withdrawn: 0 };
    if (!this.mailerFor) return report;
    const interrupted = await this.messages.holdAbandonedClaims(now, this.options.leaseMs);
    if (interrupted > 0) {
      this.logger.error({ interrupted }, 'buyer emails interrupted mid-send are held: check whether the buyer got them and send by hand if not');
    }
    report.withdrawn = interrupted + (await this.messages.withdrawUnsendable(now, this.options.maxAgeMs, this.options.maxAttempts));
    while (!signal?.aborted) {
      const claimed = await this.messages.claimDueEmails(now, this.options.maxAgeMs, this.options.maxAttempts, this.options.batchSize);
      for (const message of claimed) {
        // A claimed message is always settled (sent or failed) even when shutdown is requested
        // meanwhile: leaving it 'sending' would hold it for a person after the lease.
        report[await this.deliver(message, now)] += 1;
      }
      if (claimed.length < this.options.batchSize) break;
    }
    return report;
  }

  /** Closes every mailer opened for a sender (shutdown). */
  close(): void {
    for (const mailer of this.mailers.values()) mailer.close();
    this.mailers.clear();
  }

  private mailerOf(from: string): Mailer {
    let mailer = this.mailers.get(from);
    if (!mailer) {
      mailer = this.mailerFor!(from);
      this.mailers.set(from, mailer);
    }
    return mailer;
  }

  private async deliver(message: ClaimedBuyerEmail, now: Date): Promise<'sent' | 'failed' | 'gaveUp'> {
    // Ids and counts only in logs: the address and the text are the buyer's.
    const fields = { messageId: message.id, requestId: message.requestId, shopId: message.shopId, attempts: message.attempts };
    if (!message.to) {
      await this.messages.markEmailFailed(message.id, 'the order has no buyer email address any more', null);
      this.logger.warn(fields, 'buyer email has no address; left for a person');
      return 'gaveUp';
    }
    try {
      const from = message.fromAddress?.trim() || this.defaultFrom;
      const replyTo = message.replyTo?.trim() || this.options.defaultReplyTo;
      await this.mailerOf(from).send({ to: [message.to], subject: message.subject, text: message.body, ...(replyTo ? { replyTo } : {}) });
      await this.messages.markEmailSent(message.id, now);
      this.logger.info(fields, 'buyer message emailed');
      return 'sent';
    } catch (error) {
      // A MailDeliveryError's message is free of the SMTP URL and password; a server reply may still
      // quote the recipient, so addresses are masked before the message is stored or logged.
      const text = error instanceof MailDeliveryError ? error.message : `unexpected ${error instanceof Error ? error.name : 'error'} while sending`;
      const safe = maskEmailsIn(text);
      const lastAttempt = message.attempts >= this.options.maxAttempts;
      const next = lastAttempt ? null : new Date(now.getTime() + emailRetryDelayMs(message.attempts, this.options));
      await this.messages.markEmailFailed(message.id, safe, next);
      if (lastAttempt) {
        this.logger.error({ ...fields, error: safe }, 'buyer email failed for the last time; send it by hand from the dashboard');
        return 'gaveUp';
      }
      this.logger.warn({ ...fields, error: safe, nextAttemptAt: next?.toISOString() }, 'buyer email failed; will retry');
      return 'failed';
    }
  }
}
