// Japan Standard Time calendar arithmetic, independent of the server's time zone.
// JST is UTC+9 all year (Japan has no daylight saving). Every function shifts the UTC instant by
// +9 h and reads it with UTC getters, so the process TZ never leaks in. Local-time getters
// (getHours, getDate...) must never appear in this file.

const HOUR_MS = 3_600_000;
const JST_OFFSET_MS = 9 * HOUR_MS;

/** A JST calendar month, 'YYYY-MM'. */
export type MonthKey = string;

/** A JST calendar date, 'YYYY-MM-DD'. */
export type JstDate = string;

/** A half-open interval of instants: start ≤ t < end. */
export interface InstantRange {
  start: Date;
  end: Date;
}

interface JstFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function jstFields(instant: Date): JstFields {
  const shifted = new Date(instant.getTime() + JST_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/** The instant at which the given JST wall-clock time occurs. `month` is 1-based; overflow rolls over. */
function jstInstant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - JST_OFFSET_MS);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidInstant(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/** The JST month containing `instant`: 2026-10-31T15:00Z is 00:00 JST on Nov 1, so '2026-11'. */
export function jstMonthOf(instant: Date): MonthKey {
  const { year, month } = jstFields(instant);
  return `${pad(year, 4)}-${pad(month)}`;
}

const MONTH_KEY = /^(\d{4})-(\d{2})$/;

export function isMonthKey(s: unknown): s is MonthKey {
  if (typeof s !== 'string') return false;
  const m = MONTH_KEY.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  return month >= 1 && month <= 12;
}

/** Splits 'YYYY-MM' into numbers (month 1–12); throws an Error naming the bad input otherwise. */
export function parseMonthKey(s: string): { year: number; month: number } {
  if (!isMonthKey(s)) {
    throw new Error(`invalid month "${String(s)}": expected YYYY-MM with a month from 01 to 12`);
  }
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)) };
}

function monthKey(year: number, month: number): MonthKey {
  const normalised = new Date(Date.UTC(year, month - 1, 1));
  return `${pad(normalised.getUTCFullYear(), 4)}-${pad(normalised.getUTCMonth() + 1)}`;
}

/** The UTC instants bounding a JST month; `end` is exclusive (the next month's first instant). */
export function jstMonthRange(month: MonthKey): InstantRange {
  const { year, month: m } = parseMonthKey(month);
  return { start: jstInstant(year, m, 1), end: jstInstant(year, m + 1, 1) };
}

export function previousMonth(month: MonthKey): MonthKey {
  const { year, month: m } = parseMonthKey(month);
  return monthKey(year, m - 1);
}

export function nextMonth(month: MonthKey): MonthKey {
  const { year, month: m } = parseMonthKey(month);
  return monthKey(year, m + 1);
}

export function daysInMonth(month: MonthKey): number {
  const { year, month: m } = parseMonthKey(month);
  return daysIn(year, m);
}

/** The JST calendar date containing `instant`, 'YYYY-MM-DD'. */
export function jstDateOf(instant: Date): JstDate {
  const { year, month, day } = jstFields(instant);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

const JST_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC instants bounding a JST calendar day ('YYYY-MM-DD'); `end` is exclusive. Throws on bad input. */
export function jstDayRange(date: JstDate): InstantRange {
  const m = JST_DATE.exec(date);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
    throw new Error(`invalid date "${date}": expected an existing calendar date as YYYY-MM-DD`);
  }
  return { start: jstInstant(year, month, day), end: jstInstant(year, month, day + 1) };
}

/** The JST day containing `instant`, as instants (end exclusive). */
export function jstDayRangeOf(instant: Date): InstantRange {
  const { year, month, day } = jstFields(instant);
  return { start: jstInstant(year, month, day), end: jstInstant(year, month, day + 1) };
}

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a 24-hour 'HH:MM' clock time, 00:00 to 23:59. */
export function isClockTime(s: unknown): s is string {
  return typeof s === 'string' && CLOCK_TIME.test(s);
}

/**
 * The instant at which the JST clock shows `hhmm` on the JST day containing `instant`.
 * Used for the same-day tracking cut-off: jstTimeOnDay(now, '17:00') is 17:00 JST today,
 * even when `now` is already later than that. Throws on a malformed clock time.
 */
export function jstTimeOnDay(instant: Date, hhmm: string): Date {
  const m = CLOCK_TIME.exec(hhmm);
  if (!m) throw new Error(`invalid clock time "${hhmm}": expected HH:MM from 00:00 to 23:59`);
  const { year, month, day } = jstFields(instant);
  return jstInstant(year, month, day, Number(m[1]), Number(m[2]));
}

/** Hours from `a` to `b` (fractional; negative when `b` is before `a`). */
export function hoursBetween(a: Date, b: Date): number {
  return (b.getTime() - a.getTime()) / HOUR_MS;
}

// Qoo10 returns JST wall-clock times without an offset. Date and time parts must use one
// separator consistently ('-' or '/'); seconds and milliseconds are optional.
const QOO10_DATE =
  /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?)?$/;

/**
 * Parses a Qoo10 JST date string ('YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DD', 'YYYY/MM/DD HH:MM:SS',
 * 'YYYY-MM-DDTHH:MM:SS') into an instant. Empty, malformed or impossible dates (2026-02-30,
 * 25:00) give null; the caller decides whether a missing date is an error.
 */
export function parseQoo10Date(s: string | null | undefined): Date | null {
  if (typeof s !== 'string') return null;
  const m = QOO10_DATE.exec(s.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[3]);
  const day = Number(m[4]);
  const hour = m[5] === undefined ? 0 : Number(m[5]);
  const minute = m[6] === undefined ? 0 : Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return jstInstant(year, month, day, hour, minute, second);
}

/** A Qoo10 request date in JST: 'yyyyMMdd', or 'yyyyMMddHHmmss' when `withTime`. */
export function formatQoo10RequestDate(instant: Date, withTime: boolean): string {
  const f = jstFields(instant);
  const date = `${pad(f.year, 4)}${pad(f.month)}${pad(f.day)}`;
  return withTime ? `${date}${pad(f.hour)}${pad(f.minute)}${pad(f.second)}` : date;
}

/** 'YYYY-MM-DD HH:MM' in JST, for people (dashboard, emails, trail notes). */
export function formatJst(instant: Date): string {
  const f = jstFields(instant);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}`;
}

/** A JST calendar quarter, 'YYYY-Qn': Q1 = January–March ... Q4 = October–December. */
export type QuarterKey = string;

const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;

export function isQuarterKey(s: unknown): s is QuarterKey {
  return typeof s === 'string' && QUARTER_KEY.test(s);
}

/** Splits 'YYYY-Qn' into numbers; throws an Error naming the bad input otherwise. */
export function parseQuarterKey(s: string): { year: number; quarter: number } {
  const m = QUARTER_KEY.exec(String(s));
  if (!m) throw new Error(`invalid quarter "${String(s)}": expected YYYY-Qn with n from 1 to 4`);
  return { year: Number(m[1]), quarter: Number(m[2]) };
}

/** The quarter a JST month belongs to: '2026-12' → '2026-Q4'. */
export function quarterOfMonth(month: MonthKey): QuarterKey {
  const { year, month: m } = parseMonthKey(month);
  return `${pad(year, 4)}-Q${Math.floor((m - 1) / 3) + 1}`;
}

/** The JST quarter containing `instant`: 2026-09-30T15:00Z is 00:00 JST on Oct 1, so '2026-Q4'. */
export function jstQuarterOf(instant: Date): QuarterKey {
  return quarterOfMonth(jstMonthOf(instant));
}

/** The three JST months of a quarter, in order. */
export function quarterMonths(quarter: QuarterKey): MonthKey[] {
  const { year, quarter: q } = parseQuarterKey(quarter);
  const first = (q - 1) * 3 + 1;
  return [0, 1, 2].map((offset) => monthKey(year, first + offset));
}

/**
 * The UTC instants bounding a JST quarter; `end` is exclusive. Qoo10 counts the quarterly rate on
 * 1/1, 4/1, 7/1 and 10/1: the first instant after a quarter is its counting day.
 */
export function jstQuarterRange(quarter: QuarterKey): InstantRange {
  const { year, quarter: q } = parseQuarterKey(quarter);
  const first = (q - 1) * 3 + 1;
  return { start: jstInstant(year, first, 1), end: jstInstant(year, first + 3, 1) };
}

export function previousQuarter(quarter: QuarterKey): QuarterKey {
  const { year, quarter: q } = parseQuarterKey(quarter);
  return q === 1 ? `${pad(year - 1, 4)}-Q4` : `${pad(year, 4)}-Q${q - 1}`;
}
