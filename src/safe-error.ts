// What an error may show in a log line or a stored run message. THE one place errors are made safe:
// the logger runs every Error it is given through safeErrorFields, and services that store an error's
// text use safeErrorMessage.
//
// Why: the pg driver's errors and TypeORM's QueryFailedError carry the statement (`query`), its bound
// values (`parameters`: one failed order ingest logged 1,436 buyer names and 1,263 e-mails in one
// line), the failing row (`detail`: "Failing row contains (…)", "Key (…)=(…)"), and PostgreSQL quotes the
// offending value in messages (`invalid input syntax for type integer: "…"`). An axios error carries the
// request's headers and form body, seller key included. So an error is never logged as it is: only
// its kind, codes and a scrubbed message are kept.

/** SQLSTATE and the schema names PostgreSQL reports: safe and what an operator needs. */
const DB_FIELDS = ['code', 'severity', 'table', 'column', 'constraint', 'dataType', 'routine'] as const;
const MAX_MESSAGE = 300;
const MAX_CAUSES = 3;

type Fields = Record<string, unknown>;

function isDatabaseError(error: Fields): boolean {
  return (
    'driverError' in error ||
    'parameters' in error ||
    'query' in error ||
    // pg's DatabaseError: a five-character SQLSTATE and a severity.
    (typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && typeof error.severity === 'string')
  );
}

/**
 * A message with every quoted or bracketed value replaced: PostgreSQL quotes the value it refused,
 * and detail-like text ("(order_no)=(…)") names row contents. Cut to a bounded length.
 */
export function scrubMessage(message: string): string {
  const scrubbed = message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/\)=\([^)]*\)/g, ')=(…)')
    .replace(/Failing row contains \(.*\)/gs, 'Failing row contains (…)');
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
}

/** The loggable fields of an error (or of anything thrown). Never the query, its values or the row. */
export function safeErrorFields(error: unknown, depth = 0): Fields {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) {
    return { type: typeof error, message: scrubMessage(String(error)) };
  }
  const e = error as Error & Fields;
  const type = e.constructor?.name ?? e.name ?? 'Error';
  if (typeof (e as { toJSON?: unknown }).toJSON === 'function' && typeof e.code === 'string' && e.code.startsWith('qoo10_')) {
    // Qoo10 errors are built to be shown (method, code, Qoo10's scrubbed message; never parameters).
    return (e as unknown as { toJSON(): Fields }).toJSON();
  }
  const fields: Fields = { type };
  const source = isDatabaseError(e) && typeof e.driverError === 'object' && e.driverError !== null ? (e.driverError as Fields) : e;
  if (isDatabaseError(e)) {
    fields.message = scrubMessage(String(e.message ?? ''));
    for (const key of DB_FIELDS) if (typeof source[key] === 'string') fields[key] = source[key];
  } else {
    fields.message = scrubMessage(String(e.message ?? ''));
    if (typeof e.code === 'string' || typeof e.code === 'number') fields.code = e.code;
    // The stack's first line repeats the message: keep the frames only.
    if (typeof e.stack === 'string') fields.stack = e.stack.split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 12).join('\n');
  }
  if (e.cause !== undefined && depth < MAX_CAUSES) fields.cause = safeErrorFields(e.cause, depth + 1);
  return fields;
}

/**
 * One line for a stored run message or an API answer: a database error becomes "database error
 * <SQLSTATE>: <scrubbed message>"; anything else keeps its (scrubbed) message.
 */
export function safeErrorMessage(error: unknown): string {
  const fields = safeErrorFields(error);
  if (error instanceof Error && isDatabaseError(error as Error & Fields)) return `database error ${String(fields.code ?? '')}: ${String(fields.message)}`.replace(' :', ':');
  return String(fields.message ?? '');
}

/** Keys of an error-like plain object that may hold statement values, rows, headers or bodies. */
const UNSAFE_KEYS = ['parameters', 'query', 'detail', 'driverError', 'where', 'internalQuery', 'config', 'request', 'response', 'headers', 'data'];

/**
 * The logger's serializer for `err` / `error` fields: an Error becomes its safe fields; a plain object
 * (already safe, or a Qoo10 error's toJSON) loses any key that may carry values; anything else stays.
 */
export function safeErrorValue(value: unknown): unknown {
  if (value instanceof Error) return safeErrorFields(value);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Fields = {};
  for (const [key, field] of Object.entries(value as Fields)) {
    if (UNSAFE_KEYS.includes(key)) continue;
    copy[key] = typeof field === 'string' && key === 'message' ? scrubMessage(field) : field;
  }
  return copy;
}
