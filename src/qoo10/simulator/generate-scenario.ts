// A realistic, seeded scenario for one JST month: thousands of orders with an evening-heavy daily rhythm,
// multi-line carts, deferred payments, shipping and delivery by age, completed cancels (some inside 6 h
// of the order, some seller faults concentrated on stock-out-prone items), open cancel requests on
// confirmed orders (unshipped / packed / handed to the carrier / out of stock) and return requests.
// The same options and seed always give the same scenario.
import type { SellerFaultCause } from '../../domain/types';
import { jstMonth, jstMonthStart, jstNextMonthStart } from '../qoo10-dates';
import { pickWeighted, randomInt, seededRandom, shuffled, type Random } from './prng';
import { MADE_TO_ORDER_CODES, SAMPLE_ITEMS, STOCKOUT_PRONE_CODES, sampleTracking } from './sample-data';
import type { Scenario } from './scenario';
import { HOUR_MS, MINUTE_MS, ShopBuilder, type DraftOrder } from './shop-builder';

export interface CancelMix {
  /** Share of the orders that end cancelled (ClaimStat 3). Default 0.06. */
  cancelledRate?: number;
  /** Share of those cancels completed within 6 h of the order (not counted in the rate). Default 0.2. */
  within6hShare?: number;
  /** Share of cancels that are the seller's fault. Default 0.2. */
  sellerFaultShare?: number;
  /** Open cancel requests on confirmed, unshipped orders the shop has in stock. Default 3. */
  pendingUnshipped?: number;
  /** … on orders already packed (local fact). Default 1. */
  pendingPacked?: number;
  /** … on orders handed to the carrier whose tracking is known locally, not in Qoo10. Default 1. */
  pendingShipped?: number;
  /** … on orders whose item is out of stock locally. Default 1. */
  pendingOutOfStock?: number;
  /** Return requests (ClaimStat 4) on shipped orders. Default 2. */
  returnRequests?: number;
}

export interface GenerateScenarioOptions {
  seed: number | string;
  /** Orders are generated up to this instant only. */
  now: Date;
  /** Number of shops. Default 1. */
  shops?: number;
  /** Orders a whole month would have; a month in progress gets its elapsed share. Default 3000. */
  ordersPerMonth?: number;
  /** Exact orders per shop, overriding ordersPerMonth. */
  orderCount?: number;
  /** JST month `YYYY-MM`; default the month of `now`. */
  month?: string;
  cancelMix?: CancelMix;
}

/** Relative order volume per JST hour: quiet nights, lunch bump, evening peak. */
const HOUR_WEIGHTS = [3, 2, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 9, 8, 6, 6, 6, 7, 8, 9, 10, 10, 9, 6];
const MAX_HOUR_WEIGHT = 10;

const SELLER_FAULT_CAUSES: readonly (readonly [SellerFaultCause, number])[] = [
  ['out_of_stock', 70],
  ['shipping_delay', 20],
  ['undeliverable_area', 10],
];

export function generateScenario(options: GenerateScenarioOptions): Scenario {
  const shops = options.shops ?? 1;
  const month = options.month ?? jstMonth(options.now);
  const monthStart = jstMonthStart(month);
  if (!monthStart) throw new Error(`month must be YYYY-MM, got ${month}`);
  const nextMonth = jstNextMonthStart(month) as Date;
  const end = new Date(Math.min(nextMonth.getTime(), options.now.getTime()));
  const fraction = Math.max(0, end.getTime() - monthStart.getTime()) / (nextMonth.getTime() - monthStart.getTime());
  const count = options.orderCount ?? Math.round((options.ordersPerMonth ?? 3000) * fraction);
  return {
    shops: Array.from({ length: shops }, (_, i) => {
      const random = seededRandom(`${options.seed}:${i}`);
      const builder = new ShopBuilder(
        random,
        {
          name: shops === 1 ? 'シミュレーターショップ' : `シミュレーターショップ${i + 1}`,
          sellerAuthKey: `sim-sak-${options.seed}-${i + 1}`,
          credentials: { apiKey: `sim-api-${options.seed}-${i + 1}`, userId: `sim-shop-${i + 1}`, password: `sim-pass-${options.seed}-${i + 1}` },
        },
        1_100_000_000 + i * 50_000_000,
      );
      populateShop(builder, random, { from: monthStart, to: end, count, now: options.now, mix: options.cancelMix ?? {} });
      return builder.build();
    }),
  };
}

interface PopulateOptions {
  from: Date;
  to: Date;
  count: number;
  now: Date;
  mix: CancelMix;
}

/** Fills a builder with `count` orders in [from, to) and the claims of the cancel mix. Used by the demo too. */
export function populateShop(builder: ShopBuilder, random: Random, o: PopulateOptions): void {
  const times = Array.from({ length: o.count }, () => orderTime(random, o.from, o.to)).sort((a, b) => a - b);
  let cart: DraftOrder | undefined;
  for (const t of times) {
    // About one order in eight joins the previous order's cart as another line.
    const joinCart = cart !== undefined && random() < 0.12 && t - cart.orderedAt.getTime() < HOUR_MS;
    const order = builder.newOrder(new Date(t), joinCart ? { cart } : {});
    if (joinCart && cart) {
      order.paidAt = cart.paidAt;
      Object.assign(order, pickLifecycle(cart));
    } else {
      builder.live(order, o.now);
      cart = order;
    }
  }
  addCancels(builder, random, o);
  addPendingRequests(builder, random, o);
  for (const item of SAMPLE_ITEMS) {
    if (!builder.stock.has(item.sellerItemCode)) builder.stock.set(item.sellerItemCode, randomInt(random, 5, 60));
  }
  builder.madeToOrderCodes = [...MADE_TO_ORDER_CODES];
}

function pickLifecycle(o: DraftOrder): Partial<DraftOrder> {
  const { shippingStatus, estimatedShipDate, shippedAt, deliveredAt, carrier, trackingNo } = o;
  return { shippingStatus, estimatedShipDate, shippedAt, deliveredAt, carrier, trackingNo };
}

function orderTime(random: Random, from: Date, to: Date): number {
  const span = to.getTime() - from.getTime();
  for (;;) {
    const t = from.getTime() + Math.floor(random() * span);
    const jstHour = new Date(t + 9 * HOUR_MS).getUTCHours();
    if (random() * MAX_HOUR_WEIGHT < HOUR_WEIGHTS[jstHour]) return t;
  }
}

function addCancels(builder: ShopBuilder, random: Random, o: PopulateOptions): void {
  const mix = o.mix;
  // Old enough that a cancel completed 6 h or more after the order is already in the past.
  const candidates = shuffled(
    random,
    builder.orders.filter((order) => o.now.getTime() - order.orderedAt.getTime() > 7 * HOUR_MS),
  );
  const total = Math.min(candidates.length, Math.round(builder.orders.length * (mix.cancelledRate ?? 0.06)));
  const within6h = Math.round(total * (mix.within6hShare ?? 0.2));
  const sellerFaults = Math.round(total * (mix.sellerFaultShare ?? 0.2));
  const stockoutItems = SAMPLE_ITEMS.filter((i) => STOCKOUT_PRONE_CODES.includes(i.sellerItemCode));
  candidates.slice(0, total).forEach((order, i) => {
    const age = o.now.getTime() - order.orderedAt.getTime();
    const delayMs =
      i < within6h
        ? randomInt(random, 5, 350) * MINUTE_MS
        : Math.min(age - MINUTE_MS, randomInt(random, 6 * 60 + 5, 72 * 60) * MINUTE_MS);
    // Seller faults take the last slots so they are all counted (a stock-out is found after hours).
    const sellerFault = i >= total - sellerFaults;
    if (sellerFault && random() < 0.8) order.item = stockoutItems[randomInt(random, 0, stockoutItems.length - 1)];
    const cause = sellerFault ? pickWeighted(random, SELLER_FAULT_CAUSES) : 'buyer';
    builder.cancel(order, new Date(order.orderedAt.getTime() + delayMs), cause);
  });
}

function addPendingRequests(builder: ShopBuilder, random: Random, o: PopulateOptions): void {
  const mix = o.mix;
  const confirmed = shuffled(
    random,
    builder.orders.filter((order) => order.shippingStatus === 3 && !order.cancelled),
  );
  const requestAt = (order: DraftOrder) =>
    new Date(order.orderedAt.getTime() + Math.floor((o.now.getTime() - order.orderedAt.getTime()) * (0.5 + 0.45 * random())));
  const take = (n: number | undefined, fallback: number) => confirmed.splice(0, n ?? fallback);

  for (const order of take(mix.pendingUnshipped, 3)) builder.requestCancel(order, requestAt(order));
  for (const order of take(mix.pendingPacked, 1)) {
    builder.requestCancel(order, requestAt(order));
    builder.packedOrderNos.push(order.orderNo);
  }
  for (const order of take(mix.pendingShipped, 1)) {
    builder.requestCancel(order, requestAt(order));
    builder.knownTracking.push({ orderNo: order.orderNo, ...sampleTracking(random) });
  }
  for (const order of take(mix.pendingOutOfStock, 1)) {
    builder.requestCancel(order, requestAt(order));
    builder.stock.set(order.item.sellerItemCode, 0);
  }
  const shipped = shuffled(random, builder.orders.filter((order) => order.shippingStatus >= 4 && order.shippedAt));
  for (const order of shipped.slice(0, mix.returnRequests ?? 2)) {
    const at = new Date((order.shippedAt as Date).getTime() + randomInt(random, 20, 48) * HOUR_MS);
    if (at <= o.now) builder.requestReturn(order, at);
  }
}
