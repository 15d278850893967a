import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide } from '../../src/domain/decide';
import { applySnapshot, applySnapshotToClaim, orderChanged } from '../../src/domain/order-snapshot';
import { jstDateOf } from '../../src/domain/jst-calendar';
import {
  DECISION_KINDS,
  type Claim,
  type Decision,
  type DecisionFacts,
  type DecisionPolicy,
  type Order,
  type OrderSnapshot,
  type ShippingStatusCode,
} from '../../src/domain/types';
import { aCancelRequest, anOrder, aSnapshot } from '../helpers/domain-builders';

const RUNS = 3000;

// Instants around the fixed test month, plus the odd unreadable date a mapper might produce.
const instant = fc.date({ min: new Date('2026-10-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true });
const maybeInvalidInstant = fc.oneof({ weight: 20, arbitrary: instant }, { weight: 1, arbitrary: fc.constant(new Date(Number.NaN)) });

/** null three times out of four: most orders have no shipping signs, so every path gets exercised. */
function mostlyNull<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

/** The ordinary value four times out of five, one of the odd ones otherwise. */
function usually<T>(common: T, ...odd: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(common) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
}

const orderNo = usually('1000000001', '1000000002');
const packNo = usually('2000000001', '2000000002', '');
const trackingNo = mostlyNull(fc.constantFrom('123456789013', '1234-5678-9013', '400000000013', 'EA123456789JP', '', '  '));
const carrier = fc.option(fc.constantFrom('ヤマト宅急便', '佐川急便', ''));
const status = usually<ShippingStatusCode | null>(3, null, 1, 2, 4, 5);

const order: fc.Arbitrary<Order> = fc
  .record({
    orderNo,
    packNo,
    orderedAt: maybeInvalidInstant,
    shippingDeadline: fc.option(maybeInvalidInstant),
    shippedAt: mostlyNull(instant),
    shippingStatus: status,
    quantity: usually(1, -1, 0, 2, 3),
    carrier,
    trackingNo,
  })
  .map((fields) => anOrder(fields));

const request: fc.Arbitrary<Claim> = fc
  .record({
    orderNo,
    packNo,
    claimStatus: usually(1, 0, 2, 3, 4, 16),
    carrier,
    trackingNo,
  })
  .map((fields) => aCancelRequest(fields));

const facts: fc.Arbitrary<DecisionFacts> = fc.record({
  stockAvailable: fc.option(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constant(Number.NaN))),
  madeToOrder: fc.boolean(),
  packed: fc.boolean(),
  handedToCarrier: usually(false, true),
  tracking: mostlyNull(
    fc.record({
      carrier: fc.constantFrom('ヤマト宅急便', '佐川急便', ''),
      trackingNo: fc.constantFrom('123456789013', '400000000013', ''),
    }),
  ),
  shopFault: mostlyNull(fc.constantFrom('out_of_stock' as const, 'undeliverable_area' as const, 'shipping_delay' as const, 'defect' as const)),
});

const policy: fc.Arbitrary<DecisionPolicy> = fc.record({
  packedOrders: fc.constantFrom('refuse' as const, 'accept' as const, 'review' as const),
  refuseMadeToOrder: fc.boolean(),
  sameDayCutoffJst: usually('17:00', '12:30', '00:00', '23:59', '24:00', ''),
  stockMeaning: fc.constantFrom('on_hand' as const, 'available' as const),
});

const snapshot: fc.Arbitrary<OrderSnapshot> = fc
  .record({
    orderNo,
    packNo: fc.option(packNo),
    shippingStatus: status,
    orderedAt: fc.option(instant),
    shippedAt: mostlyNull(instant),
    carrier,
    trackingNo,
    claimStatus: usually<number | null>(1, null, 2, 3, 4),
  })
  .map((fields) => aSnapshot(fields));

/** A snapshot in which the parcel has certainly left: in delivery, dated as shipped, or tracked. */
const shippedSnapshot: fc.Arbitrary<OrderSnapshot> = fc
  .oneof(
    fc.record({ shippingStatus: fc.constantFrom<ShippingStatusCode>(4, 5), trackingNo }),
    fc.record({ shippedAt: instant, trackingNo }),
    fc.record({ trackingNo: fc.constantFrom('123456789013', '400000000013'), carrier }),
  )
  .map((fields) => aSnapshot(fields));

/** A pending request on an order nobody has shipped, with no tracking anywhere: the cancelling paths. */
const unshipped = fc.record({
  request: fc.constant(aCancelRequest()),
  order: fc
    .record({
      shippingStatus: fc.constantFrom<ShippingStatusCode>(2, 3),
      shippingDeadline: fc.option(instant),
      orderedAt: instant,
    })
    .map((fields) => anOrder(fields)),
  facts: facts.map((f) => ({ ...f, handedToCarrier: false, tracking: null })),
});

function blank(s: string | null | undefined): boolean {
  return s === null || s === undefined || s.trim() === '';
}

/** Any sign at all that the parcel has left or is about to. */
function looksShipped(o: Order, f: DecisionFacts, r: Claim): boolean {
  return (
    (o.shippingStatus !== null && o.shippingStatus >= 4) ||
    o.shippedAt !== null ||
    f.handedToCarrier ||
    !blank(o.trackingNo) ||
    !blank(r.trackingNo) ||
    !blank(f.tracking?.trackingNo)
  );
}

function cancels(d: Decision): boolean {
  return d.kind === 'accept' || d.kind === 'seller-fault';
}

function assertWellFormed(d: Decision, now: Date): void {
  assert.ok((DECISION_KINDS as readonly string[]).includes(d.kind), `unknown kind ${d.kind}`);
  assert.match(d.code, /^[a-z]+(_[a-z]+)*$/);
  assert.ok(d.reason.length > 0);
  assert.ok(d.trail.length > 0);
  assert.equal(d.trail[d.trail.length - 1].note, d.reason);
  if (d.kind === 'refuse') {
    assert.ok(d.tracking && !blank(d.tracking.carrier) && !blank(d.tracking.trackingNo), 'refuse without tracking');
    assert.ok(d.trackingDeadline, 'refuse without a tracking deadline');
    assert.equal(jstDateOf(d.trackingDeadline), jstDateOf(now), 'deadline not on the JST day of now');
  }
  assert.equal(d.kind === 'seller-fault', d.sellerFaultCause !== undefined, 'cause present iff seller-fault');
  if (d.kind !== 'review') assert.equal(d.suggested, undefined);
}

describe('decide, over random orders, facts and policies', () => {
  test('always returns exactly one well-formed decision and never throws', () => {
    fc.assert(
      fc.property(request, fc.option(order, { freq: 10 }), facts, policy, maybeInvalidInstant, (r, o, f, p, now) => {
        const d = decide(r, o, f, p, now);
        if (!Number.isNaN(now.getTime())) assertWellFormed(d, now);
        else assert.equal(d.kind, 'review');
      }),
      { numRuns: RUNS },
    );
  });

  test('never cancels an order with any sign of shipping', () => {
    fc.assert(
      fc.property(request, order, facts, policy, instant, (r, o, f, p, now) => {
        const d = decide(r, o, f, p, now);
        if (looksShipped(o, f, r)) assert.equal(cancels(d), false, `${d.kind}/${d.code}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('reaches every decision kind often, so the properties above are not vacuous', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(request, order, facts, policy, instant, (r, o, f, p, now) => {
        const { kind } = decide(r, o, f, p, now);
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    for (const kind of DECISION_KINDS) {
      assert.ok((seen.get(kind) ?? 0) >= 10, `${kind} reached ${seen.get(kind) ?? 0} times in ${RUNS} runs`);
    }
  });
});

describe('decide, re-checked after a fresh read', () => {
  test('never cancels after a fresh read that shows any sign of shipping', () => {
    fc.assert(
      fc.property(request, order, facts, policy, instant, fc.oneof(snapshot, shippedSnapshot), (r, o, f, p, now, snap) => {
        decide(r, o, f, p, now);
        const r2 = applySnapshotToClaim(r, snap);
        const o2 = applySnapshot(o, snap);
        const again = decide(r2, o2, f, p, now);
        assertWellFormed(again, now);
        if (looksShipped(o2, f, r2)) assert.equal(cancels(again), false, `${again.kind}/${again.code}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('an order that shipped after a cancelling decision is no longer cancelled', () => {
    let exercised = 0;
    fc.assert(
      fc.property(unshipped, policy, instant, shippedSnapshot, ({ request: r, order: o, facts: f }, p, now, snap) => {
        const first = decide(r, o, f, p, now);
        fc.pre(cancels(first));
        exercised++;
        assert.equal(orderChanged(o, snap), true);
        const again = decide(applySnapshotToClaim(r, snap), applySnapshot(o, snap), f, p, now);
        assert.equal(cancels(again), false, `${again.kind}/${again.code}`);
      }),
      { numRuns: RUNS },
    );
    assert.ok(exercised > RUNS / 10, `only ${exercised} cancelling decisions were re-checked`);
  });

  test('sees no change in a fresh read that repeats or omits the order\'s fields, and decides the same', () => {
    const echo = fc.record({
      packNo: fc.boolean(),
      status: fc.boolean(),
      orderedAt: fc.boolean(),
      shippedAt: fc.boolean(),
      carrier: fc.boolean(),
      trackingNo: fc.boolean(),
    });
    fc.assert(
      fc.property(request, order, facts, policy, instant, echo, (r, o, f, p, now, e) => {
        const snap = aSnapshot({
          orderNo: o.orderNo,
          packNo: e.packNo ? o.packNo : null,
          shippingStatus: e.status ? o.shippingStatus : null,
          orderedAt: e.orderedAt ? o.orderedAt : null,
          shippedAt: e.shippedAt ? o.shippedAt : null,
          carrier: e.carrier ? o.carrier : null,
          trackingNo: e.trackingNo ? o.trackingNo : null,
          claimStatus: 1,
        });
        assert.equal(orderChanged(o, snap), false);
        const pending = { ...r, claimStatus: 1 };
        const again = decide(applySnapshotToClaim(pending, snap), applySnapshot(o, snap), f, p, now);
        assert.deepEqual(again, decide(pending, o, f, p, now));
      }),
      { numRuns: RUNS },
    );
  });
});
