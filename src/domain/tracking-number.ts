// Tracking-number checks before a number is sent to Qoo10 (SetSendingInfo).
// Qoo10 accepts any string up to 50 characters; these checks are ours, to catch typos and mis-pasted
// columns before the buyer sees a number that leads nowhere. Rules and their sources:
// ../shared/carriers.md ("Check digits").
import type { CarrierId } from './types';

/** Qoo10's TrackingNo field limit, in characters. */
export const QOO10_TRACKING_MAX_LENGTH = 50;

export type TrackingSeverity = 'ok' | 'warning' | 'error';

export interface TrackingProblem {
  /** Stable snake_case code, e.g. 'check_digit_mismatch'. */
  code: string;
  /** One short English sentence for developers and logs; the caller adds the line number. */
  message: string;
}

export interface TrackingCheck {
  /** False only for severity 'error': a warning still lets the number through. */
  ok: boolean;
  /** The number as it should be sent to Qoo10. */
  normalized: string;
  severity: TrackingSeverity;
  problems: TrackingProblem[];
}

const S10_PATTERN = /^[A-Z]{2}\d{9}[A-Z]{2}$/;
const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];
// Hyphen look-alikes people paste or type with a Japanese IME (ー is the katakana long-vowel mark).
const HYPHENS = /[-\u2010-\u2015\u2212\u30fc\uff70]/g;

/**
 * Check digit of Yamato, Sagawa (and, unconfirmed, Japan Post domestic) numbers: the base read as
 * one decimal number, mod 7. Computed digit by digit so an 11-digit base never meets float rounding.
 */
export function computeMod7CheckDigit(base: string): number {
  if (!/^\d+$/.test(base)) throw new RangeError('computeMod7CheckDigit expects digits only');
  let remainder = 0;
  for (const ch of base) remainder = (remainder * 10 + Number(ch)) % 7;
  return remainder;
}

/** UPU S10 check digit for the 8 serial digits of an international item (EMS, registered...). */
export function computeS10CheckDigit(eightDigits: string): number {
  if (!/^\d{8}$/.test(eightDigits)) throw new RangeError('computeS10CheckDigit expects exactly 8 digits');
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += Number(eightDigits[i]) * S10_WEIGHTS[i];
  const r = sum % 11;
  if (r === 0) return 5;
  if (r === 1) return 0;
  return 11 - r;
}

/** True for an S10 number in normalized form (upper case, no separators), e.g. EE123456785JP. */
export function isS10TrackingNumber(normalized: string): boolean {
  return S10_PATTERN.test(normalized);
}

/**
 * Normalizes a pasted number: NFKC turns full-width digits and letters into ASCII, whitespace and
 * hyphens are dropped and letters upper-cased, as every domestic and S10 number is plain digits/letters.
 */
export function normalizeTrackingNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').replace(HYPHENS, '').toUpperCase();
}

/**
 * Checks a tracking number for the declared carrier. An S10 international number is recognised
 * whatever the declared carrier (a Japan Post EMS item can sit in any file).
 */
export function validateTrackingNumber(carrier: CarrierId, raw: string): TrackingCheck {
  const stripped = normalizeTrackingNumber(raw);
  // For an unknown carrier we cannot tell whether hyphens or letter case matter, so only NFKC and
  // whitespace are touched unless the number turns out to be S10.
  const normalized =
    carrier === 'other' && !isS10TrackingNumber(stripped) ? raw.normalize('NFKC').replace(/\s+/g, '') : stripped;

  if (normalized === '') return result(normalized, 'error', [problem('empty', 'Tracking number is empty.')]);
  if (normalized.length > QOO10_TRACKING_MAX_LENGTH) {
    return result(normalized, 'error', [
      problem('too_long', `Tracking number has ${normalized.length} characters; Qoo10 accepts at most ${QOO10_TRACKING_MAX_LENGTH}.`),
    ]);
  }
  if (isS10TrackingNumber(normalized)) return checkS10(normalized);

  switch (carrier) {
    case 'yamato':
    case 'sagawa':
      return checkMod7Strict(normalized, carrier);
    case 'japanpost':
      return checkJapanPost(normalized);
    case 'other':
      return checkOther(normalized);
  }
}

function checkS10(normalized: string): TrackingCheck {
  const serial = normalized.slice(2, 10);
  const expected = computeS10CheckDigit(serial);
  const actual = Number(normalized[10]);
  if (expected === actual) return result(normalized, 'ok', []);
  return result(normalized, 'error', [
    problem('check_digit_mismatch', `S10 check digit should be ${expected}, got ${actual}.`),
  ]);
}

function checkMod7Strict(normalized: string, carrier: 'yamato' | 'sagawa'): TrackingCheck {
  const name = carrier === 'yamato' ? 'Yamato' : 'Sagawa';
  if (!/^\d+$/.test(normalized)) {
    return result(normalized, 'error', [problem('not_digits', `${name} tracking numbers are digits only.`)]);
  }
  if (normalized.length !== 12) {
    return result(normalized, 'error', [
      problem('wrong_length', `${name} tracking numbers have 12 digits, got ${normalized.length}.`),
    ]);
  }
  const mismatch = mod7Mismatch(normalized);
  return mismatch === null ? result(normalized, 'ok', []) : result(normalized, 'error', [mismatch]);
}

// The Japan Post rule is reported by some sources only (carriers.md), so a mismatch is a warning
// until confirmed on real numbers; a wrong length is still an error.
function checkJapanPost(normalized: string): TrackingCheck {
  if (!/^\d+$/.test(normalized)) {
    return result(normalized, 'error', [
      problem('not_digits', 'Japan Post domestic tracking numbers are digits only (international ones look like EE123456789JP).'),
    ]);
  }
  if (normalized.length !== 11 && normalized.length !== 12) {
    return result(normalized, 'error', [
      problem('wrong_length', `Japan Post tracking numbers have 11 or 12 digits, got ${normalized.length}.`),
    ]);
  }
  const mismatch = mod7Mismatch(normalized);
  if (mismatch === null) return result(normalized, 'ok', []);
  return result(normalized, 'warning', [
    problem('check_digit_unconfirmed', `${mismatch.message} The Japan Post rule is unconfirmed; check the number by eye.`),
  ]);
}

function checkOther(normalized: string): TrackingCheck {
  if (!/^[A-Za-z0-9-]+$/.test(normalized)) {
    return result(normalized, 'error', [
      problem('invalid_characters', 'Tracking number may contain only ASCII letters, digits and hyphens.'),
    ]);
  }
  return result(normalized, 'ok', []);
}

function mod7Mismatch(digits: string): TrackingProblem | null {
  const base = digits.slice(0, -1);
  const expected = computeMod7CheckDigit(base);
  const actual = Number(digits[digits.length - 1]);
  if (expected === actual) return null;
  return problem(
    'check_digit_mismatch',
    `Check digit should be ${expected} (first ${base.length} digits mod 7), got ${actual}.`,
  );
}

function problem(code: string, message: string): TrackingProblem {
  return { code, message };
}

function result(normalized: string, severity: TrackingSeverity, problems: TrackingProblem[]): TrackingCheck {
  return { ok: severity !== 'error', normalized, severity, problems };
}
