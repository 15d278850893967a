// A hand-written Qoo10 client for tests of the tracking path: it keeps the orders it was told about,
// applies SetSendingInfo like Qoo10 (配送中, tracking replaced), and can refuse chosen orders or lose
// answers, the way HttpQoo10Client reports them (per-row results, code null when the answer is lost).
import type { OrderSnapshot } from '../../src/domain/types';
import type { BulkRowResult, Qoo10Client, SendingInfoRow } from '../../src/qoo10/qoo10-client';
import { Qoo10TimeoutError, Qoo10WrongStateError } from '../../src/qoo10/errors';

interface FakeOrder {
  packNo: string;
  shippingStatus: number;
  carrier: string | null;
  trackingNo: string | null;
}

export class FakeQoo10Client implements Qoo10Client {
  readonly orders = new Map<string, FakeOrder>();
  /** Every SetSendingInfo row that reached "Qoo10", single or bulk, in order. */
  readonly sent: SendingInfoRow[] = [];
  readonly calls: Array<{ method: 'single' | 'bulk'; rows: number }> = [];
  /** Orders Qoo10 refuses with -10004 (wrong state). */
  readonly refuse = new Set<string>();
  /** When set, calls are applied (or not) but their answer is lost, as on a timeout. */
  loseAnswers: 'applied' | 'not_applied' | null = null;

  addOrder(orderNo: string, packNo = orderNo, shippingStatus = 3): void {
    this.orders.set(orderNo, { packNo, shippingStatus, carrier: null, trackingNo: null });
  }

  async setSendingInfo(row: SendingInfoRow): Promise<void> {
    this.calls.push({ method: 'single', rows: 1 });
    const code = this.apply(row);
    if (this.loseAnswers) throw new Qoo10TimeoutError('ShippingBasic.SetSendingInfo: no answer (fake)');
    if (code !== 0) throw new Qoo10WrongStateError(`ShippingBasic.SetSendingInfo failed with Qoo10 code ${code}: wrong state`, { qoo10Code: code });
  }

  async setSendingInfoBulk(rows: readonly SendingInfoRow[]): Promise<BulkRowResult[]> {
    this.calls.push({ method: 'bulk', rows: rows.length });
    if (rows.length > 500) throw new Error('the fake, like Qoo10, takes at most 500 rows');
    const codes = rows.map((row) => this.apply(row));
    if (this.loseAnswers) return rows.map((row) => ({ orderNo: row.orderNo, ok: false, code: null, message: 'timeout (fake)' }));
    return rows.map((row, i) => ({ orderNo: row.orderNo, ok: codes[i] === 0, code: codes[i]!, message: codes[i] === 0 ? 'SUCCESS' : 'wrong state' }));
  }

  async getOrderSnapshot(orderNo: string): Promise<OrderSnapshot | null> {
    const order = this.orders.get(orderNo);
    if (!order) return null;
    return {
      orderNo,
      packNo: order.packNo,
      shippingStatus: order.shippingStatus as OrderSnapshot['shippingStatus'],
      orderedAt: null,
      shippedAt: null,
      carrier: order.carrier,
      trackingNo: order.trackingNo,
      claimStatus: null,
      claimReason: null,
      claimRequestedAt: null,
    };
  }

  async getClaims(): Promise<never> {
    throw new Error('FakeQoo10Client.getClaims is not used by these tests');
  }
  async getOrders(): Promise<never> {
    throw new Error('FakeQoo10Client.getOrders is not used by these tests');
  }
  async readOrders(): Promise<never> {
    throw new Error('FakeQoo10Client.readOrders is not used by these tests');
  }
  async cancelOrder(): Promise<never> {
    throw new Error('FakeQoo10Client.cancelOrder is not used by these tests');
  }
  async confirmOrder(): Promise<never> {
    throw new Error('FakeQoo10Client.confirmOrder is not used by these tests');
  }
  async createCertificationKey(): Promise<never> {
    throw new Error('FakeQoo10Client.createCertificationKey is not used by these tests');
  }

  private apply(row: SendingInfoRow): number {
    const order = this.orders.get(row.orderNo);
    if (!order) return -10002;
    if (this.refuse.has(row.orderNo)) return -10004;
    if (this.loseAnswers === 'not_applied') return 0;
    this.sent.push({ ...row });
    order.shippingStatus = 4;
    order.carrier = row.carrier;
    order.trackingNo = row.trackingNo;
    return 0;
  }
}
