// The fresh read of an order right before acting (GetShippingAndClaimInfoByOrderNo_V2) laid over what
// the service stored: the pipeline decides again on the result when anything changed. Pure.

import { ClaimStatus, type Claim, type Order, type OrderSnapshot } from './types';
import { present } from './decide-rules';

/** Claim status given to a request when a fresh read shows no claim on the order at all. */
export const NO_CLAIM = 0;

/** The order with a fresh read's fields laid over it; a snapshot field wins when it is not null or blank. */
export function applySnapshot(order: Order, snap: OrderSnapshot): Order {
  return {
    ...order,
    orderNo: present(snap.orderNo) ? snap.orderNo : order.orderNo,
    packNo: present(snap.packNo) ? snap.packNo : order.packNo,
    orderedAt: snap.orderedAt ?? order.orderedAt,
    shippingStatus: snap.shippingStatus ?? order.shippingStatus,
    shippedAt: snap.shippedAt ?? order.shippedAt,
    carrier: present(snap.carrier) ? snap.carrier : order.carrier,
    trackingNo: present(snap.trackingNo) ? snap.trackingNo : order.trackingNo,
  };
}

/**
 * The request with the fresh read's claim fields. Unlike order fields, a null claim status here
 * means the order carries no claim any more (withdrawn): it becomes NO_CLAIM, which is not pending.
 * The snapshot's tracking goes into the order (applySnapshot), not here.
 */
export function applySnapshotToClaim(request: Claim, snap: OrderSnapshot): Claim {
  return {
    ...request,
    claimStatus: snap.claimStatus ?? NO_CLAIM,
    reason: snap.claimReason ?? request.reason,
    requestedAt: snap.claimRequestedAt ?? request.requestedAt,
  };
}

/** The fresh read still shows a pending cancel request (ClaimStat 1). */
export function isStillPendingRequest(snap: OrderSnapshot): boolean {
  return snap.claimStatus === ClaimStatus.CancelRequested;
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  return a === b || (a !== null && b !== null && a.getTime() === b.getTime());
}

/**
 * Whether the fresh read differs from what the decision was made on: the request is no longer
 * pending, or any order field the snapshot carries (shipping status, shipping date, carrier,
 * tracking, numbers, order date) would change. When false, deciding again gives the same decision.
 */
export function orderChanged(before: Order, snap: OrderSnapshot): boolean {
  if (!isStillPendingRequest(snap)) return true;
  const after = applySnapshot(before, snap);
  return !(
    after.orderNo === before.orderNo &&
    after.packNo === before.packNo &&
    after.shippingStatus === before.shippingStatus &&
    after.carrier === before.carrier &&
    after.trackingNo === before.trackingNo &&
    sameInstant(after.orderedAt, before.orderedAt) &&
    sameInstant(after.shippedAt, before.shippedAt)
  );
}

/**
 * An order built from a cancel request's row alone: the claim gives the item, quantity, amount and whatever
 * shipping it names. Null without an order date (the rate could not place it in a month).
 */
export function orderFromClaim(claim: Claim): Order | null {
  if (!claim.orderedAt) return null;
  return {
    orderNo: claim.orderNo,
    packNo: present(claim.packNo) ? claim.packNo : claim.orderNo,
    orderedAt: claim.orderedAt,
    paidAt: null,
    shippingDeadline: null,
    shippedAt: null,
    deliveredAt: null,
    shippingStatus: null,
    itemNo: claim.itemNo,
    sellerItemCode: claim.sellerItemCode,
    itemTitle: claim.itemTitle,
    itemOption: null,
    quantity: claim.quantity,
    unitPriceYen: claim.quantity > 0 ? Math.round(claim.paymentAmountYen / claim.quantity) : claim.paymentAmountYen,
    totalYen: claim.paymentAmountYen,
    paymentMethod: null,
    carrier: claim.carrier,
    trackingNo: claim.trackingNo,
    buyerName: null,
    buyerEmail: null,
  };
}

/**
 * An order the service never listed (ordered before its first poll's window, or dropped from Qoo10's
 * list), built from the cancel request's row and a fresh read by order number: the claim row gives the
 * item, quantity and amount, the fresh read the shipping state. Null when neither gives an order date.
 */
export function orderFromClaimAndSnapshot(claim: Claim, snap: OrderSnapshot): Order | null {
  const base = orderFromClaim({ ...claim, orderedAt: snap.orderedAt ?? claim.orderedAt });
  if (!base) return null;
  return {
    ...base,
    packNo: present(snap.packNo) ? snap.packNo : base.packNo,
    shippedAt: snap.shippedAt,
    shippingStatus: snap.shippingStatus,
    carrier: present(snap.carrier) ? snap.carrier : claim.carrier,
    trackingNo: present(snap.trackingNo) ? snap.trackingNo : claim.trackingNo,
  };
}
