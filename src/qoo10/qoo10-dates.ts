// Qoo10's date formats for the client and the simulator. Qoo10 speaks Japan time (JST, UTC+9, no
// daylight saving) and never sends an offset; inside we hold instants (Date, UTC). Calendar arithmetic
// comes from the domain's JST calendar; this file adds only what is Qoo10-specific.
import {
  formatQoo10RequestDate,
  isMonthKey,
  jstDateOf,
  jstDayRangeOf,
  jstMonthOf,
  jstMonthRange,
  parseQoo10Date,
} from '../domain/jst-calendar';

export const DAY_MS = 24 * 60 * 60 * 1000;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/**
 * Parses a response date: `YYYY-MM-DD HH:MM:SS` JST (also `YYYY/MM/DD`, a `T`, no seconds, or a date
 * alone = JST midnight). Returns undefined for text that is not such a date.
 */
export function parseJstDateTime(text: string): Date | undefined {
  return parseQoo10Date(text) ?? undefined;
}

/** `YYYY-MM-DD HH:MM:SS` in JST, the response format (used by the simulator). */
export function formatJstDateTime(instant: Date): string {
  return new Date(instant.getTime() + JST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD` in JST. */
export function formatJstDate(instant: Date): string {
  return jstDateOf(instant);
}

/** Request format: `yyyyMMdd` or `yyyyMMddHHmmss`, JST. */
export function formatRequestDate(instant: Date, withTime: boolean): string {
  return formatQoo10RequestDate(instant, withTime);
}

/** A parsed request date; `dateOnly` tells that the caller gave a whole JST day. */
export interface RequestDate {
  instant: Date;
  dateOnly: boolean;
}

/** Parses `yyyyMMdd` / `yyyyMMddHHmmss` (JST), as the simulator receives them; undefined when malformed. */
export function parseRequestDate(text: string): RequestDate | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const instant = parseQoo10Date(`${y}-${mo}-${d}${h === undefined ? '' : ` ${h}:${mi}:${s}`}`);
  return instant ? { instant, dateOnly: h === undefined } : undefined;
}

/** The start (00:00 JST) of the JST day holding `instant`. */
export function jstDayStart(instant: Date): Date {
  return jstDayRangeOf(instant).start;
}

/** The JST calendar month of an instant, `YYYY-MM`. */
export function jstMonth(instant: Date): string {
  return jstMonthOf(instant);
}

/** 00:00 JST on the first day of a `YYYY-MM` month; undefined when malformed. */
export function jstMonthStart(month: string): Date | undefined {
  return isMonthKey(month) ? jstMonthRange(month).start : undefined;
}

/** 00:00 JST on the first day of the month after `month`. */
export function jstNextMonthStart(month: string): Date | undefined {
  return isMonthKey(month) ? jstMonthRange(month).end : undefined;
}
