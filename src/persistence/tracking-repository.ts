import type { DataSource, EntityManager } from 'typeorm';
import type { CarrierId } from '../domain/types';
import type { ActionState } from './action-repository';

export type TrackingSource = 'csv' | 'api' | 'manual' | 'qoo10';
export type TrackingStatus = 'pending' | 'submitted' | 'confirmed' | 'rejected';
export const TRACKING_STATUSES: readonly TrackingStatus[] = ['pending', 'submitted', 'confirmed', 'rejected'];

/** One tracking number on one order line (a cart's number is stored once per line). */
export interface NewTrackingNumber {
  orderNo: string;
  carrier: CarrierId;
  qoo10CarrierName: string;
  trackingNo: string;
  source: TrackingSource;
  /** Where it came from: `file.csv:12`, `api[3]`, `manual`. */
  sourceRef: string;
  status: TrackingStatus;
  actionId: string | null;
  submittedAt: Date | null;
  error: string | null;
}

/** A stored number with what its outbox row says Qoo10 answered. */
export interface TrackingSubmission {
  id: string;
  orderNo: string;
  carrier: string;
  qoo10CarrierName: string;
  trackingNo: string;
  source: TrackingSource;
  sourceRef: string | null;
  status: TrackingStatus;
  error: string | null;
  actionState: ActionState | null;
  attempts: number;
  qoo10Response: unknown;
  createdAt: Date;
  submittedAt: Date | null;
  confirmedAt: Date | null;
}

/** The cart a management number points at. */
export interface CartMatch {
  /** The reference matched an OrderNo (one line) or a PackNo (the cart itself). */
  matchedBy: 'order_no' | 'pack_no';
  packNo: string;
  /** Lines of the cart that are not cancelled: each gets the number. */
  openOrderNos: string[];
  /** True when every line of the cart is cancelled: there is nothing left to ship. */
  cancelled: boolean;
}

interface SubmissionRow {
  id: string;
  order_no: string;
  carrier: string;
  qoo10_carrier_name: string;
  tracking_no: string;
  source: TrackingSource;
  source_ref: string | null;
  status: TrackingStatus;
  error: string | null;
  action_state: ActionState | null;
  attempts: number | null;
  response: unknown;
  created_at: Date;
  submitted_at: Date | null;
  confirmed_at: Date | null;
}

/** Tracking numbers the shop gave us (files, API, dashboard) and what became of them on Qoo10. */
export class TrackingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Resolves management numbers to carts in two statements, whatever the file size. A reference is
   * tried as an OrderNo first (what sellers are told to print), then as a PackNo.
   */
  async findCartsByReference(shopId: string, references: readonly string[]): Promise<Map<string, CartMatch>> {
    const matches = new Map<string, CartMatch>();
    if (references.length === 0) return matches;
    const hits: Array<{ order_no: string; pack_no: string }> = await this.dataSource.query(
      'SELECT order_no, pack_no FROM orders WHERE shop_id = $1 AND (order_no = ANY($2::text[]) OR pack_no = ANY($2::text[]))',
      [shopId, references],
    );
    const packs = [...new Set(hits.map((hit) => hit.pack_no))];
    const lines: Array<{ order_no: string; pack_no: string; cancelled: boolean }> = packs.length
      ? await this.dataSource.query(
          `SELECT order_no, pack_no, cancelled_at IS NOT NULL AS cancelled FROM orders
           WHERE shop_id = $1 AND pack_no = ANY($2::text[]) ORDER BY order_no`,
          [shopId, packs],
        )
      : [];
    const byPack = new Map<string, typeof lines>();
    for (const line of lines) byPack.set(line.pack_no, [...(byPack.get(line.pack_no) ?? []), line]);

    const wanted = new Set(references);
    // The parcel holds whatever of the cart was not cancelled, even when the referenced line was.
    const cartOf = (packNo: string, matchedBy: CartMatch['matchedBy']): CartMatch => {
      const openOrderNos = (byPack.get(packNo) ?? []).filter((line) => !line.cancelled).map((line) => line.order_no);
      return { matchedBy, packNo, openOrderNos, cancelled: openOrderNos.length === 0 };
    };
    for (const line of lines) {
      if (wanted.has(line.order_no)) matches.set(line.order_no, cartOf(line.pack_no, 'order_no'));
    }
    for (const packNo of packs) {
      if (wanted.has(packNo) && !matches.has(packNo)) matches.set(packNo, cartOf(packNo, 'pack_no'));
    }
    return matches;
  }

  /**
   * The order lines already holding each number: ours (not rejected) and what Qoo10 shows on orders.
   * A number on a line outside the row's cart is a mis-paste that would show a stranger's parcel.
   */
  async findNumberHolders(shopId: string, trackingNos: readonly string[]): Promise<Map<string, Set<string>>> {
    const holders = new Map<string, Set<string>>();
    if (trackingNos.length === 0) return holders;
    const rows: Array<{ tracking_no: string; order_no: string }> = await this.dataSource.query(
      `SELECT tracking_no, order_no FROM tracking_numbers
       WHERE shop_id = $1 AND tracking_no = ANY($2::text[]) AND status <> 'rejected'
       UNION
       SELECT tracking_no, order_no FROM orders
       WHERE shop_id = $1 AND tracking_no = ANY($2::text[]) AND cancelled_at IS NULL`,
      [shopId, trackingNos],
    );
    for (const row of rows) holders.set(row.tracking_no, (holders.get(row.tracking_no) ?? new Set()).add(row.order_no));
    return holders;
  }

  /**
   * Stores numbers once per (order line, number); a number seen again keeps its first row, except a
   * rejected one that a person sends again (a new outbox attempt): it takes the new attempt's values.
   */
  async recordNumbers(manager: EntityManager, shopId: string, rows: readonly NewTrackingNumber[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <K extends keyof NewTrackingNumber>(key: K) => rows.map((row) => row[key]);
    await manager.query(
      `INSERT INTO tracking_numbers
         (shop_id, order_no, carrier, qoo10_carrier_name, tracking_no, source, source_ref, status, action_id, submitted_at, error)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                $9::bigint[], $10::timestamptz[], $11::text[])
       ON CONFLICT (shop_id, order_no, tracking_no) DO UPDATE SET
         action_id = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected'
                          THEN EXCLUDED.action_id ELSE COALESCE(tracking_numbers.action_id, EXCLUDED.action_id) END,
         carrier = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected' THEN EXCLUDED.carrier ELSE tracking_numbers.carrier END,
         qoo10_carrier_name = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected'
                                   THEN EXCLUDED.qoo10_carrier_name ELSE tracking_numbers.qoo10_carrier_name END,
         source = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected' THEN EXCLUDED.source ELSE tracking_numbers.source END,
         source_ref = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected' THEN EXCLUDED.source_ref ELSE tracking_numbers.source_ref END,
         error = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected' THEN NULL ELSE tracking_numbers.error END,
         status = CASE WHEN tracking_numbers.status = 'rejected' AND EXCLUDED.status <> 'rejected' THEN EXCLUDED.status ELSE tracking_numbers.status END`,
      [
        shopId,
        column('orderNo'),
        column('carrier'),
        column('qoo10CarrierName'),
        column('trackingNo'),
        column('source'),
        column('sourceRef'),
        column('status'),
        column('actionId'),
        column('submittedAt'),
        column('error'),
      ],
    );
  }

  /**
   * The outbox keys among `keys` that a cancel request waits on (a refusal's tracking): those rows are
   * closed through ActionExecutor.recordSuccess, which also settles the request.
   */
  async keysAwaitedByRequests(shopId: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: Array<{ key: string }> = await this.dataSource.query(
      `SELECT DISTINCT k.key FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
       CROSS JOIN LATERAL unnest(d.action_keys) AS k(key)
       WHERE r.shop_id = $1 AND r.status = 'acting' AND d.action_keys && $2::text[] AND k.key = ANY($2::text[])`,
      [shopId, keys],
    );
    return new Set(rows.map((row) => row.key));
  }

  /**
   * Records a SetSendingInfoBulk chunk's applied rows in ONE transaction (one per row cost ~1.8 ms each):
   * the same writes ActionExecutor.recordSuccess makes per row, the outbox row succeeded, the order in
   * delivery with the number, the stored number submitted. Rows a cancel request waits on are not
   * given here (keysAwaitedByRequests): the executor closes those and settles their requests.
   */
  async recordSubmittedChunk(
    shopId: string,
    rows: ReadonlyArray<{ actionId: string; orderNo: string; carrier: string; trackingNo: string }>,
    response: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE actions SET state = 'succeeded', response = $2::jsonb, error_code = NULL, error_message = NULL, completed_at = now()
         WHERE id = ANY($1::bigint[])`,
        [column('actionId'), JSON.stringify({ ...response, at: now.toISOString() })],
      );
      await em.query(
        `UPDATE orders o SET shipping_status = 4, carrier = r.carrier, tracking_no = r.tracking_no, updated_at = now()
         FROM unnest($2::text[], $3::text[], $4::text[]) AS r(order_no, carrier, tracking_no)
         WHERE o.shop_id = $1 AND o.order_no = r.order_no`,
        [shopId, column('orderNo'), column('carrier'), column('trackingNo')],
      );
      await em.query(
        `UPDATE tracking_numbers t SET status = 'submitted', submitted_at = $5, action_id = r.action_id, error = NULL
         FROM unnest($2::text[], $3::text[], $4::bigint[]) AS r(order_no, tracking_no, action_id)
         WHERE t.shop_id = $1 AND t.order_no = r.order_no AND t.tracking_no = r.tracking_no AND t.status IN ('pending', 'rejected')`,
        [shopId, column('orderNo'), column('trackingNo'), column('actionId'), now],
      );
    });
  }

  /** One stored number by id (a person resending a rejected one), with its shop. */
  async findSubmission(id: string): Promise<(TrackingSubmission & { shopId: string }) | null> {
    const rows: Array<SubmissionRow & { shop_id: string }> = await this.dataSource.query(
      `SELECT t.id, t.shop_id, t.order_no, t.carrier, t.qoo10_carrier_name, t.tracking_no, t.source, t.source_ref, t.status, t.error,
              t.created_at, t.submitted_at, t.confirmed_at, a.state AS action_state, a.attempts, a.response
       FROM tracking_numbers t LEFT JOIN actions a ON a.id = t.action_id WHERE t.id = $1`,
      [id],
    );
    return rows[0] ? { ...toSubmission(rows[0]), shopId: rows[0].shop_id } : null;
  }

  /** Newest first, with Qoo10's answer from the outbox, for "what failed and why". */
  async listSubmissions(shopId: string, filter: { status?: TrackingStatus; limit: number }): Promise<TrackingSubmission[]> {
    const rows: SubmissionRow[] = await this.dataSource.query(
      `SELECT t.id, t.order_no, t.carrier, t.qoo10_carrier_name, t.tracking_no, t.source, t.source_ref, t.status, t.error,
              t.created_at, t.submitted_at, t.confirmed_at, a.state AS action_state, a.attempts, a.response
       FROM tracking_numbers t LEFT JOIN actions a ON a.id = t.action_id
       WHERE t.shop_id = $1 AND ($2::text IS NULL OR t.status = $2)
       ORDER BY t.created_at DESC, t.id DESC
       LIMIT $3`,
      [shopId, filter.status ?? null, filter.limit],
    );
    return rows.map(toSubmission);
  }

  /**
   * Marks numbers 'confirmed' when a read from Qoo10 shows the order shipped (配送中 or later) with
   * that number. Our own success writes the same values into orders (ActionExecutor.recordSuccess), so
   * for a number we submitted the order row must have been refreshed after that write: both instants
   * come from the database clock, and now() is the same within one transaction.
   */
  async confirmShownOnQoo10(shopId: string, now: Date): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, confirmed]: [unknown[], number] = await this.dataSource.query(
      `UPDATE tracking_numbers t SET status = 'confirmed', confirmed_at = $2, error = NULL
       FROM orders o
       WHERE t.shop_id = $1 AND t.status IN ('pending', 'submitted')
         AND o.shop_id = t.shop_id AND o.order_no = t.order_no AND o.tracking_no = t.tracking_no
         AND o.shipping_status >= 4 AND o.cancelled_at IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM actions a
           WHERE a.id = t.action_id AND a.completed_at IS NOT NULL AND o.updated_at <= a.completed_at)`,
      [shopId, now],
    );
    return confirmed;
  }

  /**
   * Orders the shop handed to the carrier since `since` whose number is neither submitted by us nor
   * shown by Qoo10: candidates for the same-day cut-off alert.
   */
  async findHandoversWithoutTracking(shopId: string, since: Date): Promise<Array<{ orderNo: string; handedToCarrierAt: Date }>> {
    const rows: Array<{ order_no: string; handed_to_carrier_at: Date }> = await this.dataSource.query(
      `SELECT f.order_no, f.handed_to_carrier_at FROM order_facts f
       LEFT JOIN orders o ON o.shop_id = f.shop_id AND o.order_no = f.order_no
       WHERE f.shop_id = $1 AND f.handed_to_carrier_at >= $2
         AND o.cancelled_at IS NULL AND COALESCE(o.shipping_status, 0) < 4
         AND NOT EXISTS (
           SELECT 1 FROM tracking_numbers t
           WHERE t.shop_id = f.shop_id AND t.order_no = f.order_no AND t.status IN ('submitted', 'confirmed'))
       ORDER BY f.handed_to_carrier_at, f.order_no`,
      [shopId, since],
    );
    return rows.map((row) => ({ orderNo: row.order_no, handedToCarrierAt: row.handed_to_carrier_at }));
  }
}

function toSubmission(row: SubmissionRow): TrackingSubmission {
  return {
    id: String(row.id),
    orderNo: row.order_no,
    carrier: row.carrier,
    qoo10CarrierName: row.qoo10_carrier_name,
    trackingNo: row.tracking_no,
    source: row.source,
    sourceRef: row.source_ref,
    status: row.status,
    error: row.error,
    actionState: row.action_state,
    attempts: row.attempts ?? 0,
    qoo10Response: row.response ?? null,
    createdAt: row.created_at,
    submittedAt: row.submitted_at,
    confirmedAt: row.confirmed_at,
  };
}
