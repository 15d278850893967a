// The simulator's per-shop world and how it moves: orders through ShippingStatus 1–5 and claims through
// ClaimStat 1–3, following the Qoo10 help pages (qoo10-api.md, "When cancel requests happen").
//
// Choices where Qoo10's behaviour is not documented (INF):
// - A buyer request on 1/2 cancels at once (ClaimStat 3); on 3 it is a request (ClaimStat 1) whatever the
//   shipping deadline; on 4/5 it becomes a return request (ClaimStat 4).
// - SetSendingInfo on an order with a pending request: per shop (qoo10-behaviour.ts). By default the request
//   stays ClaimStat 1 until the seller presses キャンセル拒否 in QSM (refuseInQsm); with
//   shipConfirmEndsRequest the claim gets `withdrawnAt` at once, no longer appears in GetClaimInfo_V3 and the
//   snapshot shows no claim.
// - A seller cancel of a requested order keeps the buyer's reason text (Qoo10 does not update the reason of
//   buyer-initiated cancels) unless the shop's acceptKeepsBuyerReason is off, and records the CancelReason
//   sent in `cancelReason`.
// - SetSendingInfo on 4 replaces the tracking; on 1, 5 or a cancelled order it is -10004.
import type { ShippingStatusCode } from '../../domain/types';
import { CANCEL_REASON_LABELS, type CancelReasonCode } from '../decision-mapping';
import { formatJstDateTime, jstDayStart } from '../qoo10-dates';
import { qoo10Behaviour, type Qoo10Behaviour } from './qoo10-behaviour';
import type { Scenario, ScenarioClaim, ScenarioOrder, ScenarioShop } from './scenario';
import { parseScenarioDate } from './scenario';

export interface SimOrder {
  orderNo: string;
  packNo: string;
  orderedAt: Date;
  paidAt: Date | null;
  /** 発送期限 as the JST day start. */
  estimatedShipDate: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  shippingStatus: ShippingStatusCode;
  itemNo: string;
  sellerItemCode: string | null;
  itemTitle: string;
  option: string | null;
  quantity: number;
  unitPriceYen: number;
  paymentMethod: string;
  carrier: string | null;
  trackingNo: string | null;
  buyerName: string | null;
  buyerEmail: string | null;
  /** Set when a cancel completed; the order then drops out of GetShippingInfo_v3. */
  cancelledAt: Date | null;
}

export interface SimClaim {
  orderNo: string;
  claimStatus: number;
  reason: string | null;
  requestedAt: Date;
  completedAt: Date | null;
  /** The CancelReason of a seller cancel ("" 在庫なし ...); null for cancels the buyer completed. */
  cancelReason: string | null;
  sellerMemo: string | null;
  /** Set when a pending request ended without a cancel (ship-confirm, QSM キャンセル拒否); invisible to the API. */
  withdrawnAt: Date | null;
  /** How it ended, when withdrawnAt is set. */
  endedBy?: 'ship_confirm' | 'qsm_refusal';
}

export interface SimShop {
  name: string;
  /** Keys that reach this shop; CreateCertificationKey can add one. */
  sellerAuthKey: string;
  credentials: ScenarioShop['credentials'] | null;
  keyExpired: boolean;
  orders: Map<string, SimOrder>;
  claims: SimClaim[];
  local: ScenarioShop['local'] | null;
  /** How Qoo10 behaves for this shop where that is not confirmed; tests may change it at any time. */
  behaviour: Qoo10Behaviour;
}

/** A Qoo10 refusal of an operation (becomes `{ResultCode: code, ResultMsg: message}`). */
export class SimRejection extends Error {
  constructor(
    readonly qoo10Code: number,
    message: string,
  ) {
    super(message);
  }
}

export const WRONG_STATE = -10004;
export const ORDER_NOT_FOUND = -10002;
export const OTHER_SELLER = -10003;

/** Order fields a test or the stream gives; the rest is filled in. */
export type NewOrder = Partial<ScenarioOrder> & Pick<ScenarioOrder, 'itemTitle'>;

const date = (text: string | null | undefined): Date | null => (text ? (parseScenarioDate(text) ?? null) : null);

function orderFromScenario(o: ScenarioOrder): SimOrder {
  const shipDay = date(o.estimatedShipDate);
  return {
    orderNo: o.orderNo,
    packNo: o.packNo ?? o.orderNo,
    orderedAt: date(o.orderedAt) as Date,
    paidAt: date(o.paidAt),
    estimatedShipDate: shipDay ? jstDayStart(shipDay) : null,
    shippedAt: date(o.shippedAt),
    deliveredAt: date(o.deliveredAt),
    shippingStatus: o.shippingStatus,
    itemNo: o.itemNo,
    sellerItemCode: o.sellerItemCode ?? null,
    itemTitle: o.itemTitle,
    option: o.option ?? null,
    quantity: o.quantity,
    unitPriceYen: o.unitPriceYen,
    paymentMethod: o.paymentMethod,
    carrier: o.carrier ?? null,
    trackingNo: o.trackingNo ?? null,
    buyerName: o.buyerName ?? null,
    buyerEmail: o.buyerEmail ?? null,
    cancelledAt: null,
  };
}

function claimFromScenario(c: ScenarioClaim): SimClaim {
  return {
    orderNo: c.orderNo,
    claimStatus: c.claimStatus,
    reason: c.reason ?? null,
    requestedAt: date(c.requestedAt) as Date,
    completedAt: date(c.completedAt),
    cancelReason: c.cancelReason ?? null,
    sellerMemo: null,
    withdrawnAt: null,
  };
}

export class SimulatorState {
  readonly shops: SimShop[] = [];
  private readonly byKey = new Map<string, SimShop>();
  private readonly shopOfOrder = new Map<string, SimShop>();
  private lastOrderNo = 1_000_000_000;
  private trackingSeq = 0;

  constructor(
    scenario: Scenario,
    /** The simulated time. */
    readonly now: () => Date,
  ) {
    for (const s of scenario.shops) this.addShop(s);
  }

  addShop(s: ScenarioShop): SimShop {
    if (this.byKey.has(s.sellerAuthKey)) throw new Error(`shop key already in use (${s.name})`);
    const shop: SimShop = {
      name: s.name,
      sellerAuthKey: s.sellerAuthKey,
      credentials: s.credentials ?? null,
      keyExpired: s.keyExpired ?? false,
      orders: new Map(),
      claims: [],
      local: s.local ?? null,
      behaviour: qoo10Behaviour(s.qoo10Behaviour),
    };
    this.shops.push(shop);
    this.byKey.set(s.sellerAuthKey, shop);
    for (const o of s.orders) this.insertOrder(shop, orderFromScenario(o));
    for (const c of s.claims) {
      const claim = claimFromScenario(c);
      shop.claims.push(claim);
      const order = shop.orders.get(claim.orderNo);
      if (order && claim.claimStatus === 3) order.cancelledAt = claim.completedAt;
    }
    return shop;
  }

  shopByKey(key: string): SimShop | undefined {
    return this.byKey.get(key);
  }

  shopByName(name: string): SimShop | undefined {
    return this.shops.find((s) => s.name === name);
  }

  /** Issues a new key for a shop (CreateCertificationKey on an expired key); the old key stays expired. */
  renewKey(shop: SimShop): string {
    const fresh = `${shop.sellerAuthKey.replace(/-r\d+$/, '')}-r${this.byKey.size}`;
    this.byKey.set(fresh, shop);
    shop.sellerAuthKey = fresh;
    shop.keyExpired = false;
    return fresh;
  }

  /** Whether `key` is an old key of a shop that got a new one. */
  isRetiredKey(key: string): boolean {
    const shop = this.byKey.get(key);
    return shop !== undefined && shop.sellerAuthKey !== key;
  }

  order(orderNo: string): SimOrder | undefined {
    return this.shopOfOrder.get(orderNo)?.orders.get(orderNo);
  }

  /** The claim a snapshot shows: the newest one not withdrawn. */
  currentClaim(shop: SimShop, orderNo: string): SimClaim | undefined {
    const claims = shop.claims.filter((c) => c.orderNo === orderNo && c.withdrawnAt === null);
    return claims[claims.length - 1];
  }

  nextOrderNo(): string {
    this.lastOrderNo += 1;
    return String(this.lastOrderNo);
  }

  /** Adds an order (tests, the demo, the order stream); paid and awaiting confirmation (2) by default. */
  addOrder(shop: SimShop, input: NewOrder): SimOrder {
    const orderNo = input.orderNo ?? this.nextOrderNo();
    const orderedAt = input.orderedAt ?? toScenarioText(this.now());
    const order = orderFromScenario({
      orderNo,
      orderedAt,
      paidAt: input.paidAt === undefined ? orderedAt : input.paidAt,
      shippingStatus: 2,
      itemNo: '100000001',
      quantity: 1,
      unitPriceYen: 1980,
      paymentMethod: 'クレジットカード',
      ...input,
    });
    this.insertOrder(shop, order);
    return order;
  }

  /** The buyer asks to cancel (QSM/app side, not an API call). */
  requestCancel(orderNo: string, reason = '注文間違い'): SimClaim {
    const { shop, order } = this.locate(orderNo);
    if (order.cancelledAt) throw new Error(`order ${orderNo} is already cancelled`);
    if (this.openRequest(shop, orderNo)) throw new Error(`order ${orderNo} already has an open request`);
    const now = this.now();
    let claim: SimClaim;
    if (order.shippingStatus <= 2) {
      claim = this.newClaim(orderNo, 3, reason, now, now);
      order.cancelledAt = now;
    } else if (order.shippingStatus === 3) {
      claim = this.newClaim(orderNo, 1, reason, now, null);
    } else {
      claim = this.newClaim(orderNo, 4, reason, now, null);
    }
    shop.claims.push(claim);
    return claim;
  }

  /** The seller ships outside this service (QSM, label software): tracking enters Qoo10, status 4. */
  shipOrder(orderNo: string, tracking?: { carrier: string; trackingNo: string }): SimOrder {
    const { shop, order } = this.locate(orderNo);
    this.ship(shop, order, tracking ?? this.generatedTracking());
    return order;
  }

  deliverOrder(orderNo: string): SimOrder {
    const { order } = this.locate(orderNo);
    if (order.shippingStatus !== 4) throw new Error(`order ${orderNo} is not in delivery`);
    order.shippingStatus = 5;
    order.deliveredAt = this.now();
    return order;
  }

  /**
   * The seller presses キャンセル拒否 in QSM on a pending request (a person's action, not an API call): the
   * request ends without a cancel and disappears from the API. Throws when the order has no pending request.
   */
  refuseInQsm(orderNo: string): SimClaim {
    const { shop, order } = this.locate(orderNo);
    const request = this.openRequest(shop, orderNo);
    if (order.cancelledAt || !request || request.claimStatus !== 1) {
      throw new Error(`order ${orderNo} has no pending cancel request to refuse`);
    }
    request.withdrawnAt = this.now();
    request.endedBy = 'qsm_refusal';
    return request;
  }

  /** Claim.SetCancelProcess. */
  sellerCancel(shop: SimShop, orderNo: string, cancelReason: string, memo: string): void {
    const order = this.ownOrder(shop, orderNo);
    if (order.cancelledAt) throw new SimRejection(WRONG_STATE, 'The order is already cancelled');
    if (order.shippingStatus >= 4) throw new SimRejection(WRONG_STATE, 'The order has already shipped');
    const now = this.now();
    const request = this.openRequest(shop, orderNo);
    if (request) {
      if (!shop.behaviour.acceptKeepsBuyerReason) {
        request.reason = CANCEL_REASON_LABELS[cancelReason as CancelReasonCode] ?? request.reason;
      }
      request.claimStatus = 3;
      request.completedAt = now;
      request.cancelReason = cancelReason;
      request.sellerMemo = memo;
    } else {
      const label = CANCEL_REASON_LABELS[cancelReason as CancelReasonCode] ?? cancelReason;
      const claim = this.newClaim(orderNo, 3, label, now, now);
      claim.cancelReason = cancelReason;
      claim.sellerMemo = memo;
      shop.claims.push(claim);
    }
    order.cancelledAt = now;
  }

  /** ShippingBasic.SetSendingInfo (and each row of the bulk variant). */
  setSendingInfo(shop: SimShop, orderNo: string, carrier: string, trackingNo: string): void {
    const order = this.ownOrder(shop, orderNo);
    if (order.cancelledAt) throw new SimRejection(WRONG_STATE, 'The order is cancelled');
    if (order.shippingStatus === 1) throw new SimRejection(WRONG_STATE, 'The order is not paid');
    if (order.shippingStatus === 5) throw new SimRejection(WRONG_STATE, 'The order is already delivered');
    this.ship(shop, order, { carrier, trackingNo });
  }

  /** ShippingBasic.SetSellerCheckYN_V2: confirm (2 → 3) or move the ship date of a confirmed order. */
  sellerCheck(shop: SimShop, orderNo: string, estShipDay: Date): void {
    const order = this.ownOrder(shop, orderNo);
    if (order.cancelledAt || (order.shippingStatus !== 2 && order.shippingStatus !== 3)) {
      throw new SimRejection(WRONG_STATE, 'The order cannot be confirmed in its state');
    }
    order.shippingStatus = 3;
    order.estimatedShipDate = jstDayStart(estShipDay);
  }

  /** The order of this shop, or the Qoo10 error for a foreign or unknown number. */
  ownOrder(shop: SimShop, orderNo: string): SimOrder {
    const owner = this.shopOfOrder.get(orderNo);
    if (!owner) throw new SimRejection(ORDER_NOT_FOUND, 'Order not found');
    if (owner !== shop) throw new SimRejection(OTHER_SELLER, 'The order belongs to another seller');
    return owner.orders.get(orderNo) as SimOrder;
  }

  private ship(shop: SimShop, order: SimOrder, tracking: { carrier: string; trackingNo: string }): void {
    if (order.cancelledAt) throw new Error(`order ${order.orderNo} is cancelled`);
    const now = this.now();
    if (order.shippingStatus < 4) {
      order.shippingStatus = 4;
      order.shippedAt = now;
    }
    order.carrier = tracking.carrier;
    order.trackingNo = tracking.trackingNo;
    const request = this.openRequest(shop, order.orderNo);
    if (request && request.claimStatus === 1 && shop.behaviour.shipConfirmEndsRequest) {
      request.withdrawnAt = now;
      request.endedBy = 'ship_confirm';
    }
  }

  private openRequest(shop: SimShop, orderNo: string): SimClaim | undefined {
    return shop.claims.find(
      (c) => c.orderNo === orderNo && c.withdrawnAt === null && (c.claimStatus === 1 || c.claimStatus === 2),
    );
  }

  private newClaim(orderNo: string, claimStatus: number, reason: string, requestedAt: Date, completedAt: Date | null): SimClaim {
    return { orderNo, claimStatus, reason, requestedAt, completedAt, cancelReason: null, sellerMemo: null, withdrawnAt: null };
  }

  private locate(orderNo: string): { shop: SimShop; order: SimOrder } {
    const shop = this.shopOfOrder.get(orderNo);
    if (!shop) throw new Error(`no order ${orderNo} in the simulator`);
    return { shop, order: shop.orders.get(orderNo) as SimOrder };
  }

  private insertOrder(shop: SimShop, order: SimOrder): void {
    if (this.shopOfOrder.has(order.orderNo)) throw new Error(`order ${order.orderNo} already exists`);
    shop.orders.set(order.orderNo, order);
    this.shopOfOrder.set(order.orderNo, shop);
    this.lastOrderNo = Math.max(this.lastOrderNo, Number(order.orderNo));
  }

  private generatedTracking(): { carrier: string; trackingNo: string } {
    this.trackingSeq += 1;
    const base = 40_000_000_000 + this.trackingSeq;
    // Yamato numbers: 11-digit base + (base mod 7).
    return { carrier: 'ヤマト宅急便', trackingNo: `${base}${base % 7}` };
  }
}

/** An instant as a scenario date text (JST, Qoo10's format). */
export function toScenarioText(instant: Date): string {
  return formatJstDateTime(instant);
}
