import type { DataSource, EntityManager } from 'typeorm';
import type { HoldReason } from '../domain/shipment-row-check';

export type HeldShipmentStatus = 'held' | 'submitted' | 'discarded';
export const HELD_SHIPMENT_STATUSES: readonly HeldShipmentStatus[] = ['held', 'submitted', 'discarded'];

/** The values of a held row a person can see and correct. */
export interface HeldValues {
  orderNo: string;
  carrier: string;
  service: string;
  trackingNo: string;
}

export interface NewHeldShipment extends HeldValues {
  source: 'csv' | 'api' | 'manual';
  sourceRef: string;
  reasons: HoldReason[];
}

export interface HeldShipment extends NewHeldShipment {
  id: string;
  shopId: string;
  status: HeldShipmentStatus;
  correctedBy: string | null;
  resolvedBy: string | null;
  /** What the submission reported (the intake report's row), once submitted. */
  result: unknown;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
}

interface HeldRow {
  id: string;
  shop_id: string;
  source: NewHeldShipment['source'];
  source_ref: string;
  order_no: string;
  carrier: string;
  service: string;
  tracking_no: string;
  reasons: HoldReason[];
  status: HeldShipmentStatus;
  corrected_by: string | null;
  resolved_by: string | null;
  result: unknown;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

const toHeld = (row: HeldRow): HeldShipment => ({
  id: String(row.id),
  shopId: row.shop_id,
  source: row.source,
  sourceRef: row.source_ref,
  orderNo: row.order_no,
  carrier: row.carrier,
  service: row.service,
  trackingNo: row.tracking_no,
  reasons: row.reasons,
  status: row.status,
  correctedBy: row.corrected_by,
  resolvedBy: row.resolved_by,
  result: row.result ?? null,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  resolvedAt: row.resolved_at,
});

// PostgreSQL text cannot hold U+0000; a NUL in a junk row is shown as U+FFFD (it is junk either way).
const storable = (value: string) => value.replace(/\u0000/g, '\ufffd');

/** Tracking rows held for a person: never sent until someone corrects or confirms them. */
export class HeldShipmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores held rows in one statement; returns their ids in the order given. */
  async holdRows(shopId: string, rows: readonly NewHeldShipment[], manager?: EntityManager): Promise<string[]> {
    if (rows.length === 0) return [];
    const em = manager ?? this.dataSource.manager;
    const column = (pick: (row: NewHeldShipment) => string) => rows.map((row) => storable(pick(row)));
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO held_shipments (shop_id, source, source_ref, order_no, carrier, service, tracking_no, reasons)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
       RETURNING id`,
      [
        shopId,
        rows.map((row) => row.source),
        column((row) => row.sourceRef),
        column((row) => row.orderNo),
        column((row) => row.carrier),
        column((row) => row.service),
        column((row) => row.trackingNo),
        rows.map((row) => JSON.stringify(row.reasons).replace(/\\u0000/g, '\\ufffd')),
      ],
    );
    return inserted.map((row) => String(row.id));
  }

  async listHeld(shopId: string, filter: { status?: HeldShipmentStatus; limit: number }): Promise<HeldShipment[]> {
    const rows: HeldRow[] = await this.dataSource.query(
      `SELECT * FROM held_shipments WHERE shop_id = $1 AND status = $2 ORDER BY id LIMIT $3`,
      [shopId, filter.status ?? 'held', filter.limit],
    );
    return rows.map(toHeld);
  }

  async findHeld(id: string, manager?: EntityManager): Promise<HeldShipment | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: HeldRow[] = await em.query('SELECT * FROM held_shipments WHERE id = $1', [id]);
    return rows[0] ? toHeld(rows[0]) : null;
  }

  /** Locks a row that is still held, so one person's submit cannot race another's. */
  async lockHeld(manager: EntityManager, id: string): Promise<HeldShipment | null> {
    const rows: HeldRow[] = await manager.query(`SELECT * FROM held_shipments WHERE id = $1 AND status = 'held' FOR UPDATE`, [id]);
    return rows[0] ? toHeld(rows[0]) : null;
  }

  /** A person's correction: new values and the reasons they still leave. */
  async recordCorrection(manager: EntityManager, id: string, values: HeldValues, reasons: HoldReason[], person: string): Promise<void> {
    await manager.query(
      `UPDATE held_shipments SET order_no = $2, carrier = $3, service = $4, tracking_no = $5, reasons = $6::jsonb,
         corrected_by = $7, updated_at = now()
       WHERE id = $1`,
      [id, storable(values.orderNo), storable(values.carrier), storable(values.service), storable(values.trackingNo), JSON.stringify(reasons), person],
    );
  }

  /** Puts a row back in the list after a submit that did not go through, with the reasons it now has. */
  async reopen(id: string, reasons: HoldReason[], person: string, result: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE held_shipments SET status = 'held', reasons = $2::jsonb, result = $3::jsonb, resolved_by = NULL, resolved_at = NULL,
         corrected_by = $4, updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(reasons), JSON.stringify(result ?? null), person],
    );
  }

  async resolve(manager: EntityManager, id: string, status: 'submitted' | 'discarded', person: string, result: unknown): Promise<void> {
    await manager.query(
      `UPDATE held_shipments SET status = $2, resolved_by = $3, result = $4::jsonb, resolved_at = now(), updated_at = now() WHERE id = $1`,
      [id, status, person, JSON.stringify(result ?? null)],
    );
  }
}
