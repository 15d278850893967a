import pino, { type Logger } from 'pino';
import { safeErrorFields, safeErrorMessage, safeErrorValue } from './safe-error';

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

/** Any Error among a log call's top-level fields is replaced by its safe fields, whatever its key. */
function safeLogObject(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(object)) {
    if (value instanceof Error) {
      copy ??= { ...object };
      copy[key] = safeErrorFields(value);
    }
  }
  return copy ?? object;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cancel-guard' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors never reach a line as they are (safe-error.ts): a database error carries the query's
      // values and the failing row, an HTTP error the request's headers and body.
      serializers: { err: safeErrorValue, error: safeErrorValue },
      formatters: { log: safeLogObject },
      // logger.error(error) would make the error's raw message the line's msg: use the safe one.
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (!(first instanceof Error)) return method.apply(this, args);
          const message = typeof rest[0] === 'string' ? rest.shift() : safeErrorMessage(first);
          return method.apply(this, [{ err: first }, message, ...rest] as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** A logger that drops everything, for tests and one-shot CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
