import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, DEFAULT_POLICY, isSettled, type DecideOptions } from '../../src/domain/decide';
import { applySnapshot, applySnapshotToClaim, isStillPendingRequest, orderChanged } from '../../src/domain/order-snapshot';
import type { Claim, Decision, DecisionFacts, DecisionPolicy, Order } from '../../src/domain/types';
import {
  aCancelRequest,
  anOrder,
  aPolicy,
  aSnapshot,
  NOW,
  ORDERED_AT,
  SAGAWA,
  someFacts,
  TODAY_CUTOFF,
  YAMATO,
} from '../helpers/domain-builders';

interface Case {
  name: string;
  request?: Partial<Claim>;
  /** null: no order data held. */
  order?: Partial<Order> | null;
  facts?: Partial<DecisionFacts>;
  policy?: Partial<DecisionPolicy>;
  now?: Date;
  options?: DecideOptions;
  expect: Partial<Pick<Decision, 'kind' | 'code' | 'suggested' | 'sellerFaultCause' | 'tracking' | 'trackingDeadline'>>;
}

function run(c: Pick<Case, 'request' | 'order' | 'facts' | 'policy' | 'now' | 'options'>): Decision {
  return decide(
    aCancelRequest(c.request),
    c.order === null ? null : anOrder(c.order),
    someFacts(c.facts),
    aPolicy(c.policy),
    c.now ?? NOW,
    c.options,
  );
}

/** Every expected field is compared, including absent ones given as undefined. */
function assertDecision(actual: Decision, expected: Case['expect']): void {
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, actual[k as keyof Decision]]));
  assert.deepEqual(picked, expected, actual.reason);
}

const cases: Case[] = [
  {
    name: 'accepts an unshipped, in-stock order as the buyer’s reason',
    expect: { kind: 'accept', code: 'unshipped_in_stock', sellerFaultCause: undefined, tracking: undefined },
  },
  {
    name: 'reports a request Qoo10 already cancelled as settled',
    request: { claimStatus: 3 },
    expect: { kind: 'review', code: 'already_cancelled', suggested: undefined },
  },
  {
    name: 'reports a request in the middle of cancelling as settled',
    request: { claimStatus: 2 },
    expect: { kind: 'review', code: 'already_cancelled' },
  },
  {
    name: 'reports an unpaid-order cancel as settled',
    request: { claimStatus: 16 },
    expect: { kind: 'review', code: 'already_cancelled' },
  },
  {
    name: 'reports a request that turned into a return as not pending',
    request: { claimStatus: 4 },
    expect: { kind: 'review', code: 'request_not_pending' },
  },
  {
    name: 'sends a request without order data to a person',
    order: null,
    expect: { kind: 'review', code: 'order_missing', suggested: undefined },
  },
  {
    name: 'sends a request whose order number differs from the order data to a person',
    order: { orderNo: '1000000099' },
    expect: { kind: 'review', code: 'request_order_mismatch' },
  },
  {
    name: 'sends a request whose cart differs from the order data to a person',
    request: { packNo: '2000000099' },
    expect: { kind: 'review', code: 'request_order_mismatch' },
  },
  {
    name: 'sends a request whose item differs from the order data to a person',
    request: { itemNo: '900099' },
    expect: { kind: 'review', code: 'request_order_mismatch' },
  },
  {
    name: 'sends an order without a readable order date to a person',
    order: { orderedAt: new Date(Number.NaN) },
    expect: { kind: 'review', code: 'order_date_missing' },
  },
  {
    name: 'sends an order with quantity 0 to a person',
    order: { quantity: 0 },
    expect: { kind: 'review', code: 'order_data_invalid' },
  },
  {
    name: 'sends an order with an unreadable shipping deadline to a person',
    order: { shippingDeadline: new Date(Number.NaN) },
    expect: { kind: 'review', code: 'order_data_invalid' },
  },
  {
    name: 'sends a case to a person when the shop and Qoo10 disagree on the tracking number',
    order: { carrier: SAGAWA.carrier, trackingNo: SAGAWA.trackingNo },
    facts: { handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'review', code: 'tracking_conflict', suggested: 'refuse', tracking: undefined },
  },
  {
    name: 'treats the same tracking number written with hyphens as the same number',
    order: { carrier: YAMATO.carrier, trackingNo: '1234-5678-9013' },
    facts: { handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'refuse', code: 'shipped_with_tracking', tracking: YAMATO },
  },
  {
    name: 'suggests refusing an order Qoo10 shows in delivery, for a person to confirm',
    order: { shippingStatus: 4, carrier: YAMATO.carrier, trackingNo: YAMATO.trackingNo },
    expect: { kind: 'review', code: 'already_in_delivery', suggested: 'refuse', tracking: YAMATO },
  },
  {
    name: 'suggests refusing an order Qoo10 shows delivered',
    order: { shippingStatus: 5, carrier: YAMATO.carrier, trackingNo: YAMATO.trackingNo },
    expect: { kind: 'review', code: 'already_in_delivery', suggested: 'refuse' },
  },
  {
    name: 'flags an order in delivery with no tracking number anywhere as contradictory',
    order: { shippingStatus: 4 },
    expect: { kind: 'review', code: 'contradictory_state', suggested: 'refuse' },
  },
  {
    name: 'refuses a handed-over order’s cancel and submits the shop’s tracking by today’s cut-off',
    facts: { handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'refuse', code: 'shipped_with_tracking', tracking: YAMATO, trackingDeadline: TODAY_CUTOFF },
  },
  {
    name: 'refuses an order Qoo10 dates as shipped using the tracking on the Qoo10 order',
    order: { shippedAt: new Date('2026-11-10T01:00:00Z'), carrier: SAGAWA.carrier, trackingNo: SAGAWA.trackingNo },
    expect: { kind: 'refuse', code: 'shipped_with_tracking', tracking: SAGAWA, trackingDeadline: TODAY_CUTOFF },
  },
  {
    name: 'refuses a handed-over order using tracking from the claim row',
    request: { carrier: SAGAWA.carrier, trackingNo: SAGAWA.trackingNo },
    facts: { handedToCarrier: true },
    expect: { kind: 'refuse', code: 'shipped_with_tracking', tracking: SAGAWA },
  },
  {
    name: 'still sets today’s cut-off as the tracking deadline when it has already passed',
    now: new Date('2026-11-10T09:30:00Z'),
    facts: { handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'refuse', code: 'shipped_with_tracking', trackingDeadline: TODAY_CUTOFF },
  },
  {
    name: 'uses the JST day, not the UTC day, for the cut-off just after JST midnight',
    now: new Date('2026-11-10T15:30:00Z'),
    facts: { handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'refuse', trackingDeadline: new Date('2026-11-11T08:00:00Z') },
  },
  {
    name: 'uses the policy’s own cut-off time',
    policy: { sameDayCutoffJst: '15:30' },
    facts: { handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'refuse', trackingDeadline: new Date('2026-11-10T06:30:00Z') },
  },
  {
    name: 'never accepts a handed-over order without tracking: a person refuses and enters tracking today',
    facts: { handedToCarrier: true },
    expect: { kind: 'review', code: 'shipped_without_tracking', suggested: 'refuse', trackingDeadline: TODAY_CUTOFF },
  },
  {
    name: 'never accepts an order Qoo10 dates as shipped even without tracking',
    order: { shippedAt: new Date('2026-11-10T01:00:00Z') },
    expect: { kind: 'review', code: 'shipped_without_tracking', suggested: 'refuse' },
  },
  {
    name: 'asks for the carrier when a handed-over order’s tracking number has none',
    order: { trackingNo: YAMATO.trackingNo, carrier: null },
    facts: { handedToCarrier: true },
    expect: { kind: 'review', code: 'tracking_carrier_unknown', suggested: 'refuse', trackingDeadline: TODAY_CUTOFF },
  },
  {
    name: 'asks a person when a tracking number exists but nothing says the parcel left',
    order: { shippingStatus: 2 },
    facts: { tracking: YAMATO },
    expect: { kind: 'review', code: 'tracking_without_handover', suggested: 'refuse', tracking: YAMATO },
  },
  {
    name: 'asks a person when Qoo10’s shipping status is unknown',
    order: { shippingStatus: null },
    expect: { kind: 'review', code: 'shipping_status_unknown' },
  },
  {
    name: 'cancels an order past its shipping deadline as the shop’s fault (shipping delay)',
    order: { shippingDeadline: new Date('2026-11-08T15:00:00Z') },
    expect: { kind: 'seller-fault', code: 'past_shipping_deadline', sellerFaultCause: 'shipping_delay' },
  },
  {
    name: 'does not refuse a late packed order even when the policy refuses packed orders',
    order: { shippingDeadline: new Date('2026-11-08T15:00:00Z') },
    facts: { packed: true },
    policy: { packedOrders: 'refuse' },
    expect: { kind: 'seller-fault', code: 'past_shipping_deadline' },
  },
  {
    name: 'does not refuse a late made-to-order item',
    order: { shippingDeadline: new Date('2026-11-08T15:00:00Z') },
    facts: { madeToOrder: true },
    expect: { kind: 'seller-fault', code: 'past_shipping_deadline' },
  },
  {
    name: 'treats the whole JST deadline day as on time',
    order: { shippingDeadline: new Date('2026-11-09T15:00:00Z') },
    now: new Date('2026-11-10T14:59:59.999Z'),
    expect: { kind: 'accept', code: 'unshipped_in_stock' },
  },
  {
    name: 'treats the first instant after the JST deadline day as late',
    order: { shippingDeadline: new Date('2026-11-09T15:00:00Z') },
    now: new Date('2026-11-10T15:00:00Z'),
    expect: { kind: 'seller-fault', code: 'past_shipping_deadline' },
  },
  {
    name: 'accepts an order without a known shipping deadline as not late',
    order: { shippingDeadline: null },
    expect: { kind: 'accept', code: 'unshipped_in_stock' },
  },
  {
    name: 'cancels as the shop’s fault with the cause the shop declared',
    facts: { shopFault: 'defect' },
    expect: { kind: 'seller-fault', code: 'shop_fault', sellerFaultCause: 'defect' },
  },
  {
    name: 'refuses rather than cancels a shipped order even when the shop declared a fault',
    facts: { shopFault: 'defect', handedToCarrier: true, tracking: YAMATO },
    expect: { kind: 'refuse', code: 'shipped_with_tracking' },
  },
  {
    name: 'asks a person when the shop has no stock figure',
    facts: { stockAvailable: null },
    expect: { kind: 'review', code: 'stock_unknown', suggested: undefined },
  },
  {
    name: 'cancels as out of stock when stock is below the ordered quantity',
    order: { quantity: 3 },
    facts: { stockAvailable: 2 },
    expect: { kind: 'seller-fault', code: 'out_of_stock', sellerFaultCause: 'out_of_stock' },
  },
  {
    name: 'cancels as out of stock at zero stock',
    facts: { stockAvailable: 0 },
    expect: { kind: 'seller-fault', code: 'out_of_stock' },
  },
  {
    name: 'cancels as out of stock when the stock record is oversold',
    facts: { stockAvailable: -2 },
    expect: { kind: 'seller-fault', code: 'out_of_stock' },
  },
  {
    name: 'accepts when stock exactly covers the ordered quantity',
    order: { quantity: 3 },
    facts: { stockAvailable: 3 },
    expect: { kind: 'accept', code: 'unshipped_in_stock' },
  },
  {
    name: 'suggests refusing a made-to-order item for a person to refuse in QSM',
    facts: { madeToOrder: true, stockAvailable: null },
    expect: { kind: 'review', code: 'refuse_in_qsm', suggested: 'refuse', tracking: undefined },
  },
  {
    name: 'accepts a made-to-order item without looking at stock when the policy does not refuse them',
    facts: { madeToOrder: true, stockAvailable: null },
    policy: { refuseMadeToOrder: false },
    expect: { kind: 'accept', code: 'made_to_order_accepted' },
  },
  {
    name: 'accepts a packed order when the policy accepts packed orders',
    facts: { packed: true },
    policy: { packedOrders: 'accept' },
    expect: { kind: 'accept', code: 'packed_policy_accept' },
  },
  {
    name: 'suggests refusing a packed order for a person when the policy refuses packed orders',
    facts: { packed: true },
    policy: { packedOrders: 'refuse' },
    expect: { kind: 'review', code: 'refuse_in_qsm', suggested: 'refuse' },
  },
  {
    name: 'leaves a packed order to a person when the policy says review',
    facts: { packed: true },
    policy: { packedOrders: 'review' },
    expect: { kind: 'review', code: 'packed_policy_review', suggested: undefined },
  },
  {
    name: 'does not call a packed order out of stock because its unit is already picked',
    facts: { packed: true, stockAvailable: 0 },
    policy: { packedOrders: 'accept' },
    expect: { kind: 'accept', code: 'packed_policy_accept' },
  },
  {
    name: 'asks to fix the configuration when the cut-off is not a clock time',
    policy: { sameDayCutoffJst: '5pm' },
    expect: { kind: 'review', code: 'invalid_policy' },
  },
  {
    name: 'asks a person when the clock is not a valid date',
    now: new Date(Number.NaN),
    expect: { kind: 'review', code: 'invalid_input' },
  },
];

describe('decide', () => {
  for (const c of cases) {
    test(c.name, () => {
      assertDecision(run(c), c.expect);
    });
  }

  test('records every rule checked, in order, for an accepted request', () => {
    assert.deepEqual(
      run({}).trail.map((s) => s.rule),
      [
        'request-pending',
        'inputs-valid',
        'order-present',
        'order-matches-request',
        'order-data-valid',
        'tracking-consistent',
        'qoo10-shipping-status',
        'shipped',
        'tracking-without-handover',
        'shipping-status-known',
        'shipping-deadline',
        'shop-fault',
        'made-to-order',
        'packed',
        'stock',
        'exclusion-window',
        'buyer-reason',
      ],
    );
  });

  test('ends the trail with the deciding rule, whose note is the reason', () => {
    for (const c of cases) {
      const decision = run(c);
      const last = decision.trail[decision.trail.length - 1];
      assert.equal(last.note, decision.reason, c.name);
    }
  });

  test('stops at the first rule for a settled request and marks it settled', () => {
    const decision = run({ request: { claimStatus: 3 } });
    assert.deepEqual(decision.trail.map((s) => s.rule), ['request-pending']);
    assert.equal(isSettled(decision), true);
    assert.equal(isSettled(run({})), false);
    assert.equal(isSettled(run({ facts: { stockAvailable: null } })), false);
  });

  const windowCases = [
    { name: 'inside the 6-hour window', orderedAt: new Date('2026-11-10T00:00:00Z'), options: {}, counts: false },
    { name: 'past the 6-hour window', orderedAt: ORDERED_AT, options: {}, counts: true },
    { name: 'exactly 6 hours after the order', orderedAt: new Date('2026-11-09T21:00:00Z'), options: {}, counts: true },
    { name: 'inside a configured 48-hour window', orderedAt: ORDERED_AT, options: { exclusionHours: 48 }, counts: false },
  ];
  for (const w of windowCases) {
    test(`notes whether accepting counts toward the rate: ${w.name}`, () => {
      const decision = run({ order: { orderedAt: w.orderedAt }, request: { orderedAt: w.orderedAt }, options: w.options });
      const step = decision.trail.find((s) => s.rule === 'exclusion-window');
      assert.ok(step, 'exclusion-window step missing');
      assert.equal(/counts toward the monthly rate/.test(step.note), w.counts, step.note);
      assert.equal(/does not count/.test(step.note), !w.counts, step.note);
    });
  }

  test('notes the window on seller-fault cancels too, since they raise the rate', () => {
    const decision = run({ facts: { stockAvailable: 0 } });
    assert.ok(decision.trail.some((s) => s.rule === 'exclusion-window'));
  });

  test('notes in the trail that a refusal after the cut-off is late', () => {
    const before = run({ facts: { handedToCarrier: true, tracking: YAMATO } });
    const after = run({ now: new Date('2026-11-10T09:30:00Z'), facts: { handedToCarrier: true, tracking: YAMATO } });
    const noteOf = (d: Decision) => d.trail.find((s) => s.rule === 'same-day-cutoff')?.note ?? '';
    assert.match(noteOf(before), /before today's cut-off, 2026-11-10 17:00 JST/);
    assert.match(noteOf(after), /already past today's cut-off \(2026-11-10 17:00 JST\)/);
  });

  test('uses the default policy: packed orders to review, made-to-order refused, 17:00 JST cut-off', () => {
    assert.deepEqual(DEFAULT_POLICY, { packedOrders: 'review', refuseMadeToOrder: true, sameDayCutoffJst: '17:00', stockMeaning: 'on_hand' });
  });
});

describe('re-checking the order just before acting', () => {
  test('lays the fresh read over the order: snapshot values win, nulls and blanks keep the order’s', () => {
    const order = anOrder({ carrier: 'ヤマト宅急便', trackingNo: null });
    const merged = applySnapshot(
      order,
      aSnapshot({ shippingStatus: 4, trackingNo: YAMATO.trackingNo, carrier: '  ', shippedAt: null, packNo: null }),
    );
    assert.equal(merged.shippingStatus, 4);
    assert.equal(merged.trackingNo, YAMATO.trackingNo);
    assert.equal(merged.carrier, 'ヤマト宅急便');
    assert.equal(merged.packNo, order.packNo);
    assert.equal(merged.shippedAt, null);
    assert.equal(merged.itemTitle, order.itemTitle);
  });

  const changeCases = [
    { name: 'nothing changed', snap: aSnapshot(), changed: false },
    { name: 'snapshot with unknown fields', snap: aSnapshot({ shippingStatus: null, orderedAt: null, packNo: null }), changed: false },
    { name: 'the order moved to in delivery', snap: aSnapshot({ shippingStatus: 4 }), changed: true },
    { name: 'a tracking number appeared', snap: aSnapshot({ trackingNo: YAMATO.trackingNo }), changed: true },
    { name: 'a shipping date appeared', snap: aSnapshot({ shippedAt: new Date('2026-11-10T02:59:00Z') }), changed: true },
    { name: 'the request was cancelled', snap: aSnapshot({ claimStatus: 3 }), changed: true },
    { name: 'the request disappeared', snap: aSnapshot({ claimStatus: null }), changed: true },
  ];
  for (const c of changeCases) {
    test(`sees whether the order changed: ${c.name}`, () => {
      assert.equal(orderChanged(anOrder(), c.snap), c.changed);
    });
  }

  const pendingCases = [
    { claimStatus: 1, pending: true },
    { claimStatus: 3, pending: false },
    { claimStatus: null, pending: false },
  ];
  for (const c of pendingCases) {
    test(`sees a request as still pending only at claim status 1 (status ${c.claimStatus})`, () => {
      assert.equal(isStillPendingRequest(aSnapshot({ claimStatus: c.claimStatus })), c.pending);
    });
  }

  test('refuses instead of accepting when the order ships between the poll and the action', () => {
    const request = aCancelRequest();
    const order = anOrder();
    const facts = someFacts();
    assert.equal(decide(request, order, facts, DEFAULT_POLICY, NOW).kind, 'accept');

    const snap = aSnapshot({ shippingStatus: 4, carrier: YAMATO.carrier, trackingNo: YAMATO.trackingNo });
    assert.equal(orderChanged(order, snap), true);
    const again = decide(applySnapshotToClaim(request, snap), applySnapshot(order, snap), facts, DEFAULT_POLICY, NOW);
    assert.equal(again.kind, 'review');
    assert.equal(again.code, 'already_in_delivery');
  });

  test('finds nothing to answer when the request vanished from the fresh read', () => {
    const request = applySnapshotToClaim(aCancelRequest(), aSnapshot({ claimStatus: null }));
    const decision = decide(request, anOrder(), someFacts(), DEFAULT_POLICY, NOW);
    assert.equal(decision.code, 'request_not_pending');
    assert.equal(isSettled(decision), true);
  });
});
