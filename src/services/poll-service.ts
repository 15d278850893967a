import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { ClaimStatus, ShippingStatus, type Claim, type Shop } from '../domain/types';
import { jstMonthRange, jstMonthOf } from '../domain/jst-calendar';
import { causeFromQoo10Reason } from '../domain/cancel-booking';
import { ClaimSearchCondition, OrderSearchCondition, type Qoo10Client } from '../qoo10/qoo10-client';
import type { OrderRepository } from '../persistence/order-repository';
import type { CancelRequestRepository } from '../persistence/cancel-request-repository';
import type { CancelRepository } from '../persistence/cancel-repository';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Each poll re-reads this far behind the previous one, so nothing slips between two windows. */
export const POLL_OVERLAP_MS = 30 * MINUTE_MS;
/** Pending cancel requests are re-listed over this many days every poll: a request is never lost. */
export const REQUEST_LOOKBACK_MS = 14 * DAY_MS;

export interface PollCounts {
  orders: number;
  newOrders: number;
  requests: number;
  newRequests: number;
  completedCancels: number;
  newCompletedCancels: number;
}

/** Moved to the domain with the rest of the cancel booking rules; re-exported for existing callers. */
export { causeFromQoo10Reason };

/**
 * Reads one shop's orders and claims from Qoo10 and stores them idempotently. The first poll of a
 * shop reaches back to the start of the JST month (the rate needs the whole month's orders); later
 * polls start where the last successful one ended, minus an overlap.
 */
export class PollService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly requests: CancelRequestRepository,
    private readonly cancels: CancelRepository,
    private readonly logger: Logger,
  ) {}

  windowFor(lastWindowEnd: Date | null, now: Date): { from: Date; to: Date } {
    const monthStart = jstMonthRange(jstMonthOf(now)).start;
    const from = lastWindowEnd ? new Date(lastWindowEnd.getTime() - POLL_OVERLAP_MS) : monthStart;
    return { from, to: now };
  }

  async pollShop(shop: Shop, client: Qoo10Client, window: { from: Date; to: Date }, signal?: AbortSignal): Promise<PollCounts> {
    const log = this.logger.child({ shopId: shop.id });
    const { from, to } = window;

    // Statuses 1–3 (Qoo10's default), then shipped and delivered ones, all by order date: the first
    // poll of a month finds orders that already shipped. Shipping transitions of older orders come
    // from the shipped-by-shipping-date list.
    const orderLists = [
      await client.getOrders({ from, to, condition: OrderSearchCondition.OrderDate }, signal),
      await client.getOrders({ from, to, condition: OrderSearchCondition.OrderDate, shippingStatus: ShippingStatus.InDelivery }, signal),
      await client.getOrders({ from, to, condition: OrderSearchCondition.OrderDate, shippingStatus: ShippingStatus.Delivered }, signal),
      await client.getOrders({ from, to, condition: OrderSearchCondition.ShippingDate, shippingStatus: ShippingStatus.InDelivery }, signal),
    ];
    const allOrders = orderLists.flat();
    const { inserted } = await this.orders.upsertOrders(shop.id, allOrders);

    const requestFrom = new Date(Math.min(from.getTime(), to.getTime() - REQUEST_LOOKBACK_MS));
    const pending = await client.getClaims(
      { claimStatus: ClaimStatus.CancelRequested, from: requestFrom, to, condition: ClaimSearchCondition.RequestDate },
      signal,
    );
    const completed = await client.getClaims(
      { claimStatus: ClaimStatus.Cancelled, from, to, condition: ClaimSearchCondition.CompletedDate },
      signal,
    );

    const newRequests = await this.dataSource.transaction(async (em) => {
      for (const claim of pending) {
        if (!(await this.orders.findOrder(shop.id, claim.orderNo, em))) await this.orders.ensureOrderFromClaim(shop.id, claim, em);
      }
      return this.requests.recordRequests(shop.id, pending, em);
    });

    let newCompleted = 0;
    for (const claim of completed) {
      if (await this.recordCompletedCancel(shop, claim)) newCompleted += 1;
    }

    const counts: PollCounts = {
      orders: allOrders.length,
      newOrders: inserted,
      requests: pending.length,
      newRequests,
      completedCancels: completed.length,
      newCompletedCancels: newCompleted,
    };
    log.info({ ...counts, from, to }, 'shop polled');
    return counts;
  }

  /** A ClaimStat 3 row: the order is cancelled; its open requests are settled on Qoo10's side. */
  private async recordCompletedCancel(shop: Shop, claim: Claim): Promise<boolean> {
    const cancelledAt = claim.completedAt ?? claim.requestedAt;
    return this.dataSource.transaction(async (em) => {
      let order = await this.orders.findOrder(shop.id, claim.orderNo, em);
      if (!order) {
        await this.orders.ensureOrderFromClaim(shop.id, claim, em);
        order = await this.orders.findOrder(shop.id, claim.orderNo, em);
      }
      const orderedAt = order?.orderedAt ?? claim.orderedAt;
      if (!orderedAt) {
        this.logger.warn({ shopId: shop.id, orderNo: claim.orderNo }, 'completed cancel without an order date; not counted yet');
        return false;
      }
      await this.orders.markCancelled(shop.id, claim.orderNo, cancelledAt, em);
      for (const id of await this.requests.openRequestIdsForOrder(shop.id, claim.orderNo, em)) {
        await this.requests.setStatus(em, id, 'closed', 'cancelled_on_qoo10');
      }
      // The cause we decided and sent wins over a guess from Qoo10's reason text (domain/cancel-booking.ts).
      const sentCause = await this.cancels.sentCancelCause(shop.id, claim.orderNo, em);
      return this.cancels.recordCancel(
        shop.id,
        {
          orderNo: claim.orderNo,
          orderedAt,
          cancelledAt,
          timeSource: claim.completedAt ? 'qoo10' : 'sent',
          cause: sentCause ?? causeFromQoo10Reason(claim.reason),
          causeSource: sentCause ? 'decision' : 'qoo10',
          itemKey: order?.sellerItemCode ?? claim.sellerItemCode ?? claim.itemNo,
          itemTitle: order?.itemTitle ?? claim.itemTitle,
          source: 'qoo10',
        },
        em,
      );
    });
  }
}
