import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  daysInMonth,
  formatJst,
  formatQoo10RequestDate,
  hoursBetween,
  isClockTime,
  isMonthKey,
  jstDateOf,
  jstDayRange,
  jstDayRangeOf,
  jstMonthOf,
  jstMonthRange,
  jstTimeOnDay,
  nextMonth,
  parseMonthKey,
  parseQoo10Date,
  previousMonth,
} from '../../src/domain/jst-calendar';

const at = (iso: string) => new Date(iso);

describe('JST months', () => {
  const monthCases = [
    { name: 'Oct 31 23:30 JST is still October', instant: '2026-10-31T14:30:00Z', month: '2026-10' },
    { name: 'the last millisecond of October in JST', instant: '2026-10-31T14:59:59.999Z', month: '2026-10' },
    { name: 'Nov 1 00:00 JST is November although UTC is still Oct 31', instant: '2026-10-31T15:00:00Z', month: '2026-11' },
    { name: 'New Year 00:00 JST starts the next year', instant: '2026-12-31T15:00:00Z', month: '2027-01' },
    { name: 'Dec 31 23:59 JST is still December', instant: '2026-12-31T14:59:00Z', month: '2026-12' },
    { name: 'Jan 1 00:00 UTC is 09:00 JST, January', instant: '2027-01-01T00:00:00Z', month: '2027-01' },
    { name: 'leap day 2028-02-29 23:00 JST is February', instant: '2028-02-29T14:00:00Z', month: '2028-02' },
  ];
  for (const c of monthCases) {
    test(`places an instant in its JST month: ${c.name}`, () => {
      assert.equal(jstMonthOf(at(c.instant)), c.month);
    });
  }

  const rangeCases = [
    { month: '2026-11', start: '2026-10-31T15:00:00.000Z', end: '2026-11-30T15:00:00.000Z' },
    { month: '2026-12', start: '2026-11-30T15:00:00.000Z', end: '2026-12-31T15:00:00.000Z' },
    { month: '2027-01', start: '2026-12-31T15:00:00.000Z', end: '2027-01-31T15:00:00.000Z' },
    { month: '2028-02', start: '2028-01-31T15:00:00.000Z', end: '2028-02-29T15:00:00.000Z' },
  ];
  for (const c of rangeCases) {
    test(`bounds ${c.month} by JST midnights as UTC instants, end exclusive`, () => {
      const range = jstMonthRange(c.month);
      assert.equal(range.start.toISOString(), c.start);
      assert.equal(range.end.toISOString(), c.end);
      assert.equal(jstMonthOf(range.start), c.month);
      assert.equal(jstMonthOf(new Date(range.end.getTime() - 1)), c.month);
      assert.notEqual(jstMonthOf(range.end), c.month);
    });
  }

  const lengthCases = [
    { month: '2026-02', days: 28 },
    { month: '2028-02', days: 29 },
    { month: '2100-02', days: 28 },
    { month: '2000-02', days: 29 },
    { month: '2026-04', days: 30 },
    { month: '2026-12', days: 31 },
  ];
  for (const c of lengthCases) {
    test(`counts ${c.days} days in ${c.month}`, () => {
      assert.equal(daysInMonth(c.month), c.days);
    });
  }

  const stepCases = [
    { month: '2026-06', previous: '2026-05', next: '2026-07' },
    { month: '2026-01', previous: '2025-12', next: '2026-02' },
    { month: '2026-12', previous: '2026-11', next: '2027-01' },
  ];
  for (const c of stepCases) {
    test(`steps across months from ${c.month}`, () => {
      assert.equal(previousMonth(c.month), c.previous);
      assert.equal(nextMonth(c.month), c.next);
    });
  }

  test('parses a month key into numbers', () => {
    assert.deepEqual(parseMonthKey('2026-09'), { year: 2026, month: 9 });
    assert.equal(isMonthKey('2026-09'), true);
  });

  for (const bad of ['2026-13', '2026-00', '2026-1', '26-01', '', '2026/01', ' 2026-01', '2026-01-01']) {
    test(`rejects the malformed month key "${bad}" with a clear error`, () => {
      assert.equal(isMonthKey(bad), false);
      assert.throws(() => parseMonthKey(bad), /invalid month .*expected YYYY-MM/);
      assert.throws(() => jstMonthRange(bad), /invalid month/);
    });
  }
});

describe('JST days and clock times', () => {
  const dateCases = [
    { instant: '2026-02-28T15:00:00Z', date: '2026-03-01' },
    { instant: '2028-02-28T15:00:00Z', date: '2028-02-29' },
    { instant: '2026-11-10T14:59:59.999Z', date: '2026-11-10' },
    { instant: '2026-11-10T15:00:00Z', date: '2026-11-11' },
  ];
  for (const c of dateCases) {
    test(`gives the JST calendar date of ${c.instant}`, () => {
      assert.equal(jstDateOf(at(c.instant)), c.date);
    });
  }

  test('bounds a JST day by its midnights', () => {
    const range = jstDayRange('2026-11-10');
    assert.equal(range.start.toISOString(), '2026-11-09T15:00:00.000Z');
    assert.equal(range.end.toISOString(), '2026-11-10T15:00:00.000Z');
    assert.deepEqual(jstDayRangeOf(at('2026-11-10T14:00:00Z')), range);
  });

  for (const bad of ['2026-02-30', '2026-11-1', '2026-13-01', 'tomorrow']) {
    test(`rejects the impossible day "${bad}"`, () => {
      assert.throws(() => jstDayRange(bad), /invalid date/);
    });
  }

  const cutoffCases = [
    { name: 'before the cut-off', now: '2026-11-10T03:00:00Z', hhmm: '17:00', expected: '2026-11-10T08:00:00.000Z' },
    { name: 'after the cut-off, still today', now: '2026-11-10T10:00:00Z', hhmm: '17:00', expected: '2026-11-10T08:00:00.000Z' },
    { name: 'just after JST midnight', now: '2026-11-10T16:00:00Z', hhmm: '17:00', expected: '2026-11-11T08:00:00.000Z' },
    { name: 'midnight', now: '2026-11-10T03:00:00Z', hhmm: '00:00', expected: '2026-11-09T15:00:00.000Z' },
    { name: 'one minute to midnight', now: '2026-11-10T03:00:00Z', hhmm: '23:59', expected: '2026-11-10T14:59:00.000Z' },
  ];
  for (const c of cutoffCases) {
    test(`finds a JST clock time on the JST day of an instant: ${c.name}`, () => {
      assert.equal(jstTimeOnDay(at(c.now), c.hhmm).toISOString(), c.expected);
    });
  }

  for (const bad of ['24:00', '5:00', '17:60', '17:00:00', 'x']) {
    test(`rejects the clock time "${bad}"`, () => {
      assert.equal(isClockTime(bad), false);
      assert.throws(() => jstTimeOnDay(at('2026-11-10T03:00:00Z'), bad), /invalid clock time/);
    });
  }

  test('measures signed hours between instants', () => {
    assert.equal(hoursBetween(at('2026-11-10T00:00:00Z'), at('2026-11-10T06:00:00Z')), 6);
    assert.equal(hoursBetween(at('2026-11-10T06:00:00Z'), at('2026-11-10T04:30:00Z')), -1.5);
  });
});

describe('Qoo10 date strings', () => {
  const parseCases: Array<{ input: string | null; expected: string | null }> = [
    { input: '2026-11-10 12:34:56', expected: '2026-11-10T03:34:56.000Z' },
    { input: '2026-11-10', expected: '2026-11-09T15:00:00.000Z' },
    { input: '2026/11/10 12:34:56', expected: '2026-11-10T03:34:56.000Z' },
    { input: '2026-11-10T12:34:56', expected: '2026-11-10T03:34:56.000Z' },
    { input: '2026-11-10 12:34', expected: '2026-11-10T03:34:00.000Z' },
    { input: '2026-11-01 00:30:00', expected: '2026-10-31T15:30:00.000Z' },
    { input: ' 2028-02-29 10:00:00 ', expected: '2028-02-29T01:00:00.000Z' },
    { input: '', expected: null },
    { input: '   ', expected: null },
    { input: null, expected: null },
    { input: 'not a date', expected: null },
    { input: '2026-02-30 10:00:00', expected: null },
    { input: '2027-02-29', expected: null },
    { input: '2026-13-01 10:00:00', expected: null },
    { input: '2026-11-10 24:00:00', expected: null },
    { input: '2026-11-10 12:60:00', expected: null },
    { input: '2026-11/10', expected: null },
    { input: '2026-11-10 12:34:56+09:00', expected: null },
  ];
  for (const c of parseCases) {
    test(`parses "${c.input}" as JST: ${c.expected ?? 'no date'}`, () => {
      assert.equal(parseQoo10Date(c.input)?.toISOString() ?? null, c.expected);
    });
  }

  const formatCases = [
    { instant: '2026-10-31T15:00:00Z', date: '20261101', dateTime: '20261101000000', display: '2026-11-01 00:00' },
    { instant: '2026-11-10T03:34:56Z', date: '20261110', dateTime: '20261110123456', display: '2026-11-10 12:34' },
    { instant: '2026-12-31T14:59:59Z', date: '20261231', dateTime: '20261231235959', display: '2026-12-31 23:59' },
  ];
  for (const c of formatCases) {
    test(`formats ${c.instant} in JST for Qoo10 and for people`, () => {
      assert.equal(formatQoo10RequestDate(at(c.instant), false), c.date);
      assert.equal(formatQoo10RequestDate(at(c.instant), true), c.dateTime);
      assert.equal(formatJst(at(c.instant)), c.display);
    });
  }

  for (const s of ['2026-01-01 00:00:00', '2026-10-31 23:30:00', '2028-02-29 12:00:00', '2026-12-31 23:59:59']) {
    test(`round-trips "${s}" through parse and format`, () => {
      const parsed = parseQoo10Date(s);
      assert.ok(parsed);
      assert.equal(formatQoo10RequestDate(parsed, true), s.replace(/[-: ]/g, ''));
      assert.equal(formatJst(parsed), s.slice(0, 16));
    });
  }
});

describe('independence from the server time zone', () => {
  // The same calls in a child process whose TZ is far from Japan, on both sides of the date line
  // and across a US daylight-saving change (2026-11-01 in Los Angeles).
  const moduleUnderTest = join(__dirname, '../../src/domain/jst-calendar.js');
  const script = `
    const c = require(${JSON.stringify(moduleUnderTest)});
    const at = (s) => new Date(s);
    process.stdout.write(JSON.stringify({
      offsetMinutes: new Date('2026-07-01T00:00:00Z').getTimezoneOffset(),
      month: c.jstMonthOf(at('2026-10-31T15:00:00Z')),
      monthBefore: c.jstMonthOf(at('2026-10-31T14:30:00Z')),
      range: c.jstMonthRange('2026-11').start.toISOString(),
      date: c.jstDateOf(at('2026-11-01T09:30:00Z')),
      parsed: c.parseQoo10Date('2026-11-01 01:30:00').toISOString(),
      request: c.formatQoo10RequestDate(at('2026-11-01T09:30:00Z'), true),
      cutoff: c.jstTimeOnDay(at('2026-11-01T09:30:00Z'), '17:00').toISOString(),
      display: c.formatJst(at('2026-11-01T09:30:00Z')),
    }));
  `;
  const expected = {
    month: '2026-11',
    monthBefore: '2026-10',
    range: '2026-10-31T15:00:00.000Z',
    date: '2026-11-01',
    parsed: '2026-10-31T16:30:00.000Z',
    request: '20261101183000',
    cutoff: '2026-11-01T08:00:00.000Z',
    display: '2026-11-01 18:30',
  };
  const zones = [
    { tz: 'America/Los_Angeles', offsetMinutes: 420 },
    { tz: 'Pacific/Kiritimati', offsetMinutes: -840 },
    { tz: 'Asia/Tokyo', offsetMinutes: -540 },
    { tz: 'UTC', offsetMinutes: 0 },
  ];
  for (const z of zones) {
    test(`gives the same JST answers with TZ=${z.tz}`, () => {
      const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: z.tz }, encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      const { offsetMinutes, ...answers } = JSON.parse(child.stdout) as Record<string, unknown>;
      assert.equal(offsetMinutes, z.offsetMinutes, 'the child did not run in the intended time zone');
      assert.deepEqual(answers, expected);
    });
  }
});
