import type { DataSource, EntityManager } from 'typeorm';
import { cancelCauseOfDecision, classifyCancel, type CancelCause } from '../domain/cancel-rate';
import { cartCancelOf, mergeCancelReports, type CancelCauseSource, type CancelReport, type CancelTimeSource } from '../domain/cancel-booking';
import type { CountingUnit } from '../domain/cancel-rate';
import { jstMonthOf } from '../domain/jst-calendar';
import type { DecisionKind, SellerFaultCause } from '../domain/types';

export interface CompletedCancel {
  orderNo: string;
  orderedAt: Date;
  cancelledAt: Date;
  cause: CancelCause;
  itemKey: string;
  itemTitle: string;
  /** 'qoo10': learned from a ClaimStat 3 row; 'action': completed by our own SetCancelProcess. */
  source: 'qoo10' | 'action';
  /**
   * Where `cancelledAt` comes from. Default: 'qoo10' (its completion date) for source 'qoo10',
   * 'sent' (our send time) for source 'action'. A Qoo10 row without a completion date is 'sent'.
   */
  timeSource?: CancelTimeSource;
  /** Where `cause` comes from. Default: 'qoo10' for source 'qoo10', 'decision' for source 'action'. */
  causeSource?: CancelCauseSource;
}

interface BookedRow {
  ordered_at: Date;
  cancelled_at: Date;
  time_source: CancelTimeSource;
  cause: CancelCause;
  cause_source: CancelCauseSource;
  counted: boolean;
  cancel_month: string;
  order_month: string;
  paid_month: string | null;
  item_key: string;
  item_title: string;
  pack_no: string;
}

/** What a cart's cancel copies from the line cancel that stands for it (table cart_cancels). */
const CART_FIELDS = [
  'order_no', 'ordered_at', 'cancelled_at', 'order_month', 'cancel_month', 'paid_month', 'cause', 'counted', 'item_key', 'item_title', 'source',
] as const;

interface CartCancelRow {
  order_no: string;
  ordered_at: Date;
  cancelled_at: Date;
  order_month: string;
  cancel_month: string;
  paid_month: string | null;
  cause: CancelCause;
  counted: boolean;
  item_key: string;
  item_title: string;
  source: string;
}

function sameCartCancel(a: CartCancelRow, b: CartCancelRow): boolean {
  return CART_FIELDS.every((field) => {
    const x = a[field];
    const y = b[field];
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
  });
}

/** The aggregate rows one booked cancel adds to. */
interface TotalsKey {
  cancelMonth: string;
  orderMonth: string;
  paidMonth: string | null;
  cause: CancelCause;
  counted: boolean;
  itemKey: string;
  itemTitle: string;
}

type TotalsSource = Pick<BookedRow, 'cancel_month' | 'order_month' | 'paid_month' | 'cause' | 'counted' | 'item_key' | 'item_title'>;

function keyOf(row: TotalsSource): TotalsKey {
  return {
    cancelMonth: row.cancel_month,
    orderMonth: row.order_month,
    paidMonth: row.paid_month,
    cause: row.cause,
    counted: row.counted,
    itemKey: row.item_key,
    itemTitle: row.item_title,
  };
}

/**
 * Completed cancels, one booking per order, and the counts the rate is summed from
 * (cancel_totals, cancel_item_totals), changed in the same transaction as the booking, for both
 * counting units: the order line, and the cart (cart_cancels: one cancel per cart, cartCancelOf).
 *
 * Two reports of one cancel (our action, Qoo10's list) can arrive in either order; the booking
 * takes each fact from the more authoritative report (domain/cancel-booking.ts): Qoo10's completion
 * time over our send time, our decided cause over Qoo10's reason. A correction moves the cancel
 * between months and between counted and excluded, and the counts follow.
 */
export class CancelRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly exclusionHours: number,
  ) {}

  /** Books a report of a completed cancel. True when the order's cancel was not booked before. */
  async recordCancel(shopId: string, cancel: CompletedCancel, manager?: EntityManager): Promise<boolean> {
    if (manager) return this.book(manager, shopId, cancel);
    return this.dataSource.transaction((em) => this.book(em, shopId, cancel));
  }

  /**
   * The cause of the cancel we decided and sent for this order (an outbox cancel that went out and
   * was not refused), or null when we sent none: then Qoo10's reason decides.
   */
  async sentCancelCause(shopId: string, orderNo: string, manager?: EntityManager): Promise<CancelCause | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: Array<{ kind: DecisionKind; seller_fault_cause: SellerFaultCause | null }> = await em.query(
      `SELECT d.kind, d.seller_fault_cause FROM actions a JOIN decisions d ON d.id = a.decision_id
       WHERE a.shop_id = $1 AND a.order_no = $2 AND a.kind = 'cancel' AND a.attempts > 0 AND a.state <> 'failed'
       ORDER BY a.id DESC LIMIT 1`,
      [shopId, orderNo],
    );
    return rows[0] ? cancelCauseOfDecision({ kind: rows[0].kind, sellerFaultCause: rows[0].seller_fault_cause }) : null;
  }

  async isRecorded(shopId: string, orderNo: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM cancels WHERE shop_id = $1 AND order_no = $2', [shopId, orderNo]);
    return rows.length > 0;
  }

  private async book(em: EntityManager, shopId: string, cancel: CompletedCancel): Promise<boolean> {
    const report: CancelReport = {
      cancelledAt: cancel.cancelledAt,
      timeSource: cancel.timeSource ?? (cancel.source === 'qoo10' ? 'qoo10' : 'sent'),
      cause: cancel.cause,
      causeSource: cancel.causeSource ?? (cancel.source === 'qoo10' ? 'qoo10' : 'decision'),
    };
    const existing = await this.lockBooking(em, shopId, cancel.orderNo);
    if (!existing) {
      const inserted = await this.insertBooking(em, shopId, cancel, report);
      if (inserted) {
        await this.addToTotals(em, shopId, 'order_line', keyOf(inserted), 1);
        // The order's open requests leave the rate report's pending what-if (it reads this flag, no join).
        await em.query('UPDATE cancel_requests SET cancel_booked = true WHERE shop_id = $1 AND order_no = $2 AND NOT cancel_booked', [shopId, cancel.orderNo]);
        await this.bookCart(em, shopId, inserted.pack_no);
        return true;
      }
    }
    // Booked before, or by a concurrent writer between our read and our insert.
    const booked = existing ?? (await this.lockBooking(em, shopId, cancel.orderNo));
    if (booked && (await this.correctBooking(em, shopId, cancel.orderNo, booked, report))) await this.bookCart(em, shopId, booked.pack_no);
    return false;
  }

  /**
   * Brings the cart's cancel (cart_cancels and the 'cart' counts) in step with its booked lines.
   * The first booking inserts it; a concurrent booking of another line of the cart waits on that
   * insert, then locks the row and recomputes from every committed line.
   */
  private async bookCart(em: EntityManager, shopId: string, packNo: string): Promise<void> {
    const first = await this.cartCancelNow(em, shopId, packNo);
    if (!first) return;
    const values = CART_FIELDS.map((field) => first[field]);
    const inserted: unknown[] = await em.query(
      `INSERT INTO cart_cancels (shop_id, pack_no, ${CART_FIELDS.join(', ')})
       VALUES ($1, $2, ${CART_FIELDS.map((_, index) => `$${index + 3}`).join(', ')})
       ON CONFLICT (shop_id, pack_no) DO NOTHING RETURNING 1`,
      [shopId, packNo, ...values],
    );
    if (inserted.length > 0) {
      await this.addToTotals(em, shopId, 'cart', keyOf(first), 1);
      return;
    }
    const [before]: CartCancelRow[] = await em.query(
      `SELECT ${CART_FIELDS.join(', ')} FROM cart_cancels WHERE shop_id = $1 AND pack_no = $2 FOR UPDATE`,
      [shopId, packNo],
    );
    const after = await this.cartCancelNow(em, shopId, packNo);
    if (!before || !after || sameCartCancel(before, after)) return;
    await em.query(
      `UPDATE cart_cancels SET ${CART_FIELDS.map((field, index) => `${field} = $${index + 3}`).join(', ')} WHERE shop_id = $1 AND pack_no = $2`,
      [shopId, packNo, ...CART_FIELDS.map((field) => after[field])],
    );
    await this.addToTotals(em, shopId, 'cart', keyOf(before), -1);
    await this.addToTotals(em, shopId, 'cart', keyOf(after), 1);
  }

  /** The cart's cancel as its booked lines give it now, in the cart's months (its carts row), or null. */
  private async cartCancelNow(em: EntityManager, shopId: string, packNo: string): Promise<CartCancelRow | null> {
    const rows: Array<CartCancelRow & { cart_order_month: string | null; cart_paid_month: string | null; has_cart: boolean }> = await em.query(
      `SELECT ${CART_FIELDS.map((field) => `c.${field}`).join(', ')}, k.order_month AS cart_order_month, k.pack_no IS NOT NULL AS has_cart,
         to_char((k.paid_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM') AS cart_paid_month
       FROM cancels c LEFT JOIN carts k ON k.shop_id = c.shop_id AND k.pack_no = c.pack_no
       WHERE c.shop_id = $1 AND c.pack_no = $2`,
      [shopId, packNo],
    );
    const first = cartCancelOf(rows.map((row) => ({ row, orderNo: row.order_no, cancelledAt: row.cancelled_at, counted: row.counted })))?.row;
    if (!first) return null;
    const { cart_order_month: cartOrderMonth, cart_paid_month: cartPaidMonth, has_cart: hasCart, ...line } = first;
    // A cart never stored as orders (the cancel came first) keeps the line's own months.
    return hasCart ? { ...line, order_month: cartOrderMonth!, paid_month: cartPaidMonth } : line;
  }

  private async lockBooking(em: EntityManager, shopId: string, orderNo: string): Promise<BookedRow | null> {
    const rows: BookedRow[] = await em.query(
      `SELECT ordered_at, cancelled_at, time_source, cause, cause_source, counted, cancel_month, order_month, paid_month,
         item_key, item_title, pack_no
       FROM cancels WHERE shop_id = $1 AND order_no = $2 FOR UPDATE`,
      [shopId, orderNo],
    );
    return rows[0] ?? null;
  }

  /** Inserts the first booking; the order's payment month and cart come from the stored order. */
  private async insertBooking(em: EntityManager, shopId: string, cancel: CompletedCancel, report: CancelReport): Promise<BookedRow | null> {
    const counted = classifyCancel(cancel.orderedAt, report.cancelledAt, this.exclusionHours) === 'counted';
    const rows: BookedRow[] = await em.query(
      `INSERT INTO cancels (shop_id, order_no, ordered_at, cancelled_at, order_month, cancel_month, paid_month, cause, counted,
         item_key, item_title, source, time_source, cause_source, pack_no)
       VALUES ($1, $2, $3, $4, $5, $6,
         (SELECT to_char((paid_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM') FROM orders WHERE shop_id = $1 AND order_no = $2),
         $7, $8, $9, $10, $11, $12, $13,
         COALESCE((SELECT pack_no FROM orders WHERE shop_id = $1 AND order_no = $2), $2))
       ON CONFLICT (shop_id, order_no) DO NOTHING
       RETURNING ordered_at, cancelled_at, time_source, cause, cause_source, counted, cancel_month, order_month, paid_month, item_key, item_title,
         pack_no`,
      [
        shopId,
        cancel.orderNo,
        cancel.orderedAt,
        report.cancelledAt,
        jstMonthOf(cancel.orderedAt),
        jstMonthOf(report.cancelledAt),
        report.cause,
        counted,
        cancel.itemKey,
        cancel.itemTitle,
        cancel.source,
        report.timeSource,
        report.causeSource,
      ],
    );
    return rows[0] ?? null;
  }

  /** Applies a later report to a booking; true when the booking changed. */
  private async correctBooking(em: EntityManager, shopId: string, orderNo: string, booked: BookedRow, report: CancelReport): Promise<boolean> {
    const before: CancelReport = {
      cancelledAt: booked.cancelled_at,
      timeSource: booked.time_source,
      cause: booked.cause,
      causeSource: booked.cause_source,
    };
    const merged = mergeCancelReports(before, report);
    const unchanged =
      merged.cancelledAt.getTime() === before.cancelledAt.getTime() &&
      merged.timeSource === before.timeSource &&
      merged.cause === before.cause &&
      merged.causeSource === before.causeSource;
    if (unchanged) return false;
    const after: BookedRow = {
      ...booked,
      cancelled_at: merged.cancelledAt,
      time_source: merged.timeSource,
      cause: merged.cause,
      cause_source: merged.causeSource,
      counted: classifyCancel(booked.ordered_at, merged.cancelledAt, this.exclusionHours) === 'counted',
      cancel_month: jstMonthOf(merged.cancelledAt),
    };
    await em.query(
      `UPDATE cancels SET cancelled_at = $3, time_source = $4, cause = $5, cause_source = $6, counted = $7, cancel_month = $8
       WHERE shop_id = $1 AND order_no = $2`,
      [shopId, orderNo, after.cancelled_at, after.time_source, after.cause, after.cause_source, after.counted, after.cancel_month],
    );
    await this.addToTotals(em, shopId, 'order_line', keyOf(booked), -1);
    await this.addToTotals(em, shopId, 'order_line', keyOf(after), 1);
    return true;
  }

  /** Adds `delta` booked cancels of `unit` to both count tables under `key`, in one statement. */
  private async addToTotals(em: EntityManager, shopId: string, unit: CountingUnit, key: TotalsKey, delta: 1 | -1): Promise<void> {
    const counted = key.counted ? delta : 0;
    const excluded = key.counted ? 0 : delta;
    await em.query(
      `WITH totals AS (
         INSERT INTO cancel_totals (shop_id, unit, cancel_month, order_month, paid_month, cause, counted, excluded)
         VALUES ($1, $10, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (shop_id, unit, cancel_month, order_month, paid_month, cause) DO UPDATE SET
           counted = cancel_totals.counted + EXCLUDED.counted, excluded = cancel_totals.excluded + EXCLUDED.excluded
       )
       INSERT INTO cancel_item_totals (shop_id, unit, cancel_month, order_month, paid_month, item_key, cause, item_title, counted, excluded)
       VALUES ($1, $10, $2, $3, $4, $8, $5, $9, $6, $7)
       ON CONFLICT (shop_id, unit, cancel_month, order_month, paid_month, item_key, cause) DO UPDATE SET
         counted = cancel_item_totals.counted + EXCLUDED.counted, excluded = cancel_item_totals.excluded + EXCLUDED.excluded`,
      [shopId, key.cancelMonth, key.orderMonth, key.paidMonth ?? '', key.cause, counted, excluded, key.itemKey, key.itemTitle, unit],
    );
  }
}
