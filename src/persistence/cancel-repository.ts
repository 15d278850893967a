import type { DataSource, EntityManager } from 'typeorm';
import { classifyCancel, type CancelCause } from '../domain/cancel-rate';
import { jstMonthOf } from '../domain/jst-calendar';

export interface CompletedCancel {
  orderNo: string;
  orderedAt: Date;
  cancelledAt: Date;
  cause: CancelCause;
  itemKey: string;
  itemTitle: string;
  /** 'qoo10': learned from a ClaimStat 3 row; 'action': completed by our own SetCancelProcess. */
  source: 'qoo10' | 'action';
}

/**
 * Completed cancels, each classified once at write time (counted, or excluded by the exclusion
 * window) and stamped with its JST order and cancel months, so the rate is a sum over an index.
 */
export class CancelRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly exclusionHours: number,
  ) {}

  /**
   * Records a completed cancel once per order. When our own action and Qoo10's list both report it,
   * the first record stands, except that a cause we decided (seller fault) is never replaced by
   * Qoo10's row, which does not say whose fault it was.
   */
  async recordCancel(shopId: string, cancel: CompletedCancel, manager?: EntityManager): Promise<boolean> {
    const em = manager ?? this.dataSource.manager;
    const counted = classifyCancel(cancel.orderedAt, cancel.cancelledAt, this.exclusionHours) === 'counted';
    const rows: unknown[] = await em.query(
      `INSERT INTO cancels (shop_id, order_no, ordered_at, cancelled_at, order_month, cancel_month, cause, counted,
         item_key, item_title, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (shop_id, order_no) DO NOTHING RETURNING order_no`,
      [
        shopId,
        cancel.orderNo,
        cancel.orderedAt,
        cancel.cancelledAt,
        jstMonthOf(cancel.orderedAt),
        jstMonthOf(cancel.cancelledAt),
        cancel.cause,
        counted,
        cancel.itemKey,
        cancel.itemTitle,
        cancel.source,
      ],
    );
    return rows.length > 0;
  }

  async isRecorded(shopId: string, orderNo: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM cancels WHERE shop_id = $1 AND order_no = $2', [shopId, orderNo]);
    return rows.length > 0;
  }
}
