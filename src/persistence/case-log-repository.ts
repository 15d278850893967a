import type { DataSource } from 'typeorm';
import type { Order, ShippingStatusCode } from '../domain/types';
import { toStoredDecision, type StoredDecision } from './cancel-request-repository';

/** One case for the log: a request we settled, the decision that settled it, and its order. */
export interface CaseRow {
  requestId: string;
  decision: StoredDecision;
  order: Order;
}

/**
 * The case log is read, not stored: decisions are append-only and orders are kept, so the log can
 * never disagree with what was decided.
 */
export class CaseLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Requests we settled whose deciding decision was taken in [start, end), with their order, in time order. */
  async settledCases(shopId: string, range: { start: Date; end: Date }): Promise<CaseRow[]> {
    // The buyer's name and address are left in the database: the case log is about items and timing.
    const rows: Array<Parameters<typeof toStoredDecision>[0] & { order_json: OrderJson }> = await this.dataSource.query(
      `SELECT d.*, to_jsonb(o) - 'buyer_name' - 'buyer_email' AS order_json
       FROM decisions d
       JOIN cancel_requests r ON r.current_decision_id = d.id
       JOIN orders o ON o.shop_id = r.shop_id AND o.order_no = r.order_no
       WHERE r.shop_id = $1 AND r.status = 'done' AND d.created_at >= $2 AND d.created_at < $3
       ORDER BY d.created_at, d.id`,
      [shopId, range.start, range.end],
    );
    return rows.map((row) => ({ requestId: String(row.request_id), decision: toStoredDecision(row), order: orderFromJson(row.order_json) }));
  }
}

/** An orders row as to_jsonb renders it: timestamps as ISO text, bigint as a number. */
interface OrderJson {
  order_no: string;
  pack_no: string;
  ordered_at: string;
  paid_at: string | null;
  shipping_deadline: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  shipping_status: number | null;
  item_no: string;
  seller_item_code: string | null;
  item_title: string;
  item_option: string | null;
  quantity: number;
  unit_price_yen: number;
  total_yen: number;
  payment_method: string | null;
  carrier: string | null;
  tracking_no: string | null;
}

const dateOrNull = (text: string | null) => (text === null ? null : new Date(text));

function orderFromJson(json: OrderJson): Order {
  return {
    orderNo: json.order_no,
    packNo: json.pack_no,
    orderedAt: new Date(json.ordered_at),
    paidAt: dateOrNull(json.paid_at),
    shippingDeadline: dateOrNull(json.shipping_deadline),
    shippedAt: dateOrNull(json.shipped_at),
    deliveredAt: dateOrNull(json.delivered_at),
    shippingStatus: json.shipping_status as ShippingStatusCode | null,
    itemNo: json.item_no,
    sellerItemCode: json.seller_item_code,
    itemTitle: json.item_title,
    itemOption: json.item_option,
    quantity: json.quantity,
    unitPriceYen: Number(json.unit_price_yen),
    totalYen: Number(json.total_yen),
    paymentMethod: json.payment_method,
    carrier: json.carrier,
    trackingNo: json.tracking_no,
    buyerName: null,
    buyerEmail: null,
  };
}
