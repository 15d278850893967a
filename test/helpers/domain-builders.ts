// Builders for the domain's data, with one fixed clock. Every builder returns a valid, ordinary
// case (an unshipped, in-stock order with a pending buyer cancel request); tests override only
// the fields their case is about.

import type { Claim, DecisionFacts, DecisionPolicy, Order, OrderSnapshot, TrackingInfo } from '../../src/domain/types';

/** 2026-11-10 12:00 JST, a Tuesday: before the 17:00 JST cut-off. */
export const NOW = new Date('2026-11-10T03:00:00Z');

/** 2026-11-09 10:00 JST: 26 hours before NOW, past the 6-hour window. */
export const ORDERED_AT = new Date('2026-11-09T01:00:00Z');

/** 17:00 JST on NOW's day. */
export const TODAY_CUTOFF = new Date('2026-11-10T08:00:00Z');

/** A Yamato number with a valid check digit (11-digit base mod 7). */
export const YAMATO: TrackingInfo = { carrier: 'ヤマト宅急便', trackingNo: '123456789013' };

/** A Sagawa number with a valid check digit. */
export const SAGAWA: TrackingInfo = { carrier: '佐川急便', trackingNo: '400000000013' };

export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderNo: '1000000001',
    packNo: '2000000001',
    orderedAt: ORDERED_AT,
    paidAt: ORDERED_AT,
    // 発送期限 2026-11-12 (JST day start).
    shippingDeadline: new Date('2026-11-11T15:00:00Z'),
    shippedAt: null,
    deliveredAt: null,
    shippingStatus: 3,
    itemNo: '900001',
    sellerItemCode: 'MUG-BLUE',
    itemTitle: 'Blue mug',
    itemOption: null,
    quantity: 1,
    unitPriceYen: 2400,
    totalYen: 2400,
    paymentMethod: 'credit card',
    carrier: null,
    trackingNo: null,
    buyerName: 'Buyer',
    buyerEmail: 'buyer@example.test',
    ...overrides,
  };
}

export function aCancelRequest(overrides: Partial<Claim> = {}): Claim {
  return {
    orderNo: '1000000001',
    packNo: '2000000001',
    claimStatus: 1,
    reason: 'ordered by mistake',
    requestedAt: new Date('2026-11-10T02:30:00Z'),
    completedAt: null,
    orderedAt: ORDERED_AT,
    itemNo: '900001',
    sellerItemCode: 'MUG-BLUE',
    itemTitle: 'Blue mug',
    quantity: 1,
    paymentAmountYen: 2400,
    carrier: null,
    trackingNo: null,
    ...overrides,
  };
}

export function someFacts(overrides: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    stockAvailable: 5,
    madeToOrder: false,
    packed: false,
    handedToCarrier: false,
    tracking: null,
    shopFault: null,
    ...overrides,
  };
}

export function aPolicy(overrides: Partial<DecisionPolicy> = {}): DecisionPolicy {
  return { packedOrders: 'review', refuseMadeToOrder: true, sameDayCutoffJst: '17:00', stockMeaning: 'on_hand', ...overrides };
}

/** A fresh read that shows nothing new: same order, still preparing, request still pending. */
export function aSnapshot(overrides: Partial<OrderSnapshot> = {}): OrderSnapshot {
  return {
    orderNo: '1000000001',
    packNo: '2000000001',
    shippingStatus: 3,
    orderedAt: ORDERED_AT,
    shippedAt: null,
    carrier: null,
    trackingNo: null,
    claimStatus: 1,
    claimReason: 'ordered by mistake',
    claimRequestedAt: new Date('2026-11-10T02:30:00Z'),
    ...overrides,
  };
}
