/** One plain-text email. The sender address belongs to the mailer's configuration. */
export interface OutgoingEmail {
  to: readonly string[];
  subject: string;
  /** UTF-8 plain text (Japanese for the seller). */
  text: string;
  /** Where the recipient's reply goes, when not to the sender (buyer emails: the shop's inbox). */
  replyTo?: string;
}

/**
 * Sends email. `send` resolves once the mail server accepted the message and rejects with a
 * MailDeliveryError, whose message is safe to store and log (never the server URL or a password).
 */
export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

export class MailDeliveryError extends Error {
  constructor(
    message: string,
    /** SMTP reply code when the server answered (4xx: try again later; 5xx: refused). */
    readonly responseCode: number | null = null,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}
