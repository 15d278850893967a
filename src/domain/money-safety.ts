import { ShippingStatus, type DecisionFacts, type Order, type OrderSnapshot, type StockMeaning } from './types';

/**
 * The last check before any cancel call: has this order (possibly) left the shop? Any sign counts:
 * Qoo10's status says in delivery or delivered, a shipping date or a tracking number is on the
 * order, or the shop says it handed the parcel over. Approving a cancel then loses the item and the
 * money, so a single sign is enough to stop.
 */
export function hasShipped(order: Pick<Order, 'shippingStatus' | 'shippedAt' | 'trackingNo'>, facts?: Pick<DecisionFacts, 'handedToCarrier' | 'tracking'>): boolean {
  return (
    (order.shippingStatus !== null && order.shippingStatus >= ShippingStatus.InDelivery) ||
    order.shippedAt !== null ||
    (order.trackingNo !== null && order.trackingNo.trim() !== '') ||
    Boolean(facts?.handedToCarrier) ||
    Boolean(facts?.tracking)
  );
}

export function snapshotShowsShipped(snapshot: OrderSnapshot): boolean {
  return hasShipped(snapshot);
}

/** What the shop's own records say about a parcel, read right before a cancel (the shop may know before Qoo10). */
export interface ParcelSignals {
  /** The shop recorded the parcel as handed to the carrier (this line or another line of the cart). */
  handedToCarrier: boolean;
  /** The shop recorded the order as picked and packed. */
  packed: boolean;
  /** A tracking number is known for the order: imported from a label file, entered, submitted or confirmed. */
  trackingKnown: boolean;
  /** A tracking write to Qoo10 is queued or was sent for the order. */
  trackingQueued: boolean;
}

/**
 * Reasons, from the shop's own facts, why a cancel must not go out: any sign that the parcel may have left
 * (or is packed, unless the shop's policy is to accept cancels of packed orders). Empty = no local objection.
 * Qoo10 only learns of a shipment when the tracking number reaches it, so a queued cancel must also yield to
 * what the shop recorded after the decision was made.
 */
export function localReasonsNotToCancel(signals: ParcelSignals, packedPolicy: 'refuse' | 'accept' | 'review'): string[] {
  const reasons: string[] = [];
  if (signals.handedToCarrier) reasons.push('the shop recorded the parcel as handed to the carrier');
  if (signals.trackingKnown) reasons.push('the shop has a tracking number for this order');
  if (signals.trackingQueued) reasons.push('a tracking number for this order is queued or sent to Qoo10');
  if (signals.packed && packedPolicy !== 'accept') reasons.push('the shop recorded the order as packed');
  return reasons;
}

/**
 * Whether the shop's stock figure covers an order, under what the figure means (StockMeaning):
 * on hand → it must hold the order's quantity; available (this order already deducted) → it must not be negative.
 */
export function stockCovers(stock: number, quantity: number, meaning: StockMeaning): boolean {
  return meaning === 'available' ? stock >= 0 : stock >= quantity;
}
