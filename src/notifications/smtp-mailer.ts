import { createTransport, type Transporter } from 'nodemailer';
import { MailDeliveryError, type Mailer, type OutgoingEmail } from './mailer';

export interface SmtpMailerOptions {
  /** Milliseconds to connect, to get the greeting, and of silence mid-conversation. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** The SMTP URL's password, in every form it may take in an error (as written, decoded, base64 for AUTH). */
function secretsOf(smtpUrl: string): string[] {
  const secrets = [smtpUrl];
  try {
    const url = new URL(smtpUrl);
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (url.password) {
      secrets.push(url.password, password, Buffer.from(password).toString('base64'));
      secrets.push(Buffer.from(`\u0000${user}\u0000${password}`).toString('base64'));
    }
  } catch {
    // An unparsable URL is only redacted as a whole.
  }
  return secrets.filter((secret) => secret.length >= 3).sort((a, b) => b.length - a.length);
}

/**
 * What an SMTP failure says, without the URL or credentials: nodemailer's error code, the server's
 * reply code and text. Credentials in any URL-like text are masked as well, so a message quoting
 * the connection string leaks nothing.
 */
export function safeSmtpErrorMessage(error: unknown, smtpUrl: string): string {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts = [
    typeof e.code === 'string' ? e.code : null,
    typeof e.responseCode === 'number' ? String(e.responseCode) : null,
    typeof e.message === 'string' ? e.message : String(error),
  ].filter((part): part is string => part !== null);
  let message = parts.join(' ');
  for (const secret of secretsOf(smtpUrl)) message = message.split(secret).join('[redacted]');
  message = message.replace(/(smtps?:\/\/)[^@\s/]*@/gi, '$1[redacted]@');
  return message.slice(0, 500);
}

/**
 * Sends alert emails through one SMTP server (SMTP_URL: smtp:// upgrades with STARTTLS when the
 * server offers it, smtps:// is TLS from the start). Short timeouts: a stuck server must not hold a
 * claimed alert for long (AlertMailer's lease is minutes).
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
    options: SmtpMailerOptions = {},
  ) {
    this.transport = createTransport({
      url: smtpUrl,
      connectionTimeout: options.connectionTimeoutMs ?? 15_000,
      greetingTimeout: options.greetingTimeoutMs ?? 15_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: [...email.to],
        subject: email.subject,
        text: email.text,
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
      });
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      throw new MailDeliveryError(safeSmtpErrorMessage(error, this.smtpUrl), typeof code === 'number' ? code : null);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** The mailer for the configuration, or null when email is not configured (no SMTP URL or no recipient). */
export function createMailer(email: { smtpUrl: string | null; to: readonly string[]; from: string }): Mailer | null {
  if (!email.smtpUrl || email.to.length === 0) return null;
  return new SmtpMailer(email.smtpUrl, email.from);
}
