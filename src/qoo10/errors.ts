// Typed errors of the Qoo10 client. Every error has a stable snake_case `code` and says whether the
// client (and a job) may retry it. Messages are built only from the method name, Qoo10's result code
// and Qoo10's message text: never from request headers or parameters, so no key can leak through them.

export interface Qoo10ErrorDetails {
  /** `Class.Method` of the call that failed, e.g. `Claim.SetCancelProcess`. */
  method?: string;
  /** Qoo10's own result code (ResultCode / ErrorCode), when the API answered. */
  qoo10Code?: number;
  /** HTTP status, when the failure is at the HTTP level. */
  httpStatus?: number;
}

export abstract class Qoo10Error extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly method: string | null;
  readonly qoo10Code: number | null;
  readonly httpStatus: number | null;

  constructor(message: string, details: Qoo10ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.method = details.method ?? null;
    this.qoo10Code = details.qoo10Code ?? null;
    this.httpStatus = details.httpStatus ?? null;
  }

  /** What a log line or an API response may show; the same fields JSON.stringify gives. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      retryable: this.retryable,
      message: this.message,
      method: this.method,
      qoo10Code: this.qoo10Code,
      httpStatus: this.httpStatus,
    };
  }
}

/** Connection refused/reset, DNS failure: the request may not have reached Qoo10. */
export class Qoo10NetworkError extends Qoo10Error {
  readonly code = 'qoo10_network_error';
  readonly retryable = true;
}

/** No complete answer within the client's timeout. A write may or may not have been applied. */
export class Qoo10TimeoutError extends Qoo10Error {
  readonly code = 'qoo10_timeout';
  readonly retryable = true;
}

/** HTTP 5xx or 429 from Qoo10 or a proxy in front of it (Qoo10 itself answers 200 even for errors). */
export class Qoo10ServerError extends Qoo10Error {
  readonly code = 'qoo10_server_error';
  readonly retryable = true;
}

/**
 * The body is not a Qoo10 envelope we understand: not JSON, plain text, wrong shape, a ResultObject of
 * the wrong type, or a row missing a required field. Never read as "no rows": that would hide orders.
 */
export class Qoo10MalformedResponseError extends Qoo10Error {
  readonly code = 'qoo10_malformed_response';
  readonly retryable = true;
}

/** -10004 on a write: the order is no longer in a state that allows it (shipped, cancelled). Re-read it. */
export class Qoo10WrongStateError extends Qoo10Error {
  readonly code = 'qoo10_wrong_state';
  readonly retryable = false;
}

/** -10000, -90002, -90003: the key is wrong or not authorised for this call. */
export class Qoo10AuthError extends Qoo10Error {
  readonly code = 'qoo10_auth_failed';
  readonly retryable = false;
}

/** -90004, -90005: the seller authorization key expired (about yearly, or after a QSM password change). */
export class Qoo10KeyExpiredError extends Qoo10Error {
  readonly code = 'qoo10_key_expired';
  readonly retryable = false;
}

/** Any other non-zero Qoo10 code (method-specific codes start at -10001), or an unexpected HTTP 4xx. */
export class Qoo10ApiError extends Qoo10Error {
  readonly code = 'qoo10_api_error';
  readonly retryable = false;
}

/** The client refused to send a request that Qoo10 would reject (too long, empty, bad range). */
export class Qoo10InvalidRequestError extends Qoo10Error {
  readonly code = 'qoo10_invalid_request';
  readonly retryable = false;
}

/** The caller's AbortSignal fired (shutdown); nothing is retried after that. */
export class Qoo10AbortedError extends Qoo10Error {
  readonly code = 'qoo10_aborted';
  readonly retryable = false;
}

/**
 * A write whose outcome we did not clearly see: a timeout, a 5xx, a dropped connection, an answer we cannot
 * read, or a shutdown while the request was on the wire. Qoo10 has no idempotency keys, so it may have been
 * applied: never send it again blind, settle it by reading the order. `cause` is what was seen.
 */
export class Qoo10UnknownOutcomeError extends Qoo10Error {
  readonly code = 'qoo10_outcome_unknown';
  readonly retryable = false;
  constructor(
    message: string,
    details: Qoo10ErrorDetails,
    /** The code of the error seen, e.g. qoo10_timeout. */
    readonly seen: string,
  ) {
    super(message, details);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), seen: this.seen };
  }
}

/**
 * True only when Qoo10 clearly answered "no" (or the client refused to send): the write was not applied.
 * Everything else about a write (unknown outcome, shutdown, an unexpected failure) is unknown.
 */
export function isDefiniteRefusal(error: unknown): error is Qoo10Error {
  return (
    error instanceof Qoo10ApiError ||
    error instanceof Qoo10WrongStateError ||
    error instanceof Qoo10AuthError ||
    error instanceof Qoo10KeyExpiredError ||
    error instanceof Qoo10InvalidRequestError
  );
}

/** Codes shared by every method (qoo10-api.md, "Common codes"). */
export const AUTH_FAILURE_CODES: readonly number[] = [-10000, -90002, -90003];
export const KEY_EXPIRED_CODES: readonly number[] = [-90004, -90005];
export const WRONG_STATE_CODE = -10004;

/**
 * The error for a non-zero Qoo10 code. -10004 means "wrong order state" only on writes; on reads the
 * method-specific codes mean other things, so it stays a plain Qoo10ApiError there.
 */
export function errorForQoo10Code(code: number, qoo10Message: string, method: string, isWrite: boolean): Qoo10Error {
  const details = { method, qoo10Code: code };
  const text = `${method} failed with Qoo10 code ${code}${qoo10Message ? `: ${qoo10Message}` : ''}`;
  if (KEY_EXPIRED_CODES.includes(code)) return new Qoo10KeyExpiredError(text, details);
  if (AUTH_FAILURE_CODES.includes(code)) return new Qoo10AuthError(text, details);
  if (code === WRONG_STATE_CODE && isWrite) return new Qoo10WrongStateError(text, details);
  return new Qoo10ApiError(text, details);
}

export function isQoo10Error(error: unknown): error is Qoo10Error {
  return error instanceof Qoo10Error;
}
