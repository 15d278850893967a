import type { DataSource } from 'typeorm';
import type { CaseNotes, ContactChannel, OfferKind } from '../domain/buyer-messages';
import type { Order, ShippingStatusCode } from '../domain/types';
import { toStoredDecision, type StoredDecision } from './cancel-request-repository';

/** One case for the log: a request we settled, the decision that settled it, and its order. */
export interface CaseRow {
  requestId: string;
  decision: StoredDecision;
  order: Order;
  /** True when a person answered the request by hand in QSM. */
  handledInQsm: boolean;
  notes: CaseNotes | null;
}

interface NotesRow {
  contact_channel: ContactChannel | null;
  contacted_at: Date | string | null;
  call_made: boolean;
  call_summary: string | null;
  offered: OfferKind[];
  buyer_reaction: string | null;
  root_cause: string | null;
}

const NOTES_COLUMNS = 'contact_channel, contacted_at, call_made, call_summary, offered, buyer_reaction, root_cause';

function toNotes(row: NotesRow): CaseNotes {
  return {
    contactChannel: row.contact_channel,
    contactedAt: row.contacted_at === null ? null : new Date(row.contacted_at),
    callMade: row.call_made,
    callSummary: row.call_summary,
    offered: row.offered,
    buyerReaction: row.buyer_reaction,
    rootCause: row.root_cause,
  };
}

/** A person's edit of a case's notes; a field left out keeps its value. */
export type CaseNotesPatch = Partial<CaseNotes>;

/**
 * The case log is read, not stored: decisions are append-only and orders are kept, so the log can
 * never disagree with what was decided.
 */
export class CaseLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Requests we settled, and requests a person answered by hand in QSM, whose deciding decision was
   * taken in [start, end), with their order and notes, in time order.
   */
  async settledCases(shopId: string, range: { start: Date; end: Date }): Promise<CaseRow[]> {
    // The buyer's name, address and phone are left in the database: the case log is about items and timing.
    const rows: Array<Parameters<typeof toStoredDecision>[0] & { order_json: OrderJson; handled_in_qsm: boolean; notes_json: NotesRow | null }> =
      await this.dataSource.query(
        `SELECT d.*, to_jsonb(o) - 'buyer_name' - 'buyer_email' - 'buyer_phone' AS order_json,
           (r.status = 'closed') AS handled_in_qsm,
           (SELECT to_jsonb(n) FROM (SELECT ${NOTES_COLUMNS} FROM case_notes WHERE request_id = r.id) n) AS notes_json
         FROM decisions d
         JOIN cancel_requests r ON r.current_decision_id = d.id
         JOIN orders o ON o.shop_id = r.shop_id AND o.order_no = r.order_no
         WHERE r.shop_id = $1 AND (r.status = 'done' OR (r.status = 'closed' AND d.code = 'handled_in_qsm'))
           AND d.created_at >= $2 AND d.created_at < $3
         ORDER BY d.created_at, d.id`,
        [shopId, range.start, range.end],
      );
    return rows.map((row) => ({
      requestId: String(row.request_id),
      decision: toStoredDecision(row),
      order: orderFromJson(row.order_json),
      handledInQsm: row.handled_in_qsm,
      notes: row.notes_json ? toNotes(row.notes_json) : null,
    }));
  }

  async findNotes(requestId: string): Promise<CaseNotes | null> {
    const rows: NotesRow[] = await this.dataSource.query(`SELECT ${NOTES_COLUMNS} FROM case_notes WHERE request_id = $1`, [requestId]);
    return rows[0] ? toNotes(rows[0]) : null;
  }

  /**
   * Writes the fields given and keeps the others. With `onlyIfEmpty` a field is written only where
   * nothing was recorded yet: used for what the service notes by itself (a QSM send, a call summary),
   * which must never overwrite what a person wrote.
   */
  async saveNotes(shopId: string, requestId: string, patch: CaseNotesPatch, by: string, onlyIfEmpty = false): Promise<CaseNotes> {
    const columns: Array<[string, unknown, string]> = [];
    const add = (key: keyof CaseNotes, column: string, type: string) => {
      if (patch[key] !== undefined) columns.push([column, patch[key], type]);
    };
    add('contactChannel', 'contact_channel', 'text');
    add('contactedAt', 'contacted_at', 'timestamptz');
    add('callMade', 'call_made', 'boolean');
    add('callSummary', 'call_summary', 'text');
    add('offered', 'offered', 'text[]');
    add('buyerReaction', 'buyer_reaction', 'text');
    add('rootCause', 'root_cause', 'text');
    const params: unknown[] = [requestId, shopId, by, ...columns.map(([, value]) => value)];
    const names = columns.map(([column]) => column);
    const values = columns.map(([, , type], i) => `$${i + 4}::${type}`);
    const set = columns.map(([column, , type], i) => {
      const value = `$${i + 4}::${type}`;
      if (!onlyIfEmpty) return `${column} = ${value}`;
      if (column === 'call_made') return `${column} = case_notes.${column} OR ${value}`;
      if (column === 'offered') return `${column} = CASE WHEN cardinality(case_notes.offered) = 0 THEN ${value} ELSE case_notes.offered END`;
      return `${column} = COALESCE(case_notes.${column}, ${value})`;
    });
    const rows: NotesRow[] = await this.dataSource.query(
      `INSERT INTO case_notes (request_id, shop_id, updated_by${names.map((n) => `, ${n}`).join('')})
       VALUES ($1, $2, $3${values.map((v) => `, ${v}`).join('')})
       ON CONFLICT (request_id) DO UPDATE SET updated_by = $3, updated_at = now()${set.map((s) => `, ${s}`).join('')}
       RETURNING ${NOTES_COLUMNS}`,
      params,
    );
    return toNotes(rows[0] as NotesRow);
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
