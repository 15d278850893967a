// Builds one scenario shop from plausible orders and claims: shared by the generator and the demo.
// Works on Dates and turns them into scenario text (JST, Qoo10's format) only in build().
import { CANCEL_REASON_LABELS, DEFAULT_CANCEL_REASONS, type CancelCause } from '../decision-mapping';
import { DAY_MS, formatJstDate, formatJstDateTime, jstDayStart } from '../qoo10-dates';
import { pick, pickWeighted, randomInt, type Random } from './prng';
import {
  BUYER_CANCEL_REASONS,
  DEFERRED_PAYMENT_METHODS,
  PAYMENT_METHODS,
  SAMPLE_ITEMS,
  sampleBuyer,
  sampleQuantity,
  sampleTracking,
  type SampleItem,
} from './sample-data';
import type { ScenarioShop } from './scenario';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

export interface DraftOrder {
  orderNo: string;
  packNo: string;
  orderedAt: Date;
  paidAt: Date | null;
  estimatedShipDate: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  shippingStatus: 1 | 2 | 3 | 4 | 5;
  item: SampleItem;
  option: string | null;
  quantity: number;
  paymentMethod: string;
  carrier: string | null;
  trackingNo: string | null;
  buyerName: string;
  buyerEmail: string;
  cancelled: boolean;
}

export interface DraftClaim {
  orderNo: string;
  claimStatus: number;
  reason: string;
  requestedAt: Date;
  completedAt: Date | null;
  cancelReason: string | null;
}

export interface ShopIdentity {
  name: string;
  sellerAuthKey: string;
  credentials: { apiKey: string; userId: string; password: string };
}

export class ShopBuilder {
  readonly orders: DraftOrder[] = [];
  readonly claims: DraftClaim[] = [];
  readonly stock = new Map<string, number>();
  readonly knownTracking: Array<{ orderNo: string; carrier: string; trackingNo: string }> = [];
  readonly packedOrderNos: string[] = [];
  madeToOrderCodes: string[] = [];
  private lastOrderNo: number;
  private lastPackNo: number;

  constructor(
    private readonly random: Random,
    private readonly identity: ShopIdentity,
    firstOrderNo: number,
  ) {
    this.lastOrderNo = firstOrderNo;
    this.lastPackNo = 700_000_000 + (firstOrderNo % 100_000_000);
  }

  /** A paid order (2) of one line, or the next line of `cart` (same cart, time, buyer and payment). */
  newOrder(orderedAt: Date, options: { item?: SampleItem; cart?: DraftOrder } = {}): DraftOrder {
    const r = this.random;
    // Qoo10 order numbers are global: other shops' orders fall in between.
    this.lastOrderNo += options.cart ? 1 : randomInt(r, 1, 40);
    if (!options.cart) this.lastPackNo += randomInt(r, 1, 30);
    const item = options.item ?? pick(r, SAMPLE_ITEMS);
    const buyer = options.cart ?? sampleBuyer(r);
    const order: DraftOrder = {
      orderNo: String(this.lastOrderNo),
      packNo: options.cart?.packNo ?? String(this.lastPackNo),
      orderedAt: options.cart?.orderedAt ?? orderedAt,
      paidAt: orderedAt,
      estimatedShipDate: null,
      shippedAt: null,
      deliveredAt: null,
      shippingStatus: 2,
      item,
      option: item.options.length > 0 ? pick(r, item.options) : null,
      quantity: sampleQuantity(r),
      paymentMethod: options.cart?.paymentMethod ?? pickWeighted(r, PAYMENT_METHODS),
      carrier: null,
      trackingNo: null,
      buyerName: buyer.buyerName,
      buyerEmail: buyer.buyerEmail,
      cancelled: false,
    };
    this.orders.push(order);
    return order;
  }

  /**
   * Moves an order along its life up to `now`: payment (deferred methods take hours), confirmation with a
   * ship date 0–2 days later, shipping with tracking, delivery.
   */
  live(order: DraftOrder, now: Date): void {
    const r = this.random;
    const deferred = DEFERRED_PAYMENT_METHODS.includes(order.paymentMethod);
    const paidAt = new Date(order.orderedAt.getTime() + (deferred ? randomInt(r, 30, 1200) : randomInt(r, 0, 3)) * MINUTE_MS);
    if (paidAt > now) {
      order.paidAt = null;
      order.shippingStatus = 1;
      return;
    }
    order.paidAt = paidAt;
    const confirmedAt = new Date(paidAt.getTime() + randomInt(r, 30, 720) * MINUTE_MS);
    if (confirmedAt > now) return;
    this.confirm(order, new Date(jstDayStart(confirmedAt).getTime() + randomInt(r, 0, 2) * DAY_MS));
    const shippedAt = new Date(confirmedAt.getTime() + randomInt(r, 2, 30) * HOUR_MS);
    if (shippedAt > now) return;
    const tracking = sampleTracking(r);
    Object.assign(order, { shippingStatus: 4, shippedAt, ...tracking });
    const deliveredAt = new Date(shippedAt.getTime() + randomInt(r, 18, 60) * HOUR_MS);
    if (deliveredAt <= now) Object.assign(order, { shippingStatus: 5, deliveredAt });
  }

  /** Seller confirmed, ship date set (3). */
  confirm(order: DraftOrder, shipDay: Date): void {
    order.shippingStatus = 3;
    order.estimatedShipDate = jstDayStart(shipDay);
  }

  /**
   * A completed cancel. Buyer cancels inside the first hours on an unconfirmed order are instant (no
   * request); others were requested and accepted by the seller; seller faults are the seller's cancels.
   */
  cancel(order: DraftOrder, completedAt: Date, cause: CancelCause): void {
    const r = this.random;
    order.cancelled = true;
    Object.assign(order, { shippedAt: null, deliveredAt: null, carrier: null, trackingNo: null });
    if (order.paidAt === null || order.paidAt > completedAt) order.paidAt = order.orderedAt;
    const instant = cause === 'buyer' && r() < 0.6;
    if (instant) {
      order.shippingStatus = 2;
      order.estimatedShipDate = null;
      this.claims.push({ orderNo: order.orderNo, claimStatus: 3, reason: pick(r, BUYER_CANCEL_REASONS), requestedAt: completedAt, completedAt, cancelReason: null });
      return;
    }
    if (order.shippingStatus !== 3) this.confirm(order, new Date(order.orderedAt.getTime() + DAY_MS));
    const code = DEFAULT_CANCEL_REASONS[cause];
    const sinceOrder = completedAt.getTime() - order.orderedAt.getTime();
    const requestedAt =
      cause === 'buyer'
        ? new Date(completedAt.getTime() - Math.floor(sinceOrder * (0.1 + 0.5 * r())))
        : completedAt;
    this.claims.push({
      orderNo: order.orderNo,
      claimStatus: 3,
      reason: cause === 'buyer' ? pick(r, BUYER_CANCEL_REASONS) : CANCEL_REASON_LABELS[code],
      requestedAt,
      completedAt,
      cancelReason: code,
    });
  }

  /** An open cancel request (1) on a confirmed order. */
  requestCancel(order: DraftOrder, requestedAt: Date, reason = pick(this.random, BUYER_CANCEL_REASONS)): void {
    if (order.shippingStatus !== 3) throw new Error(`a cancel request needs a confirmed order (${order.orderNo})`);
    this.claims.push({ orderNo: order.orderNo, claimStatus: 1, reason, requestedAt, completedAt: null, cancelReason: null });
  }

  /** A return request (4) on a shipped order. */
  requestReturn(order: DraftOrder, requestedAt: Date): void {
    this.claims.push({ orderNo: order.orderNo, claimStatus: 4, reason: '商品イメージ違い', requestedAt, completedAt: null, cancelReason: null });
  }

  build(): ScenarioShop {
    const text = (d: Date | null) => (d ? formatJstDateTime(d) : null);
    return {
      sellerAuthKey: this.identity.sellerAuthKey,
      name: this.identity.name,
      credentials: this.identity.credentials,
      orders: this.orders.map((o) => ({
        orderNo: o.orderNo,
        packNo: o.packNo,
        orderedAt: formatJstDateTime(o.orderedAt),
        paidAt: text(o.paidAt),
        estimatedShipDate: o.estimatedShipDate ? formatJstDate(o.estimatedShipDate) : null,
        shippedAt: text(o.shippedAt),
        deliveredAt: text(o.deliveredAt),
        shippingStatus: o.shippingStatus,
        itemNo: o.item.itemNo,
        sellerItemCode: o.item.sellerItemCode,
        itemTitle: o.item.title,
        option: o.option,
        quantity: o.quantity,
        unitPriceYen: o.item.priceYen,
        paymentMethod: o.paymentMethod,
        carrier: o.carrier,
        trackingNo: o.trackingNo,
        buyerName: o.buyerName,
        buyerEmail: o.buyerEmail,
      })),
      claims: this.claims.map((c) => ({
        orderNo: c.orderNo,
        claimStatus: c.claimStatus,
        reason: c.reason,
        requestedAt: formatJstDateTime(c.requestedAt),
        completedAt: text(c.completedAt),
        cancelReason: c.cancelReason,
      })),
      local: {
        stock: [...this.stock].map(([sellerItemCode, available]) => ({ sellerItemCode, available })),
        knownTracking: this.knownTracking,
        packedOrderNos: this.packedOrderNos,
        madeToOrderSellerItemCodes: this.madeToOrderCodes,
      },
    };
  }
}
