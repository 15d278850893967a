import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alertDenominator,
  cancelInPeriod,
  computeMonthlyRate,
  computeQuarterlyRate,
  penaltyTierNow,
  quarterTier,
  type MonthlyRateInput,
  type PenaltyTier,
  type PeriodCounts,
  type QuarterlyRateInput,
  type RateDefinition,
} from '../../src/domain/cancel-rate';
import { causeFromQoo10Reason, classifyBooking, mergeCancelReports, type CancelReport } from '../../src/domain/cancel-booking';
import {
  isQuarterKey,
  jstQuarterOf,
  jstQuarterRange,
  previousQuarter,
  quarterMonths,
  quarterOfMonth,
} from '../../src/domain/jst-calendar';

const HOUR = 3_600_000;

describe('JST quarters', () => {
  for (const [instant, quarter] of [
    ['2026-09-30T14:59:59.999Z', '2026-Q3'], // 23:59:59.999 JST on Sep 30
    ['2026-09-30T15:00:00.000Z', '2026-Q4'], // 00:00 JST on Oct 1: the counting day of Q3
    ['2026-12-31T14:59:59.999Z', '2026-Q4'],
    ['2026-12-31T15:00:00.000Z', '2027-Q1'], // New Year in Japan while it is still Dec 31 in UTC
    ['2026-03-31T15:00:00.000Z', '2026-Q2'],
    ['2026-06-30T14:59:59.999Z', '2026-Q2'],
    ['2026-06-30T15:00:00.000Z', '2026-Q3'],
  ] as const) {
    test(`${instant} is in ${quarter}`, () => {
      assert.equal(jstQuarterOf(new Date(instant)), quarter);
    });
  }

  test('a quarter runs from 00:00 JST on its first day to 00:00 JST on the next counting day', () => {
    const { start, end } = jstQuarterRange('2026-Q4');
    assert.equal(start.toISOString(), '2026-09-30T15:00:00.000Z');
    assert.equal(end.toISOString(), '2026-12-31T15:00:00.000Z');
    assert.deepEqual(quarterMonths('2026-Q4'), ['2026-10', '2026-11', '2026-12']);
    assert.deepEqual(quarterMonths('2027-Q1'), ['2027-01', '2027-02', '2027-03']);
  });

  test('months map to quarters and quarters step back over the year', () => {
    assert.deepEqual(['2026-01', '2026-03', '2026-04', '2026-09', '2026-10', '2026-12'].map(quarterOfMonth), [
      '2026-Q1', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4', '2026-Q4',
    ]);
    assert.equal(previousQuarter('2027-Q1'), '2026-Q4');
    assert.equal(previousQuarter('2026-Q3'), '2026-Q2');
  });

  test('malformed quarter keys are refused with the input named', () => {
    for (const bad of ['2026-Q0', '2026-Q5', '2026Q4', '26-Q1', '']) assert.equal(isQuarterKey(bad), false, bad);
    assert.throws(() => quarterMonths('2026-Q5'), /invalid quarter "2026-Q5"/);
  });
});

describe('quarterly penalty tiers', () => {
  // Limits are strict ("over 10 %"); warnAbove is the monthly 7 %.
  const cases: Array<[string, number, number, boolean, PenaltyTier]> = [
    ['no orders', 0, 0, false, 'ok'],
    ['exactly 7 %', 100, 7, false, 'ok'],
    ['7.1 %: Qoo10 warns', 1000, 71, false, 'warning'],
    ['exactly 10 %', 100, 10, false, 'warning'],
    ['11 %', 100, 11, false, 'mega_wari_barred'],
    ['exactly 15 %', 100, 15, false, 'mega_wari_barred'],
    ['16 %', 100, 16, false, 'listing_limited'],
    ['16 % after a quarter over 15 %', 100, 16, true, 'sales_blocked'],
    ['11 % after a quarter over 15 %', 100, 11, true, 'mega_wari_barred'],
    ['small shop: 9 orders, 4 cancels (44 %)', 9, 4, false, 'warning'],
    ['small shop: exactly 50 % (2 of 4 orders)', 4, 2, false, 'warning'],
    ['small shop: 9 orders, 5 cancels (56 %)', 9, 5, false, 'listing_limited'],
    ['small shop over 50 % after a quarter over 15 %', 9, 5, true, 'sales_blocked'],
    ['10 orders is no longer small: 2 cancels = 20 %', 10, 2, false, 'listing_limited'],
  ];
  for (const [label, orders, counted, previousOver, tier] of cases) {
    test(`${label} → ${tier}`, () => {
      assert.equal(quarterTier({ orders, countedCancels: counted }, previousOver, 0.07), tier);
    });
  }
});

function counts(orders: number, counted: number, excluded = 0, sellerFault = 0): PeriodCounts {
  return { orders, countedCancels: counted, excludedCancels: excluded, sellerFaultCancels: sellerFault };
}

function aQuarter(overrides: Partial<QuarterlyRateInput> = {}): QuarterlyRateInput {
  return {
    quarter: '2026-Q4',
    // 2026-11-15 12:00 JST: 45.5 of 92 days into the quarter.
    now: new Date('2026-11-15T03:00:00Z'),
    warnAbove: 0.07,
    current: counts(1000, 80, 30, 20),
    previous: counts(900, 50),
    beforePrevious: counts(800, 40),
    ...overrides,
  };
}

describe('computeQuarterlyRate', () => {
  test('gives the counted, excluded and orders beside the rate, with headroom before 10 % and 15 %', () => {
    const q = computeQuarterlyRate(aQuarter());
    assert.equal(q.period, '2026-Q4');
    assert.deepEqual([q.orders, q.countedCancels, q.excludedCancels], [1000, 80, 30]);
    assert.equal(q.rate, 0.08);
    assert.equal(q.sellerFaultRate, 0.02);
    assert.equal(q.headroom10, 20); // 100 allowed at 10 %, 80 used
    assert.equal(q.headroom15, 70);
    assert.equal(q.tier, 'warning');
    assert.equal(q.projectionBasis, 'pace');
    const elapsed = (q.elapsedFraction * 92 * 24 * HOUR) / HOUR;
    assert.ok(Math.abs(elapsed - 45.5 * 24) < 1e-6, `elapsed ${elapsed} h`);
    assert.equal(q.projectedOrders, Math.round(1000 / q.elapsedFraction));
    assert.deepEqual(q.previous, { period: '2026-Q3', orders: 900, countedCancels: 50, excludedCancels: 0, rate: 50 / 900, tier: 'ok' });
    assert.equal(q.twoQuartersRisk, false);
  });

  test('a previous quarter over 15 % is the two-in-a-row risk, and sets the tier in force now', () => {
    const q = computeQuarterlyRate(aQuarter({ previous: counts(100, 16), current: counts(100, 16) }));
    assert.equal(q.twoQuartersRisk, true);
    assert.equal(q.tier, 'sales_blocked');
    assert.equal(q.previous.tier, 'listing_limited');
    assert.equal(penaltyTierNow(q, { status: 'ok' }), 'listing_limited');
  });

  test('two quarters before over 15 % make the previous one sales_blocked', () => {
    const q = computeQuarterlyRate(aQuarter({ previous: counts(100, 20), beforePrevious: counts(100, 20) }));
    assert.equal(q.previous.tier, 'sales_blocked');
  });

  test('the projection at the pace so far keeps the rate and reports the tier it heads for', () => {
    // Half-way through the quarter at 9.5 %: orders and cancels scale alike, so the projection stays 9.5 %.
    const q = computeQuarterlyRate(aQuarter({ current: counts(200, 19) }));
    assert.equal(q.tier, 'warning');
    assert.equal(q.projectedTier, 'warning');
    assert.ok(Math.abs(q.projectedRate - 0.095) < 0.001);
  });

  test('on the first day of the quarter and after it ends the projection is the actuals', () => {
    const first = computeQuarterlyRate(aQuarter({ now: new Date('2026-09-30T20:00:00Z') }));
    assert.equal(first.projectionBasis, 'actual');
    const after = computeQuarterlyRate(aQuarter({ now: new Date('2027-01-05T00:00:00Z') }));
    assert.deepEqual([after.projectionBasis, after.elapsedFraction, after.projectedOrders], ['actual', 1, 1000]);
  });

  test('a small shop says so and is penalised only above 50 %', () => {
    const q = computeQuarterlyRate(aQuarter({ current: counts(8, 3) }));
    assert.equal(q.smallShop, true);
    assert.equal(q.tier, 'warning');
    assert.equal(q.headroom10, 0);
  });

  test('the tier now is raised to warning while the month is over 7 %', () => {
    const q = computeQuarterlyRate(aQuarter());
    assert.equal(penaltyTierNow(q, { status: 'over' }), 'warning');
    assert.equal(penaltyTierNow(q, { status: 'danger' }), 'ok');
  });
});

describe('the seller-fault rate and the definition of a month', () => {
  const month: MonthlyRateInput = {
    month: '2026-11',
    now: new Date('2026-11-15T15:00:00Z'),
    limit: 0.07,
    exclusionHours: 6,
    denominator: 'orders_paid',
    orders: 200,
    countedCancels: 10,
    excludedCancels: 4,
    byReason: { buyer: { counted: 6, excluded: 4 }, seller_fault: { counted: 3, excluded: 0 }, shipping_delay: { counted: 1, excluded: 0 } },
    byItem: [],
    pending: { total: 0, insideExclusionWindow: 0 },
    alertLevels: [0.05],
  };

  test('seller-fault cancels (stock-outs and late shipping) over orders, beside the rate', () => {
    const rate = computeMonthlyRate(month);
    assert.equal(rate.rate, 0.05);
    assert.equal(rate.sellerFaultCancels, 4);
    assert.equal(rate.sellerFaultRate, 0.02);
  });

  test('each definition is stated in the report', () => {
    assert.match(computeMonthlyRate(month).definition, /counted cancels completed in the month ÷ paid order lines placed in the month/);
    const cohort = computeMonthlyRate({ ...month, cohort: 'paid_cohort' });
    assert.equal(cohort.cohort, 'paid_cohort');
    assert.match(cohort.definition, /orders paid in the period and cancelled within it ÷ orders paid in the period/);
  });
});

describe('which cancels fall in a period, per definition', () => {
  const completed: RateDefinition = { cohort: 'completed_in_period', denominator: 'orders_placed', cancelMonthBasis: 'cancel_time', countingUnit: 'order_line' };
  const byOrder: RateDefinition = { ...completed, cancelMonthBasis: 'order_time' };
  const paid: RateDefinition = { ...completed, cohort: 'paid_cohort' };
  const november = new Set(['2026-11']);
  const q4 = new Set(['2026-10', '2026-11', '2026-12']);
  const cases: Array<[string, { cancelMonth: string; orderMonth: string; paidMonth: string | null }, RateDefinition, Set<string>, boolean]> = [
    ['October order cancelled in November, by completion', { cancelMonth: '2026-11', orderMonth: '2026-10', paidMonth: '2026-10' }, completed, november, true],
    ['the same by order month', { cancelMonth: '2026-11', orderMonth: '2026-10', paidMonth: '2026-10' }, byOrder, november, false],
    ['the same in the paid cohort of November', { cancelMonth: '2026-11', orderMonth: '2026-10', paidMonth: '2026-10' }, paid, november, false],
    ['the same in the paid cohort of Q4 (paid and cancelled within the quarter)', { cancelMonth: '2026-11', orderMonth: '2026-10', paidMonth: '2026-10' }, paid, q4, true],
    ['paid in November, cancelled in November', { cancelMonth: '2026-11', orderMonth: '2026-11', paidMonth: '2026-11' }, paid, november, true],
    ['never paid: outside every paid cohort', { cancelMonth: '2026-11', orderMonth: '2026-11', paidMonth: null }, paid, november, false],
    ['paid in September, cancelled in October: not in Q4 cohort', { cancelMonth: '2026-10', orderMonth: '2026-09', paidMonth: '2026-09' }, paid, q4, false],
  ];
  for (const [label, cancel, definition, months, expected] of cases) {
    test(`${label}: ${expected ? 'in' : 'out'}`, () => {
      assert.equal(cancelInPeriod(cancel, months, definition), expected);
    });
  }
});

describe('the alert denominator on a period’s first day', () => {
  const november = new Date('2026-10-31T15:00:00Z');
  const cases: Array<[string, number, number, number, number]> = [
    // label, hours into the period, orders, previous period's orders, expected
    ['00:30 on the 1st: one average October day (3100 / 31)', 0.5, 3, 3100, 100],
    ['23:59 on the 1st, more orders than an average day: the orders', 23.9, 140, 3100, 140],
    ['from the 2nd: the orders themselves', 24, 3, 3100, 3],
    ['a new shop without a previous month: its own orders', 0.5, 3, 0, 3],
  ];
  for (const [label, hours, orders, previous, expected] of cases) {
    test(label, () => {
      assert.equal(
        alertDenominator({ orders, periodStart: november, now: new Date(november.getTime() + hours * HOUR), previousPeriodOrders: previous, previousPeriodDays: 31 }),
        expected,
      );
    });
  }
});

describe('booking one cancel from two reports', () => {
  const ours: CancelReport = { cancelledAt: new Date('2026-11-30T14:59:58.700Z'), timeSource: 'sent', cause: 'seller_fault', causeSource: 'decision' };
  const qoo10: CancelReport = { cancelledAt: new Date('2026-11-30T15:00:01.000Z'), timeSource: 'qoo10', cause: 'buyer', causeSource: 'qoo10' };
  const expected: CancelReport = { cancelledAt: qoo10.cancelledAt, timeSource: 'qoo10', cause: 'seller_fault', causeSource: 'decision' };

  test('Qoo10’s completion time and our decided cause, whichever report came first', () => {
    assert.deepEqual(mergeCancelReports(mergeCancelReports(null, ours), qoo10), expected);
    assert.deepEqual(mergeCancelReports(mergeCancelReports(null, qoo10), ours), expected);
  });

  test('a report of equal authority does not move the booking', () => {
    const later = { ...qoo10, cancelledAt: new Date('2026-12-02T00:00:00Z'), cause: 'shipping_delay' as const };
    assert.deepEqual(mergeCancelReports(qoo10, later), qoo10);
    const resent = { ...ours, cancelledAt: new Date('2026-11-30T15:30:00Z') };
    assert.deepEqual(mergeCancelReports(ours, resent), ours);
  });

  test('the booked time decides the month and the 6-hour rule at the boundary', () => {
    const order = { orderedAt: new Date('2026-11-30T09:00:00Z'), paidAt: new Date('2026-11-30T09:01:00Z') };
    assert.deepEqual(classifyBooking(order, ours.cancelledAt, 6), { counted: false, cancelMonth: '2026-11', orderMonth: '2026-11', paidMonth: '2026-11' });
    assert.deepEqual(classifyBooking(order, qoo10.cancelledAt, 6), { counted: true, cancelMonth: '2026-12', orderMonth: '2026-11', paidMonth: '2026-11' });
    assert.equal(classifyBooking({ ...order, paidAt: null }, qoo10.cancelledAt, 6).paidMonth, null);
  });

  for (const [reason, cause] of [
    ['在庫なし', 'seller_fault'],
    ['配送不可地域', 'seller_fault'],
    ['配送遅延', 'shipping_delay'],
    ['注文変更', 'buyer'],
    ['気が変わりました', 'buyer'],
    [null, 'buyer'],
  ] as const) {
    test(`a cancel we did not send, reason ${String(reason)}: ${cause}`, () => {
      assert.equal(causeFromQoo10Reason(reason), cause);
    });
  }
});
