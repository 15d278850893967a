import type { DataSource, EntityManager } from 'typeorm';
import type { DecisionFacts, Order, SellerFaultCause, TrackingInfo } from '../domain/types';
import type { ParcelSignals } from '../domain/money-safety';

export interface ItemFact {
  sellerItemCode: string;
  available: number | null;
  madeToOrder: boolean;
  updatedAt: Date;
}

export interface OrderFact {
  orderNo: string;
  packedAt: Date | null;
  handedToCarrierAt: Date | null;
  shopFault: SellerFaultCause | null;
  note: string | null;
}

/** What the shop knows that Qoo10 does not: stock, made-to-order items, packed/handed-over orders. */
export class FactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Sets the units available per seller item code (a stock import), in one statement. */
  async setStock(shopId: string, items: ReadonlyArray<{ sellerItemCode: string; available: number }>): Promise<number> {
    if (items.length === 0) return 0;
    const unique = [...new Map(items.map((item) => [item.sellerItemCode, item])).values()];
    await this.dataSource.query(
      `INSERT INTO item_facts (shop_id, seller_item_code, available)
       SELECT $1, * FROM unnest($2::text[], $3::int[])
       ON CONFLICT (shop_id, seller_item_code) DO UPDATE SET available = EXCLUDED.available, updated_at = now()`,
      [shopId, unique.map((item) => item.sellerItemCode), unique.map((item) => item.available)],
    );
    return unique.length;
  }

  /** Seller item codes the shop has seen: in its orders or in its stored item facts. */
  async knownItemCodes(shopId: string): Promise<Set<string>> {
    const rows: Array<{ code: string }> = await this.dataSource.query(
      `SELECT seller_item_code AS code FROM item_facts WHERE shop_id = $1
       UNION SELECT DISTINCT seller_item_code FROM orders WHERE shop_id = $1 AND seller_item_code IS NOT NULL`,
      [shopId],
    );
    return new Set(rows.map((row) => row.code));
  }

  async setMadeToOrder(shopId: string, sellerItemCode: string, madeToOrder: boolean): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO item_facts (shop_id, seller_item_code, made_to_order) VALUES ($1, $2, $3)
       ON CONFLICT (shop_id, seller_item_code) DO UPDATE SET made_to_order = EXCLUDED.made_to_order, updated_at = now()`,
      [shopId, sellerItemCode, madeToOrder],
    );
  }

  async listItemFacts(shopId: string): Promise<ItemFact[]> {
    const rows: Array<{ seller_item_code: string; available: number | null; made_to_order: boolean; updated_at: Date }> =
      await this.dataSource.query('SELECT * FROM item_facts WHERE shop_id = $1 ORDER BY seller_item_code', [shopId]);
    return rows.map((row) => ({
      sellerItemCode: row.seller_item_code,
      available: row.available,
      madeToOrder: row.made_to_order,
      updatedAt: row.updated_at,
    }));
  }

  /** Records what happened to an order in the shop: packed, handed to the carrier, a shop fault. */
  async recordOrderFact(
    shopId: string,
    orderNo: string,
    fact: { packedAt?: Date | null; handedToCarrierAt?: Date | null; shopFault?: SellerFaultCause | null; note?: string | null },
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO order_facts (shop_id, order_no, packed_at, handed_to_carrier_at, shop_fault, note)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (shop_id, order_no) DO UPDATE SET
         packed_at = COALESCE(EXCLUDED.packed_at, order_facts.packed_at),
         handed_to_carrier_at = COALESCE(EXCLUDED.handed_to_carrier_at, order_facts.handed_to_carrier_at),
         shop_fault = COALESCE(EXCLUDED.shop_fault, order_facts.shop_fault),
         note = COALESCE(EXCLUDED.note, order_facts.note),
         updated_at = now()`,
      [shopId, orderNo, fact.packedAt ?? null, fact.handedToCarrierAt ?? null, fact.shopFault ?? null, fact.note ?? null],
    );
  }

  /**
   * The facts decide() needs for one order. Stock is per seller item code; an item the shop never
   * reported stays `null` (unknown), which sends the request to a person rather than guessing.
   */
  async factsFor(shopId: string, order: Order, manager?: EntityManager): Promise<DecisionFacts> {
    const em = manager ?? this.dataSource.manager;
    const [item]: Array<{ available: number | null; made_to_order: boolean }> = order.sellerItemCode
      ? await em.query('SELECT available, made_to_order FROM item_facts WHERE shop_id = $1 AND seller_item_code = $2', [
          shopId,
          order.sellerItemCode,
        ])
      : [];
    const [fact]: Array<{ packed_at: Date | null; handed_to_carrier_at: Date | null; shop_fault: SellerFaultCause | null }> =
      await em.query('SELECT packed_at, handed_to_carrier_at, shop_fault FROM order_facts WHERE shop_id = $1 AND order_no = $2', [
        shopId,
        order.orderNo,
      ]);
    const [tracking]: Array<{ qoo10_carrier_name: string; tracking_no: string }> = await em.query(
      `SELECT qoo10_carrier_name, tracking_no FROM tracking_numbers
       WHERE shop_id = $1 AND order_no = $2 AND status <> 'rejected' ORDER BY created_at DESC LIMIT 1`,
      [shopId, order.orderNo],
    );
    const known: TrackingInfo | null = tracking ? { carrier: tracking.qoo10_carrier_name, trackingNo: tracking.tracking_no } : null;
    return {
      stockAvailable: item ? item.available : null,
      madeToOrder: item?.made_to_order ?? false,
      packed: Boolean(fact?.packed_at),
      handedToCarrier: Boolean(fact?.handed_to_carrier_at) || known !== null,
      tracking: known,
      shopFault: fact?.shop_fault ?? null,
    };
  }

  /**
   * The shop's own signs that a parcel may have left, read right before a cancel: facts recorded on the
   * order or another line of its cart, any tracking number held for it (held, pending, submitted, confirmed
   * or even rejected: a label was printed), and any tracking write queued or sent for it.
   */
  async parcelSignals(shopId: string, orderNo: string, manager?: EntityManager): Promise<ParcelSignals> {
    const em = manager ?? this.dataSource.manager;
    const [row]: Array<{ handed: boolean; packed: boolean; tracking_known: boolean; tracking_queued: boolean }> = await em.query(
      `WITH cart AS (
         SELECT $2::text AS order_no
         UNION SELECT o2.order_no FROM orders o JOIN orders o2 ON o2.shop_id = o.shop_id AND o2.pack_no = o.pack_no
         WHERE o.shop_id = $1 AND o.order_no = $2
       )
       SELECT
         EXISTS (SELECT 1 FROM order_facts f WHERE f.shop_id = $1 AND f.order_no IN (SELECT order_no FROM cart) AND f.handed_to_carrier_at IS NOT NULL) AS handed,
         EXISTS (SELECT 1 FROM order_facts f WHERE f.shop_id = $1 AND f.order_no = $2 AND f.packed_at IS NOT NULL) AS packed,
         EXISTS (SELECT 1 FROM tracking_numbers t WHERE t.shop_id = $1 AND t.order_no = $2) AS tracking_known,
         EXISTS (SELECT 1 FROM actions a WHERE a.shop_id = $1 AND a.order_no = $2 AND a.kind = 'send_tracking') AS tracking_queued`,
      [shopId, orderNo],
    );
    return {
      handedToCarrier: Boolean(row?.handed),
      packed: Boolean(row?.packed),
      trackingKnown: Boolean(row?.tracking_known),
      trackingQueued: Boolean(row?.tracking_queued),
    };
  }

  /**
   * A tracking number the shop knows (label printed, parcel handed over) that Qoo10 may not have yet.
   * It makes the order refusable; submitting it to Qoo10 goes through the outbox.
   */
  async recordKnownTracking(shopId: string, orderNo: string, qoo10CarrierName: string, trackingNo: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tracking_numbers (shop_id, order_no, carrier, qoo10_carrier_name, tracking_no, source)
       VALUES ($1, $2, $3, $3, $4, 'manual')
       ON CONFLICT (shop_id, order_no, tracking_no) DO NOTHING`,
      [shopId, orderNo, qoo10CarrierName, trackingNo],
    );
  }
}
