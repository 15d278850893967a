// Text from Qoo10 is untrusted input. Every free-text field a mapper reads passes through cleanText
// before it reaches the domain or the database: PostgreSQL refuses NUL in text (one NUL in a buyer's
// reason made every INSERT of the shop fail, every cycle), control characters break logs, CSV exports
// and e-mails, lone surrogates are not valid UTF-8, and an unbounded string is a memory and storage
// risk. Cleaning is deterministic, so the same row always stores the same text and idempotent inserts
// stay idempotent. Pure.

/** Longest text kept per kind of field, in characters (code points). Longer text is cut, marked with "…". */
export const TEXT_LIMITS = {
  /** A buyer's cancel reason or Qoo10's claim label. */
  reason: 2000,
  /** Item title and option text. */
  title: 500,
  /** Buyer name, payment method, carrier name (Qoo10's own ShippingCorp limit is 200). */
  name: 200,
  /** An e-mail address (RFC 5321's practical limit). */
  email: 254,
  /** Item numbers, seller item codes, tracking numbers: identifiers. */
  code: 100,
  /** Qoo10's ResultMsg / result_msg. */
  message: 500,
} as const;
export type TextKind = keyof typeof TEXT_LIMITS;

/**
 * Control characters removed: C0 except tab, line feed and carriage return; DEL; C1. NUL is among
 * them. Tab and line breaks are kept: a buyer's reason may span lines.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Unicode's replacement character: what a lone surrogate becomes. */
export const REPLACEMENT = '\uFFFD';

/**
 * The text as it may be stored: lone surrogates replaced by U+FFFD, control characters removed,
 * surrounding white space trimmed, at most `maxLength` code points (a cut text ends with "…").
 */
export function cleanText(text: string, maxLength: number): string {
  const cleaned = text.replace(LONE_SURROGATE, REPLACEMENT).replace(CONTROL, '').trim();
  // Counting code points (not UTF-16 units) never splits a surrogate pair.
  const points = Array.from(cleaned);
  if (points.length <= maxLength) return cleaned;
  return `${points.slice(0, Math.max(0, maxLength - 1)).join('').trimEnd()}…`;
}

/** Whether the text would change when cleaned (used by tests and the bad-data sweep). */
export function needsCleaning(text: string, maxLength: number): boolean {
  return cleanText(text, maxLength) !== text.trim();
}
