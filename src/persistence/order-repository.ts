import type { DataSource, EntityManager } from 'typeorm';
import type { CartLine } from '../domain/refusal-lines';
import type { Claim, Order, OrderSnapshot, ShippingStatusCode } from '../domain/types';
import { jstMonthOf } from '../domain/jst-calendar';
import { orderFromClaim } from '../domain/order-snapshot';
import { REQUEST_ORDER_FACTS } from './cancel-request-repository';

interface OrderRow {
  order_no: string;
  pack_no: string;
  ordered_at: Date;
  paid_at: Date | null;
  shipping_deadline: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  shipping_status: number | null;
  item_no: string;
  seller_item_code: string | null;
  item_title: string;
  item_option: string | null;
  quantity: number;
  unit_price_yen: string;
  total_yen: string;
  payment_method: string | null;
  carrier: string | null;
  tracking_no: string | null;
  buyer_name: string | null;
  buyer_email: string | null;
  buyer_phone: string | null;
  buyer_country: string | null;
}

function toOrder(row: OrderRow): Order {
  return {
    orderNo: row.order_no,
    packNo: row.pack_no,
    orderedAt: row.ordered_at,
    paidAt: row.paid_at,
    shippingDeadline: row.shipping_deadline,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
    shippingStatus: row.shipping_status as ShippingStatusCode | null,
    itemNo: row.item_no,
    sellerItemCode: row.seller_item_code,
    itemTitle: row.item_title,
    itemOption: row.item_option,
    quantity: row.quantity,
    unitPriceYen: Number(row.unit_price_yen),
    totalYen: Number(row.total_yen),
    paymentMethod: row.payment_method,
    carrier: row.carrier,
    trackingNo: row.tracking_no,
    buyerName: row.buyer_name,
    buyerEmail: row.buyer_email,
    buyerPhone: row.buyer_phone,
    buyerCountry: row.buyer_country,
  };
}

const COLUMNS = [
  'order_no', 'pack_no', 'ordered_at', 'order_month', 'paid_at', 'shipping_deadline', 'shipped_at', 'delivered_at',
  'shipping_status', 'item_no', 'seller_item_code', 'item_title', 'item_option', 'quantity', 'unit_price_yen',
  'total_yen', 'payment_method', 'carrier', 'tracking_no', 'buyer_name', 'buyer_email', 'buyer_phone', 'buyer_country',
] as const;
const TYPES = [
  'text', 'text', 'timestamptz', 'text', 'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz', 'smallint',
  'text', 'text', 'text', 'text', 'integer', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
];

function columnsOf(order: Order): unknown[] {
  return [
    order.orderNo, order.packNo, order.orderedAt, jstMonthOf(order.orderedAt), order.paidAt, order.shippingDeadline,
    order.shippedAt, order.deliveredAt, order.shippingStatus, order.itemNo, order.sellerItemCode, order.itemTitle,
    order.itemOption, order.quantity, order.unitPriceYen, order.totalYen, order.paymentMethod, order.carrier,
    order.trackingNo, order.buyerName, order.buyerEmail, order.buyerPhone ?? null, order.buyerCountry ?? null,
  ];
}

/** The monthly_order_counts columns: order lines and carts (Qoo10 PackNo), per counting unit. */
const MONTH_COUNT_COLUMNS = ['orders_placed', 'orders_paid', 'orders_paid_in_month', 'carts_placed', 'carts_paid', 'carts_paid_in_month'] as const;
type MonthCountColumn = (typeof MONTH_COUNT_COLUMNS)[number];

/** Changes to monthly_order_counts gathered from one write, per JST month and column. */
class MonthCounts {
  private readonly byMonth = new Map<string, Map<MonthCountColumn, number>>();

  add(month: string, column: MonthCountColumn, delta: number): void {
    const row = this.byMonth.get(month) ?? this.byMonth.set(month, new Map()).get(month)!;
    row.set(column, (row.get(column) ?? 0) + delta);
  }

  get(month: string, column: MonthCountColumn): number {
    return this.byMonth.get(month)?.get(column) ?? 0;
  }

  months(): string[] {
    return [...this.byMonth.keys()];
  }
}

/** What a cart adds to the month counts: placed and paid in its order month, paid in its payment month. */
function addCart(counts: MonthCounts, cart: { orderMonth: string; paidAt: Date | null }, sign: 1 | -1): void {
  counts.add(cart.orderMonth, 'carts_placed', sign);
  if (cart.paidAt) {
    counts.add(cart.orderMonth, 'carts_paid', sign);
    counts.add(jstMonthOf(cart.paidAt), 'carts_paid_in_month', sign);
  }
}

/** Orders (one row per Qoo10 OrderNo) and the per-month order counts that feed the rate. */
export class OrderRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts new orders and refreshes known ones in one statement. Orders seen for the first time
   * increment the month's order count (the rate's denominator), so the count never needs a scan.
   * Known values are never overwritten with blanks: Qoo10 lists omit fields now and then.
   * Callers serialise polls per shop (the shop's lease), which keeps the paid-count transition exact.
   */
  async upsertOrders(shopId: string, orders: readonly Order[], manager?: EntityManager): Promise<{ inserted: number }> {
    if (orders.length === 0) return { inserted: 0 };
    const run = async (em: EntityManager) => {
      const unique = [...new Map(orders.map((order) => [order.orderNo, order])).values()];
      const wasPaid = new Map<string, boolean>(
        (
          await em.query('SELECT order_no, paid_at IS NOT NULL AS paid FROM orders WHERE shop_id = $1 AND order_no = ANY($2)', [
            shopId,
            unique.map((order) => order.orderNo),
          ])
        ).map((row: { order_no: string; paid: boolean }) => [row.order_no, row.paid]),
      );
      const values = unique.map(columnsOf);
      const arrays = COLUMNS.map((_, index) => values.map((row) => row[index]));
      const unnest = COLUMNS.map((_, index) => `$${index + 2}::${TYPES[index]}[]`).join(', ');
      const keep = (column: string) => `${column} = COALESCE(EXCLUDED.${column}, orders.${column})`;
      const written: Array<{ order_no: string; pack_no: string; inserted: boolean }> = await em.query(
        `INSERT INTO orders (shop_id, ${COLUMNS.join(', ')})
         SELECT $1, * FROM unnest(${unnest})
         ON CONFLICT (shop_id, order_no) DO UPDATE SET
           ${['paid_at', 'shipping_deadline', 'shipped_at', 'delivered_at', 'shipping_status', 'seller_item_code',
             'item_option', 'payment_method', 'carrier', 'tracking_no', 'buyer_name', 'buyer_email', 'buyer_phone', 'buyer_country'].map(keep).join(', ')},
           updated_at = now()
         RETURNING order_no, pack_no, (xmax = 0) AS inserted`,
        [shopId, ...arrays],
      );
      // The stored cart of each line (a known line keeps the PackNo it was first stored with).
      const storedPack = new Map(written.map((row) => [row.order_no, row.pack_no]));
      const insertedSet = new Set(written.filter((row) => row.inserted).map((row) => row.order_no));
      if (insertedSet.size > 0) {
        // A request stored before its order (a claim without an order date) takes the order's facts now.
        await em.query(
          `UPDATE cancel_requests r SET (ordered_at, order_month, item_key, item_title) = (${REQUEST_ORDER_FACTS}),
             pack_no = COALESCE(r.pack_no, o.pack_no)
           FROM orders o
           WHERE r.shop_id = $1 AND r.order_no = ANY($2::text[]) AND r.ordered_at IS NULL AND o.shop_id = r.shop_id AND o.order_no = r.order_no`,
          [shopId, [...insertedSet]],
        );
      }
      const counts = new MonthCounts();
      const touched: Order[] = [];
      for (const order of unique) {
        const month = jstMonthOf(order.orderedAt);
        const isNew = insertedSet.has(order.orderNo);
        if (isNew) counts.add(month, 'orders_placed', 1);
        const newlyPaid = order.paidAt !== null && (isNew || wasPaid.get(order.orderNo) === false);
        if (newlyPaid) {
          counts.add(month, 'orders_paid', 1);
          // Paid orders by the JST month of payment: the paid cohort's denominator (rate definitions).
          counts.add(jstMonthOf(order.paidAt!), 'orders_paid_in_month', 1);
        }
        if (isNew || newlyPaid) touched.push({ ...order, packNo: storedPack.get(order.orderNo) ?? order.packNo });
      }
      await this.updateCarts(em, shopId, touched, counts);
      const months = counts.months();
      if (months.length > 0) {
        await em.query(
          `INSERT INTO monthly_order_counts (shop_id, month, ${MONTH_COUNT_COLUMNS.join(', ')})
           SELECT $1, * FROM unnest($2::text[], ${MONTH_COUNT_COLUMNS.map((_, index) => `$${index + 3}::int[]`).join(', ')})
           ON CONFLICT (shop_id, month) DO UPDATE SET
             ${MONTH_COUNT_COLUMNS.map((column) => `${column} = monthly_order_counts.${column} + EXCLUDED.${column}`).join(', ')}`,
          [shopId, months, ...MONTH_COUNT_COLUMNS.map((column) => months.map((month) => counts.get(month, column)))],
        );
      }
      return { inserted: insertedSet.size };
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /**
   * Keeps `carts` (one row per PackNo: its earliest line's order time, its earliest paid line's
   * payment time) in step with new and newly paid lines, and adds the carts that appeared, moved
   * month or became paid to `counts` (the cart counting unit's denominator).
   */
  private async updateCarts(em: EntityManager, shopId: string, lines: readonly Order[], counts: MonthCounts): Promise<void> {
    if (lines.length === 0) return;
    const carts = new Map<string, { orderedAt: Date; paidAt: Date | null }>();
    for (const line of lines) {
      const cart = carts.get(line.packNo);
      const paidAt = line.paidAt && (!cart?.paidAt || line.paidAt < cart.paidAt) ? line.paidAt : (cart?.paidAt ?? null);
      carts.set(line.packNo, { orderedAt: cart && cart.orderedAt < line.orderedAt ? cart.orderedAt : line.orderedAt, paidAt });
    }
    const packs = [...carts.keys()];
    // One statement: the carts as they were (same snapshot), and those the batch changed.
    const changed: Array<{ order_month: string; paid_at: Date | null; existed: boolean; before_month: string | null; before_paid_at: Date | null }> =
      await em.query(
        `WITH batch AS (
           SELECT * FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[]) AS b (pack_no, ordered_at, order_month, paid_at)
         ), before AS (
           -- One key lookup per cart of the batch (LATERAL): a join would hash every cart of the shop.
           SELECT k.pack_no, k.order_month, k.paid_at FROM batch b
           JOIN LATERAL (SELECT * FROM carts WHERE shop_id = $1 AND pack_no = b.pack_no LIMIT 1) AS k ON true
         ), after AS (
           INSERT INTO carts (shop_id, pack_no, ordered_at, order_month, paid_at) SELECT $1, * FROM batch
           ON CONFLICT (shop_id, pack_no) DO UPDATE SET
             ordered_at = LEAST(carts.ordered_at, EXCLUDED.ordered_at),
             order_month = CASE WHEN EXCLUDED.ordered_at < carts.ordered_at THEN EXCLUDED.order_month ELSE carts.order_month END,
             paid_at = LEAST(carts.paid_at, EXCLUDED.paid_at)
           WHERE EXCLUDED.ordered_at < carts.ordered_at OR (EXCLUDED.paid_at IS NOT NULL AND (carts.paid_at IS NULL OR EXCLUDED.paid_at < carts.paid_at))
           RETURNING pack_no, order_month, paid_at
         )
         SELECT a.order_month, a.paid_at, b.pack_no IS NOT NULL AS existed, b.order_month AS before_month, b.paid_at AS before_paid_at
         FROM after a LEFT JOIN before b ON b.pack_no = a.pack_no`,
        [
          shopId,
          packs,
          packs.map((pack) => carts.get(pack)!.orderedAt),
          packs.map((pack) => jstMonthOf(carts.get(pack)!.orderedAt)),
          packs.map((pack) => carts.get(pack)!.paidAt),
        ],
      );
    for (const cart of changed) {
      if (cart.existed) addCart(counts, { orderMonth: cart.before_month!, paidAt: cart.before_paid_at }, -1);
      addCart(counts, { orderMonth: cart.order_month, paidAt: cart.paid_at }, 1);
    }
  }

  /**
   * A cancel can concern an order the service never listed (Qoo10 drops cancelled orders from the
   * order list, and instant cancels happen between polls). It is still one of the month's orders.
   */
  async ensureOrderFromClaim(shopId: string, claim: Claim, manager?: EntityManager): Promise<void> {
    const order = orderFromClaim(claim);
    if (!order) return;
    await this.upsertOrders(shopId, [order], manager);
  }

  async findOrder(shopId: string, orderNo: string, manager?: EntityManager): Promise<Order | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: OrderRow[] = await em.query('SELECT * FROM orders WHERE shop_id = $1 AND order_no = $2', [shopId, orderNo]);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  /**
   * The order with its row locked until the transaction ends; null when it is not stored or another
   * transaction is writing it right now (SKIP LOCKED: the caller compares with what it read and moves on).
   */
  async lockOrder(manager: EntityManager, shopId: string, orderNo: string): Promise<Order | null> {
    const rows: OrderRow[] = await manager.query('SELECT * FROM orders WHERE shop_id = $1 AND order_no = $2 FOR UPDATE SKIP LOCKED', [shopId, orderNo]);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  /** The stored orders among these order numbers, by order number (one query). */
  async findOrdersByNo(shopId: string, orderNos: readonly string[], manager?: EntityManager): Promise<Map<string, Order>> {
    if (orderNos.length === 0) return new Map();
    const em = manager ?? this.dataSource.manager;
    const rows: OrderRow[] = await em.query('SELECT * FROM orders WHERE shop_id = $1 AND order_no = ANY($2)', [shopId, [...orderNos]]);
    return new Map(rows.map((row) => [row.order_no, toOrder(row)]));
  }

  /** Every line of the cart: a refusal submits tracking for all of them. */
  async findCartOrderNos(shopId: string, packNo: string, manager?: EntityManager): Promise<string[]> {
    const em = manager ?? this.dataSource.manager;
    const rows: Array<{ order_no: string }> = await em.query(
      'SELECT order_no FROM orders WHERE shop_id = $1 AND pack_no = $2 AND cancelled_at IS NULL ORDER BY order_no',
      [shopId, packNo],
    );
    return rows.map((row) => row.order_no);
  }

  /** The cart's lines with the tracking Qoo10 shows and the numbers the shop holds for each (refusals). */
  async findCartLines(shopId: string, packNo: string, manager?: EntityManager): Promise<CartLine[]> {
    const em = manager ?? this.dataSource.manager;
    const rows: Array<{ order_no: string; tracking_no: string | null; known: string[] | null }> = await em.query(
      `SELECT o.order_no, o.tracking_no,
              (SELECT array_agg(t.tracking_no) FROM tracking_numbers t WHERE t.shop_id = o.shop_id AND t.order_no = o.order_no) AS known
       FROM orders o WHERE o.shop_id = $1 AND o.pack_no = $2 AND o.cancelled_at IS NULL ORDER BY o.order_no`,
      [shopId, packNo],
    );
    return rows.map((row) => ({ orderNo: row.order_no, qoo10TrackingNo: row.tracking_no, knownTrackingNos: row.known ?? [] }));
  }

  /** Stores what a fresh read of the order showed (status, shipping, tracking). */
  async applySnapshot(shopId: string, snapshot: OrderSnapshot, manager?: EntityManager): Promise<void> {
    const em = manager ?? this.dataSource.manager;
    await em.query(
      `UPDATE orders SET
         shipping_status = COALESCE($3, shipping_status),
         shipped_at = COALESCE($4, shipped_at),
         carrier = COALESCE($5, carrier),
         tracking_no = COALESCE($6, tracking_no),
         updated_at = now()
       WHERE shop_id = $1 AND order_no = $2`,
      [shopId, snapshot.orderNo, snapshot.shippingStatus, snapshot.shippedAt, snapshot.carrier, snapshot.trackingNo],
    );
  }

  async markCancelled(shopId: string, orderNo: string, at: Date, manager?: EntityManager): Promise<void> {
    const em = manager ?? this.dataSource.manager;
    await em.query(
      'UPDATE orders SET cancelled_at = COALESCE(cancelled_at, $3), updated_at = now() WHERE shop_id = $1 AND order_no = $2',
      [shopId, orderNo, at],
    );
  }
}
