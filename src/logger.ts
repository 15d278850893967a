import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line: keys, tokens, passwords and buyer personal data.
 * Child loggers inherit this; code should still avoid logging such objects at all.
 */
export const REDACTED_PATHS = [
  'sellerAuthKey',
  'apiKey',
  'password',
  'pwd',
  'token',
  'adminToken',
  'authorization',
  'headers.authorization',
  'headers.GiosisCertificationKey',
  'headers.giosiscertificationkey',
  '*.sellerAuthKey',
  '*.apiKey',
  '*.password',
  '*.pwd',
  '*.token',
  '*.authorization',
  '*.GiosisCertificationKey',
  'buyerName',
  'buyerEmail',
  'buyerPhone',
  'receiverName',
  'receiverAddress',
  'receiverPhone',
  '*.buyerName',
  '*.buyerEmail',
  '*.buyerPhone',
  '*.receiverName',
  '*.receiverAddress',
  '*.receiverPhone',
  'databaseUrl',
  'smtpUrl',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cancel-guard' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that drops everything, for tests and one-shot CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
