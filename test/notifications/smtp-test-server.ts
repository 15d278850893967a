// A real SMTP server in the test process (smtp-server on 127.0.0.1, a free port) that keeps every
// raw message it accepts, and the small MIME decoding the tests need (mailparser does not install
// here): RFC 2047 encoded words in headers, base64 / quoted-printable UTF-8 bodies.

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  port: number;
  /** Raw RFC 5322 messages accepted, in arrival order. */
  messages: string[];
  /** While true, every message is refused with a 554 after its data was sent. */
  rejecting: boolean;
  /** An smtp:// URL for this server with the given credentials. */
  url(user?: string, password?: string): string;
  close(): Promise<void>;
}

export async function startTestSmtpServer(options: { rejecting?: boolean } = {}): Promise<TestSmtpServer> {
  const messages: string[] = [];
  const state = { rejecting: options.rejecting ?? false };
  const server = new SMTPServer({
    // The built-in certificate has expired: without STARTTLS nodemailer stays on plain TCP.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.rejecting) {
          const error = Object.assign(new Error('Message refused by the test server'), { responseCode: 554 });
          callback(error);
          return;
        }
        messages.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    get rejecting() {
      return state.rejecting;
    },
    set rejecting(value: boolean) {
      state.rejecting = value;
    },
    url: (user?: string, password?: string) =>
      user ? `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function splitMessage(raw: string): { headers: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  return at < 0 ? { headers: raw, body: '' } : { headers: raw.slice(0, at), body: raw.slice(at + 4) };
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= and =?UTF-8?Q?...?=), joining adjacent ones. */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/\?=\s+=\?/g, '?==?');
  return joined.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

/** An unfolded header value, encoded words decoded. */
export function headerOf(raw: string, name: string): string | null {
  const unfolded = splitMessage(raw).headers.replace(/\r\n[ \t]+/g, ' ');
  const line = unfolded.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? decodeEncodedWords(line.slice(name.length + 1).trim()) : null;
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i += 1) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** The plain-text body of a single-part message, transfer encoding undone, as UTF-8. */
export function textBodyOf(raw: string): string {
  const { body } = splitMessage(raw);
  const encoding = (headerOf(raw, 'Content-Transfer-Encoding') ?? '7bit').toLowerCase();
  const content = body.replace(/\r\n\.\r\n$/, '');
  if (encoding === 'base64') return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(content).toString('utf8');
  return content;
}
