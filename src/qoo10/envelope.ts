// Reading a Qoo10 answer into "ResultObject" or a typed error. Qoo10 answers HTTP 200 for its own errors,
// so the body decides: {ResultCode, ResultMsg, ResultObject}, {ErrorCode, ErrorMsg}, or plain text.
import {
  Qoo10ApiError,
  Qoo10MalformedResponseError,
  Qoo10ServerError,
  errorForQoo10Code,
} from './errors';
import { parseInteger } from './mappers';
import { cleanText, TEXT_LIMITS } from './sanitise';

export interface EnvelopeContext {
  /** `Class.Method`, for error messages. */
  method: string;
  /** Writes read -10004 as "wrong order state". */
  isWrite: boolean;
  /** Removes secrets from Qoo10's message text before it goes into an error (Qoo10 may echo a key). */
  scrub: (text: string) => string;
}

export interface Qoo10Success {
  /** Absent for writes that return nothing; null/[]/object/array/string otherwise. */
  resultObject: unknown;
  resultMessage: string;
}

/** Throws the typed error an answer stands for, or returns the ResultObject of a success. */
export function readEnvelope(httpStatus: number, body: string, context: EnvelopeContext): Qoo10Success {
  const { method } = context;
  if (httpStatus >= 500 || httpStatus === 429) {
    throw new Qoo10ServerError(`${method} answered HTTP ${httpStatus}`, { method, httpStatus });
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    throw new Qoo10ApiError(`${method} answered HTTP ${httpStatus}`, { method, httpStatus });
  }
  const parsed = parseJson(body);
  if (parsed === undefined) {
    // The body is not echoed: plain-text answers are HTML/text pages that may quote the request.
    throw new Qoo10MalformedResponseError(`${method} answered a non-JSON body (${body.length} characters)`, {
      method,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Qoo10MalformedResponseError(`${method} answered JSON that is not an envelope object`, { method });
  }
  const envelope = parsed as Record<string, unknown>;
  if ('ResultCode' in envelope) {
    const code = readCode(envelope.ResultCode, 'ResultCode', method);
    const message = context.scrub(textOf(envelope.ResultMsg));
    if (code === 0) return { resultObject: envelope.ResultObject, resultMessage: message };
    throw errorForQoo10Code(code, message, method, context.isWrite);
  }
  if ('ErrorCode' in envelope) {
    const code = readCode(envelope.ErrorCode, 'ErrorCode', method);
    const message = context.scrub(textOf(envelope.ErrorMsg));
    if (code === 0) {
      throw new Qoo10MalformedResponseError(`${method} answered ErrorCode 0 without a result`, { method });
    }
    throw errorForQoo10Code(code, message, method, context.isWrite);
  }
  throw new Qoo10MalformedResponseError(`${method} answered JSON without ResultCode or ErrorCode`, { method });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function readCode(value: unknown, field: string, method: string): number {
  const code = parseInteger(value);
  if (code === null || code === undefined) {
    throw new Qoo10MalformedResponseError(`${method} answered a ${field} that is not a number`, { method });
  }
  return code;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? cleanText(value, TEXT_LIMITS.message) : '';
}
