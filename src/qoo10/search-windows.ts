// Splitting a search range into windows Qoo10 accepts. GetClaimInfo_V3 refuses ranges over 90 days
// (-10003); GetShippingInfo_v3 is assumed to have the same limit (INF). Windows are consecutive and do
// not overlap: with second precision (yyyyMMddHHmmss) both ends are inclusive instants; with day
// precision (yyyyMMdd) both ends are inclusive JST days, so a window spans at most `maxDays` calendar days.
import { Qoo10InvalidRequestError } from './errors';
import { DAY_MS, jstDayStart } from './qoo10-dates';

export interface SearchWindow {
  from: Date;
  to: Date;
}

/** How request dates are sent: whole JST days (yyyyMMdd) or instants (yyyyMMddHHmmss). */
export type SearchDateFormat = 'date' | 'datetime';

const SECOND_MS = 1000;

/** Windows covering [from, to], in order; for 'date', each bound is the JST day start of its day. */
export function splitSearchWindow(from: Date, to: Date, maxDays: number, format: SearchDateFormat = 'datetime'): SearchWindow[] {
  if (!(maxDays >= 1)) throw new Qoo10InvalidRequestError(`maxDays must be at least 1, got ${maxDays}`);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new Qoo10InvalidRequestError('search dates must be valid');
  if (from.getTime() > to.getTime()) throw new Qoo10InvalidRequestError('search range starts after it ends');
  // 'date': the last day of a window is maxDays - 1 days after its first (both days included).
  const [start, end, step, last] =
    format === 'date'
      ? [jstDayStart(from).getTime(), jstDayStart(to).getTime(), Math.floor(maxDays) * DAY_MS, (Math.floor(maxDays) - 1) * DAY_MS]
      : [floorSecond(from), floorSecond(to), maxDays * DAY_MS, maxDays * DAY_MS - SECOND_MS];
  const windows: SearchWindow[] = [];
  for (let windowStart = start; windowStart <= end; windowStart += step) {
    windows.push({ from: new Date(windowStart), to: new Date(Math.min(end, windowStart + last)) });
  }
  return windows;
}

function floorSecond(d: Date): number {
  return Math.floor(d.getTime() / SECOND_MS) * SECOND_MS;
}
