import type { DataSource } from 'typeorm';
import type { DecisionKind, TrackingInfo } from '../domain/types';
import type { ActionState } from './action-repository';
import type { CancelRequestRecord, RequestStatus } from './cancel-request-repository';

export interface RequestListFilter {
  shopId?: string;
  status?: RequestStatus;
  /** The kind of the request's current decision. */
  kind?: DecisionKind;
  /** requested_at ≥ from. */
  from?: Date;
  /** requested_at < to. */
  to?: Date;
  /** Text found in the order number, cart number, item title or seller item code (case-insensitive). */
  q?: string;
}

/**
 * Keyset position: the last row's request time and id. The time is kept as PostgreSQL's own text at
 * microsecond precision, so no row is skipped or repeated by a JS Date's millisecond rounding.
 */
export interface RequestListCursor {
  requestedAt: string;
  id: string;
}

/** The current decision, as much as a list row shows; the rule trail is in the request's detail. */
export interface DecisionSummary {
  id: string;
  kind: DecisionKind;
  code: string;
  reason: string;
  suggested: Exclude<DecisionKind, 'review'> | null;
  trackingDeadline: Date | null;
  decidedBy: string;
  createdAt: Date;
}

/** What the list shows of the order; buyer name and email are never read here. */
export interface OrderSummary {
  orderedAt: Date;
  itemTitle: string;
  sellerItemCode: string | null;
  quantity: number;
  totalYen: number;
  shippingStatus: number | null;
}

export interface RequestListRow extends CancelRequestRecord {
  decision: DecisionSummary | null;
  order: OrderSummary | null;
  cursor: RequestListCursor;
}

/** A refusal (or a request that must be refused) with the state of the tracking it waits on. */
export interface RefusalRow {
  requestId: string;
  orderNo: string;
  packNo: string | null;
  status: RequestStatus;
  decisionKind: DecisionKind;
  decisionCode: string;
  decidedAt: Date;
  tracking: TrackingInfo | null;
  trackingDeadline: Date | null;
  itemTitle: string | null;
  sellerItemCode: string | null;
  /** Qoo10's shipping status of the order as last polled (4 = in delivery: tracking is in). */
  shippingStatus: number | null;
  /** The send_tracking outbox rows of the decision, one per cart line. */
  actions: Array<{ orderNo: string; state: ActionState; errorCode: string | null }>;
}

interface ListRow {
  id: string;
  shop_id: string;
  order_no: string;
  pack_no: string | null;
  requested_at: Date;
  reason: string | null;
  status: RequestStatus;
  outcome: string | null;
  first_seen_at: Date;
  updated_at: Date;
  cursor_at: string;
  decision_id: string | null;
  kind: DecisionKind | null;
  code: string | null;
  decision_reason: string | null;
  suggested: Exclude<DecisionKind, 'review'> | null;
  tracking_deadline: Date | null;
  decided_by: string | null;
  decided_at: Date | null;
  ordered_at: Date | null;
  item_title: string | null;
  seller_item_code: string | null;
  quantity: number | null;
  total_yen: string | null;
  shipping_status: number | null;
}

/** `\`, `%` and `_` are LIKE wildcards; escaped, the search text matches literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

function toListRow(row: ListRow): RequestListRow {
  return {
    id: String(row.id),
    shopId: row.shop_id,
    orderNo: row.order_no,
    packNo: row.pack_no,
    requestedAt: row.requested_at,
    reason: row.reason,
    status: row.status,
    outcome: row.outcome,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
    decision:
      row.decision_id === null
        ? null
        : {
            id: String(row.decision_id),
            kind: row.kind!,
            code: row.code!,
            reason: row.decision_reason!,
            suggested: row.suggested,
            trackingDeadline: row.tracking_deadline,
            decidedBy: row.decided_by!,
            createdAt: row.decided_at!,
          },
    order:
      row.ordered_at === null
        ? null
        : {
            orderedAt: row.ordered_at,
            itemTitle: row.item_title ?? '',
            sellerItemCode: row.seller_item_code,
            quantity: row.quantity ?? 0,
            totalYen: Number(row.total_yen ?? 0),
            shippingStatus: row.shipping_status,
          },
    cursor: { requestedAt: row.cursor_at, id: String(row.id) },
  };
}

/** Read-only lists of cancel requests for the admin API and the dashboard. */
export class RequestListRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One page of requests, newest request first (requested_at desc, id desc: a total order, so pages
   * neither skip nor repeat rows while new requests arrive). With a shop, the (shop_id,
   * requested_at desc) index serves the order; `limit` rows after `cursor`.
   */
  async listRequests(filter: RequestListFilter, limit: number, cursor: RequestListCursor | null): Promise<RequestListRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (filter.shopId) where.push(`r.shop_id = ${param(filter.shopId)}`);
    if (filter.status) where.push(`r.status = ${param(filter.status)}`);
    if (filter.kind) where.push(`d.kind = ${param(filter.kind)}`);
    if (filter.from) where.push(`r.requested_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`r.requested_at < ${param(filter.to)}`);
    if (filter.q) {
      const pattern = param(likePattern(filter.q));
      where.push(
        `(r.order_no ILIKE ${pattern} OR r.pack_no ILIKE ${pattern} OR o.item_title ILIKE ${pattern} OR o.seller_item_code ILIKE ${pattern})`,
      );
    }
    if (cursor) where.push(`(r.requested_at, r.id) < (${param(cursor.requestedAt)}::timestamptz, ${param(cursor.id)}::bigint)`);
    const rows: ListRow[] = await this.dataSource.query(
      `SELECT r.id, r.shop_id, r.order_no, r.pack_no, r.requested_at, r.reason, r.status, r.outcome, r.first_seen_at, r.updated_at,
         to_char(r.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
         d.id AS decision_id, d.kind, d.code, d.reason AS decision_reason, d.suggested, d.tracking_deadline,
         d.decided_by, d.created_at AS decided_at,
         o.ordered_at, o.item_title, o.seller_item_code, o.quantity, o.total_yen, o.shipping_status
       FROM cancel_requests r
       LEFT JOIN decisions d ON d.id = r.current_decision_id
       LEFT JOIN orders o ON o.shop_id = r.shop_id AND o.order_no = r.order_no
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY r.requested_at DESC, r.id DESC
       LIMIT ${param(limit)}`,
      params,
    );
    return rows.map(toListRow);
  }

  /**
   * The shop's refusals of one JST day (`dayStart` ≤ decided < `dayEnd`) plus every open request that
   * must be refused with a tracking deadline before `dayEnd` (shipped, number not known yet), each with
   * the outbox rows of its tracking. Newest decision first.
   */
  async refusalsOfDay(shopId: string, dayStart: Date, dayEnd: Date): Promise<RefusalRow[]> {
    const rows: Array<{
      id: string;
      order_no: string;
      pack_no: string | null;
      status: RequestStatus;
      kind: DecisionKind;
      code: string;
      created_at: Date;
      tracking: TrackingInfo | null;
      tracking_deadline: Date | null;
      item_title: string | null;
      seller_item_code: string | null;
      shipping_status: number | null;
      actions: Array<{ orderNo: string; state: ActionState; errorCode: string | null }> | null;
    }> = await this.dataSource.query(
      `SELECT r.id, r.order_no, r.pack_no, r.status, d.kind, d.code, d.created_at, d.tracking, d.tracking_deadline,
         o.item_title, o.seller_item_code, o.shipping_status,
         (SELECT json_agg(json_build_object('orderNo', a.order_no, 'state', a.state, 'errorCode', a.error_code) ORDER BY a.id)
            FROM actions a WHERE a.idempotency_key = ANY(d.action_keys) AND a.kind = 'send_tracking') AS actions
       FROM cancel_requests r
       JOIN decisions d ON d.id = r.current_decision_id
       LEFT JOIN orders o ON o.shop_id = r.shop_id AND o.order_no = r.order_no
       WHERE r.shop_id = $1
         AND ((d.kind = 'refuse' AND d.created_at >= $2 AND d.created_at < $3)
           OR (r.status IN ('review', 'acting') AND (d.kind = 'refuse' OR d.suggested = 'refuse')
               AND d.tracking_deadline IS NOT NULL AND d.tracking_deadline < $3))
       ORDER BY d.created_at DESC, r.id DESC
       LIMIT 200`,
      [shopId, dayStart, dayEnd],
    );
    return rows.map((row) => ({
      requestId: String(row.id),
      orderNo: row.order_no,
      packNo: row.pack_no,
      status: row.status,
      decisionKind: row.kind,
      decisionCode: row.code,
      decidedAt: row.created_at,
      tracking: row.tracking,
      trackingDeadline: row.tracking_deadline,
      itemTitle: row.item_title,
      sellerItemCode: row.seller_item_code,
      shippingStatus: row.shipping_status,
      actions: row.actions ?? [],
    }));
  }
}
