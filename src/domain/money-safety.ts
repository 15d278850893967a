import { ShippingStatus, type DecisionFacts, type Order, type OrderSnapshot } from './types';

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
