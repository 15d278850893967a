import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cancelCauseOfDecision,
  cancelCauseOfSellerFault,
  classifyCancel,
  computeMonthlyRate,
  levelsCrossed,
  type ItemCancels,
  type MonthlyRateInput,
} from '../../src/domain/cancel-rate';
import { jstMonthOf } from '../../src/domain/jst-calendar';

const HOUR = 3_600_000;

/** Mid-November 2026 (a 30-day month): 2026-11-16 00:00 JST, exactly half-way. */
const MID_NOVEMBER = new Date('2026-11-15T15:00:00Z');

function aMonth(overrides: Partial<MonthlyRateInput> = {}): MonthlyRateInput {
  return {
    month: '2026-11',
    now: MID_NOVEMBER,
    limit: 0.07,
    exclusionHours: 6,
    denominator: 'orders_placed',
    orders: 100,
    countedCancels: 3,
    excludedCancels: 2,
    byReason: {
      buyer: { counted: 2, excluded: 2 },
      seller_fault: { counted: 1, excluded: 0 },
      shipping_delay: { counted: 0, excluded: 0 },
    },
    byItem: [],
    pending: { total: 0, insideExclusionWindow: 0 },
    alertLevels: [0.05, 0.06],
    ...overrides,
  };
}

describe('classifying a cancel against the 6-hour window', () => {
  const ordered = new Date('2026-11-10T03:00:00Z');
  const cases = [
    { name: 'cancelled at the moment of ordering', afterMs: 0, expected: 'excluded' },
    { name: 'one millisecond before 6 hours', afterMs: 6 * HOUR - 1, expected: 'excluded' },
    { name: 'exactly 6 hours', afterMs: 6 * HOUR, expected: 'counted' },
    { name: 'one millisecond after 6 hours', afterMs: 6 * HOUR + 1, expected: 'counted' },
    { name: 'a day later', afterMs: 24 * HOUR, expected: 'counted' },
    { name: 'dated before its order (bad data counts, never hides)', afterMs: -1, expected: 'counted' },
  ];
  for (const c of cases) {
    test(`${c.expected === 'counted' ? 'counts' : 'excludes'} a cancel ${c.name}`, () => {
      assert.equal(classifyCancel(ordered, new Date(ordered.getTime() + c.afterMs), 6), c.expected);
    });
  }

  test('counts every cancel when the window is configured as 0 hours', () => {
    assert.equal(classifyCancel(ordered, ordered, 0), 'counted');
  });

  test('counts a cancel with an unreadable date', () => {
    assert.equal(classifyCancel(ordered, new Date(Number.NaN), 6), 'counted');
  });

  test('puts an order at 23:30 JST on the last day in that month, and its 00:10 cancel inside the window', () => {
    const orderedAt = new Date('2026-10-31T14:30:00Z');
    const cancelledAt = new Date('2026-10-31T15:10:00Z');
    assert.equal(jstMonthOf(orderedAt), '2026-10');
    assert.equal(jstMonthOf(cancelledAt), '2026-11');
    assert.equal(classifyCancel(orderedAt, cancelledAt, 6), 'excluded');
    const october = computeMonthlyRate(aMonth({ month: '2026-10' }));
    assert.ok(october.monthStart <= orderedAt && orderedAt < october.monthEnd);
    assert.ok(!(october.monthStart <= cancelledAt && cancelledAt < october.monthEnd));
  });
});

describe('cancel causes', () => {
  const causeCases = [
    { cause: 'out_of_stock', expected: 'seller_fault' },
    { cause: 'defect', expected: 'seller_fault' },
    { cause: 'undeliverable_area', expected: 'seller_fault' },
    { cause: 'shipping_delay', expected: 'shipping_delay' },
  ] as const;
  for (const c of causeCases) {
    test(`books a ${c.cause} cancel as ${c.expected}`, () => {
      assert.equal(cancelCauseOfSellerFault(c.cause), c.expected);
    });
  }

  const decisionCases = [
    { name: 'an accepted request', decision: { kind: 'accept' }, expected: 'buyer' },
    { name: 'a stock-out', decision: { kind: 'seller-fault', sellerFaultCause: 'out_of_stock' }, expected: 'seller_fault' },
    { name: 'a late order', decision: { kind: 'seller-fault', sellerFaultCause: 'shipping_delay' }, expected: 'shipping_delay' },
    { name: 'a seller fault without a cause', decision: { kind: 'seller-fault' }, expected: 'seller_fault' },
    { name: 'a refusal', decision: { kind: 'refuse' }, expected: null },
    { name: 'a review', decision: { kind: 'review' }, expected: null },
  ] as const;
  for (const c of decisionCases) {
    test(`records ${c.name} as ${c.expected ?? 'no cancel'}`, () => {
      assert.equal(cancelCauseOfDecision(c.decision), c.expected);
    });
  }
});

describe('the monthly rate', () => {
  test('shows the counted numerator, excluded cancels and denominator beside the rate', () => {
    const r = computeMonthlyRate(aMonth());
    assert.deepEqual(
      { orders: r.orders, counted: r.countedCancels, excluded: r.excludedCancels, rate: r.rate, defined: r.rateDefined },
      { orders: 100, counted: 3, excluded: 2, rate: 0.03, defined: true },
    );
    assert.equal(r.monthStart.toISOString(), '2026-10-31T15:00:00.000Z');
    assert.equal(r.monthEnd.toISOString(), '2026-11-30T15:00:00.000Z');
  });

  test('has no defined rate and no headroom in a month without orders', () => {
    const r = computeMonthlyRate(aMonth({ orders: 0, countedCancels: 0, excludedCancels: 0 }));
    assert.deepEqual(
      { rate: r.rate, defined: r.rateDefined, headroom: r.headroom, status: r.status, crossed: r.levelsCrossed },
      { rate: 0, defined: false, headroom: 0, status: 'ok', crossed: [] },
    );
    assert.equal(r.projectedRate, 0);
  });

  test('watches, without alarming, a month with cancels booked but no orders yet', () => {
    const r = computeMonthlyRate(aMonth({ orders: 0, countedCancels: 1 }));
    assert.equal(r.rateDefined, false);
    assert.equal(r.status, 'watch');
  });

  test('stays at 0 % in a month with only excluded cancels', () => {
    const r = computeMonthlyRate(aMonth({ orders: 50, countedCancels: 0, excludedCancels: 4 }));
    assert.deepEqual(
      { rate: r.rate, excluded: r.excludedCancels, headroom: r.headroom, status: r.status },
      { rate: 0, excluded: 4, headroom: 3, status: 'ok' },
    );
  });

  const headroomCases = [
    { orders: 100, counted: 0, headroom: 7 },
    { orders: 100, counted: 6, headroom: 1 },
    { orders: 100, counted: 7, headroom: 0 },
    { orders: 100, counted: 9, headroom: 0 },
    { orders: 300, counted: 20, headroom: 1 },
    { orders: 14, counted: 0, headroom: 0 },
    { orders: 15, counted: 0, headroom: 1 },
    { orders: 1000, counted: 69, headroom: 1 },
  ];
  for (const c of headroomCases) {
    test(`leaves room for ${c.headroom} more counted cancels at ${c.counted} of ${c.orders} orders`, () => {
      assert.equal(computeMonthlyRate(aMonth({ orders: c.orders, countedCancels: c.counted })).headroom, c.headroom);
    });
  }

  test('headroom is exactly the number of cancels that keeps the rate at or under 7 %, for 1 to 5,000 orders', () => {
    for (let orders = 1; orders <= 5000; orders++) {
      const { headroom } = computeMonthlyRate(aMonth({ orders, countedCancels: 0 }));
      assert.ok(headroom / orders <= 0.07, `${headroom} of ${orders} is over 7 %`);
      assert.ok((headroom + 1) / orders > 0.07, `${headroom + 1} of ${orders} is still not over 7 %`);
    }
  });

  const statusCases = [
    { counted: 4, levels: [0.05, 0.06], status: 'ok', crossed: [] },
    { counted: 5, levels: [0.05, 0.06], status: 'watch', crossed: [0.05] },
    { counted: 6, levels: [0.06, 0.05], status: 'danger', crossed: [0.05, 0.06] },
    { counted: 7, levels: [0.05, 0.06], status: 'danger', crossed: [0.05, 0.06] },
    { counted: 8, levels: [0.05, 0.06], status: 'over', crossed: [0.05, 0.06] },
    { counted: 6, levels: [], status: 'ok', crossed: [] },
    { counted: 7, levels: [], status: 'danger', crossed: [] },
    { counted: 5, levels: [0.05], status: 'danger', crossed: [0.05] },
    { counted: 6, levels: [0.05, 0.08], status: 'danger', crossed: [0.05] },
  ];
  for (const c of statusCases) {
    test(`rates ${c.counted} counted of 100 orders as ${c.status} with levels [${c.levels.join(', ')}]`, () => {
      const r = computeMonthlyRate(aMonth({ countedCancels: c.counted, alertLevels: c.levels }));
      assert.equal(r.status, c.status);
      assert.deepEqual(r.levelsCrossed, c.crossed);
    });
  }

  const crossedCases = [
    { rate: 0.055, levels: [0.06, 0.05, 0.03], crossed: [0.03, 0.05] },
    { rate: 0.06, levels: [0.06, 0.06], crossed: [0.06] },
    { rate: 0.01, levels: [0.05], crossed: [] },
  ];
  for (const c of crossedCases) {
    test(`lists the levels a rate of ${c.rate} stands at or above`, () => {
      assert.deepEqual(levelsCrossed(c.rate, c.levels), c.crossed);
    });
  }

  test('projects the month-end figures at the current pace half-way through the month', () => {
    const r = computeMonthlyRate(aMonth({ orders: 200, countedCancels: 10 }));
    assert.deepEqual(
      {
        fraction: r.elapsedFraction,
        basis: r.projectionBasis,
        orders: r.projectedOrders,
        counted: r.projectedCountedCancels,
        rate: r.projectedRate,
        headroomNow: r.headroom,
        headroomAtMonthEnd: r.headroomAtMonthEnd,
      },
      { fraction: 0.5, basis: 'pace', orders: 400, counted: 20, rate: 0.05, headroomNow: 4, headroomAtMonthEnd: 18 },
    );
  });

  test('does not extrapolate from the first hours of a month', () => {
    const r = computeMonthlyRate(aMonth({ now: new Date('2026-10-31T17:00:00Z'), orders: 3, countedCancels: 0 }));
    assert.equal(r.projectionBasis, 'actual');
    assert.equal(r.projectedOrders, 3);
  });

  test('projects a finished month as its actual figures', () => {
    const r = computeMonthlyRate(aMonth({ now: new Date('2026-12-05T00:00:00Z'), orders: 420, countedCancels: 25 }));
    assert.deepEqual(
      {
        fraction: r.elapsedFraction,
        basis: r.projectionBasis,
        orders: r.projectedOrders,
        counted: r.projectedCountedCancels,
        rate: r.projectedRate,
      },
      { fraction: 1, basis: 'actual', orders: 420, counted: 25, rate: 25 / 420 },
    );
  });

  test('treats the JST month end as finished although the UTC month has not ended', () => {
    const r = computeMonthlyRate(aMonth({ now: new Date('2026-11-30T15:00:00Z') }));
    assert.equal(r.elapsedFraction, 1);
    assert.equal(r.projectionBasis, 'actual');
  });

  test('shows what accepting every pending request would do, free inside the 6-hour window', () => {
    const r = computeMonthlyRate(aMonth({ orders: 100, countedCancels: 5, pending: { total: 4, insideExclusionWindow: 1 } }));
    assert.equal(r.status, 'watch');
    assert.deepEqual(r.ifAllPendingAccepted, { addedCountedCancels: 3, countedCancels: 8, rate: 0.08, status: 'over', headroom: 0 });
  });

  test('adds nothing when every pending request is inside the window', () => {
    const r = computeMonthlyRate(aMonth({ pending: { total: 2, insideExclusionWindow: 2 } }));
    assert.equal(r.ifAllPendingAccepted.addedCountedCancels, 0);
    assert.equal(r.ifAllPendingAccepted.rate, r.rate);
  });

  test('lists the five items with the most counted cancels, seller-fault ones first on a tie', () => {
    const item = (itemKey: string, counted: number, sellerFault: number): ItemCancels => ({ itemKey, title: itemKey, counted, sellerFault });
    const byItem = [item('A', 1, 0), item('B', 5, 0), item('C', 3, 0), item('D', 3, 2), item('E', 2, 0), item('F', 4, 1), item('G', 0, 0)];
    const r = computeMonthlyRate(aMonth({ byItem }));
    assert.deepEqual(r.topItems.map((i) => i.itemKey), ['B', 'F', 'D', 'C', 'E']);
    assert.equal(byItem[0].itemKey, 'A', 'the input must not be reordered');
  });

  const definitionCases = [
    { denominator: 'orders_placed', basis: undefined, mentions: [/all order lines placed in the month/, /completed in the month/] },
    {
      denominator: 'orders_paid',
      basis: 'order_time',
      mentions: [/paid order lines placed in the month/, /of the month's orders, whenever completed/],
    },
  ] as const;
  for (const c of definitionCases) {
    test(`states the definition used with ${c.denominator}${c.basis ? ` and ${c.basis}` : ''}`, () => {
      const r = computeMonthlyRate(aMonth({ denominator: c.denominator, cancelMonthBasis: c.basis }));
      for (const pattern of c.mentions) assert.match(r.definition, pattern);
      assert.match(r.definition, /less than 6 hours after its order is excluded/);
      assert.match(r.definition, /JST, UTC\+9\) from 2026-11-01 00:00 until 2026-12-01 00:00 JST/);
      assert.match(r.definition, /above 7 %/);
      assert.equal(r.cancelMonthBasis, c.basis ?? 'cancel_time');
    });
  }

  test('rejects a malformed month', () => {
    assert.throws(() => computeMonthlyRate(aMonth({ month: '2026-11-01' })), /invalid month/);
  });
});
