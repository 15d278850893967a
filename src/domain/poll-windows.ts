// How a poll's range is cut into the windows its order lists are read in. Qoo10's order list has no
// paging: each call answers every order of its window at once, so a long range (a shop's first poll,
// from the start of the JST month, or a poll after a long outage) is read one JST day at a time and each
// day's orders are stored and dropped before the next day is read (ADR 0022). A range of at most one
// day, what every regular poll covers, stays one window: its calls are exactly those of one read.
import { jstDayRangeOf } from './jst-calendar';

const DAY_MS = 86_400_000;

/** A poll range up to this long is read as one window. */
export const SINGLE_WINDOW_MAX_MS = DAY_MS;

/** A window to read; both ends inclusive, as Qoo10's search dates are. */
export interface ReadWindow {
  from: Date;
  to: Date;
}

/**
 * Windows covering [from, to] in order, without overlap. Beyond SINGLE_WINDOW_MAX_MS, every window lies
 * inside one JST day (the first from `from`, the last up to `to`; each ends 1 ms before the next day), so
 * a window sent as whole days (yyyyMMdd) names exactly its one day and a window sent to the second ends at
 * 23:59:59 with the next starting at 00:00:00.
 */
export function pollReadWindows(from: Date, to: Date): ReadWindow[] {
  if (to.getTime() - from.getTime() <= SINGLE_WINDOW_MAX_MS) return [{ from, to }];
  const windows: ReadWindow[] = [];
  for (let start = from; start.getTime() <= to.getTime(); ) {
    const next = jstDayRangeOf(start).end;
    windows.push({ from: start, to: new Date(Math.min(next.getTime() - 1, to.getTime())) });
    start = next;
  }
  return windows;
}
