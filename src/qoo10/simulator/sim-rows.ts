// How the simulator writes rows, deliberately in the varied shapes the contract warns about: status labels
// with the code in parentheses, numbers as strings here and numbers there, JST dates without offset,
// empty strings for missing dates, order numbers as strings.
import { formatJstDate, formatJstDateTime } from '../qoo10-dates';
import type { SimClaim, SimOrder } from './sim-state';

export const SHIPPING_STATUS_LABELS: Readonly<Record<number, string>> = {
  1: 'Waiting for payment(1)',
  2: 'On request(2)',
  3: 'Seller confirm(3)',
  4: 'On delivery(4)',
  5: 'Delivered(5)',
};

export const CLAIM_STATUS_LABELS: Readonly<Record<number, string>> = {
  1: 'Cancel requested(1)',
  2: 'Cancelling(2)',
  3: 'Cancel completed(3)',
  4: 'Return requested(4)',
  5: 'Returning(5)',
  6: 'Return completed(6)',
};

const when = (d: Date | null): string => (d ? formatJstDateTime(d) : '');

const totalOf = (o: SimOrder): number => o.unitPriceYen * o.quantity;

/** GetClaimInfo_V3 row (camelCase; claimStatus as a label). */
export function claimRow(claim: SimClaim, order: SimOrder): Record<string, unknown> {
  return {
    orderNo: order.orderNo,
    packNo: order.packNo,
    claimStatus: CLAIM_STATUS_LABELS[claim.claimStatus] ?? String(claim.claimStatus),
    reason: claim.reason ?? '',
    requestDate: when(claim.requestedAt),
    cancelRefundDate: when(claim.completedAt),
    orderDate: when(order.orderedAt),
    PaymentDate: when(order.paidAt),
    shippingDate: when(order.shippedAt),
    itemCode: order.itemNo,
    sellerItemCode: order.sellerItemCode ?? '',
    itemTitle: order.itemTitle,
    orderQty: order.quantity,
    paymentAmount: String(totalOf(order)),
    currency: 'JPY',
    deliveryCompany: order.carrier ?? '',
    trackingNo: order.trackingNo ?? '',
    buyer: order.buyerName ?? '',
  };
}

/** GetShippingInfo_v3 row (PascalCase; ShippingStatus as a label). */
export function shippingRow(order: SimOrder): Record<string, unknown> {
  return {
    OrderNo: order.orderNo,
    PackNo: order.packNo,
    RelatedOrder: '',
    OrderDate: when(order.orderedAt),
    PaymentDate: when(order.paidAt),
    EstimatedShippingDate: order.estimatedShipDate ? formatJstDate(order.estimatedShipDate) : '',
    ShippingDate: when(order.shippedAt),
    DeliveredDate: when(order.deliveredAt),
    ShippingStatus: SHIPPING_STATUS_LABELS[order.shippingStatus],
    ItemNo: order.itemNo,
    SellerItemCode: order.sellerItemCode ?? '',
    ItemTitle: order.itemTitle,
    Option: order.option ?? '',
    OrderQty: String(order.quantity),
    OrderPrice: order.unitPriceYen,
    Total: String(totalOf(order)),
    PaymentMethod: order.paymentMethod,
    DeliveryCompany: order.carrier ?? '',
    TrackingNo: order.trackingNo ?? '',
    Buyer: order.buyerName ?? '',
    BuyerEmail: order.buyerEmail ?? '',
  };
}

/** GetShippingAndClaimInfoByOrderNo_V2 row (camelCase; bare codes; claim fields empty without a claim). */
export function snapshotRow(order: SimOrder, claim: SimClaim | undefined): Record<string, unknown> {
  return {
    orderNo: order.orderNo,
    packNo: order.packNo,
    shippingStatus: String(order.shippingStatus),
    orderDate: when(order.orderedAt),
    shippingDate: when(order.shippedAt),
    deliveryCompany: order.carrier ?? '',
    trackingNo: order.trackingNo ?? '',
    claimStatus: claim ? String(claim.claimStatus) : '',
    reason: claim?.reason ?? '',
    requestDate: claim ? when(claim.requestedAt) : '',
  };
}

/** Qoo10 answers with null for no rows, one object for one row and an array for more (all seen live). */
export function rowsResult(rows: Record<string, unknown>[]): unknown {
  if (rows.length === 0) return null;
  return rows.length === 1 ? rows[0] : rows;
}
