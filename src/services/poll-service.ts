import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { ClaimStatus, ShippingStatus, type Claim, type Decision, type Order, type Shop } from '../domain/types';
import { jstDayRangeOf, jstMonthRange, jstMonthOf } from '../domain/jst-calendar';
import { causeFromQoo10Reason } from '../domain/cancel-booking';
import { orderFromClaimAndSnapshot } from '../domain/order-snapshot';
import { ClaimSearchCondition, OrderSearchCondition, type OrderQuery, type Qoo10Client, type RowFault } from '../qoo10/qoo10-client';
import { pollReadWindows } from '../domain/poll-windows';
import { Qoo10MalformedResponseError } from '../qoo10/errors';
import type { OrderRepository } from '../persistence/order-repository';
import type { CancelRequestRepository } from '../persistence/cancel-request-repository';
import type { CancelRepository } from '../persistence/cancel-repository';
import { isRowRefusal } from '../persistence/row-refusal';
import { safeErrorMessage } from '../safe-error';
import type { AlertService } from './alert-service';
import { alertQoo10DataFault, type Qoo10DataFault } from './qoo10-data-alerts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Each poll re-reads this far behind the previous one, so nothing slips between two windows. */
export const POLL_OVERLAP_MS = 30 * MINUTE_MS;
/** Pending cancel requests are re-listed over this many days every poll: a request is never lost. */
export const REQUEST_LOOKBACK_MS = 14 * DAY_MS;
/**
 * The first poll of a shop lists pending requests this far back (INF: how long Qoo10 keeps a request
 * pending is not documented; 90 days is the longest window one GetClaimInfo_V3 call accepts).
 */
export const FIRST_POLL_REQUEST_LOOKBACK_MS = 90 * DAY_MS;
/** Orders with a pending request are re-listed (fresh deadline and status) back to at most this age. */
export const ORDER_REFRESH_MAX_MS = 180 * DAY_MS;

/** Rows per upsert statement: bounds the statement's parameters, and what one refused row re-sends one by one. */
export const STORE_BATCH = 1_000;

/** The order lists every poll reads, in this order (see pollOrders). */
const ORDER_LISTS: ReadonlyArray<Pick<OrderQuery, 'condition' | 'shippingStatus'>> = [
  { condition: OrderSearchCondition.OrderDate },
  { condition: OrderSearchCondition.OrderDate, shippingStatus: ShippingStatus.InDelivery },
  { condition: OrderSearchCondition.OrderDate, shippingStatus: ShippingStatus.Delivered },
  { condition: OrderSearchCondition.ShippingDate, shippingStatus: ShippingStatus.InDelivery },
];

/** The stored deadline has passed (the order would be decided as late) and the order is not shipped. */
function isPastDeadline(order: Order, now: Date): boolean {
  const unshipped = order.shippingStatus === null || order.shippingStatus <= ShippingStatus.Preparing;
  return unshipped && order.shippingDeadline !== null && now.getTime() >= jstDayRangeOf(order.shippingDeadline).end.getTime();
}

/** A poll window; `first` when the shop has never been polled successfully. */
export interface PollWindow {
  from: Date;
  to: Date;
  first?: boolean;
}

export interface OrderPollCounts {
  orders: number;
  newOrders: number;
  /** Rows Qoo10 sent in a shape we cannot read, or the database refused: each isolated and alerted. */
  dataFaults: number;
}

export type PollCounts = OrderPollCounts & ClaimPollCounts;

export interface ClaimPollCounts {
  requests: number;
  newRequests: number;
  completedCancels: number;
  newCompletedCancels: number;
  /** Orders of pending requests re-listed for a fresh deadline and status. */
  ordersRefreshed: number;
  /** Orders never listed, read by order number. */
  ordersFetched: number;
  /** Requests closed by mistake that Qoo10 lists as pending again. */
  requestsReopened: number;
  /** Rows Qoo10 sent in a shape we cannot read, or the database refused: each isolated and alerted. */
  dataFaults: number;
}

/** Moved to the domain with the rest of the cancel booking rules; re-exported for existing callers. */
export { causeFromQoo10Reason };

/**
 * Reads one shop's orders and claims from Qoo10 and stores them idempotently. The first poll of a
 * shop reaches back to the start of the JST month (the rate needs the whole month's orders); later
 * polls start where the last successful one ended, minus an overlap.
 *
 * Qoo10's data is untrusted: a row that cannot be read, or that the database refuses, is isolated
 * (reported, alerted, its request handed to a person) and every other row of the shop is stored and
 * decided in the same cycle.
 */
export class PollService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly requests: CancelRequestRepository,
    private readonly cancels: CancelRepository,
    private readonly alerts: AlertService,
    private readonly logger: Logger,
  ) {}

  windowFor(lastWindowEnd: Date | null, now: Date): PollWindow {
    const monthStart = jstMonthRange(jstMonthOf(now)).start;
    const from = lastWindowEnd ? new Date(lastWindowEnd.getTime() - POLL_OVERLAP_MS) : monthStart;
    return { from, to: now, first: lastWindowEnd === null };
  }

  /** Both halves of a poll, orders first (what `poll --once` and the tests' full cycle run). */
  async pollShop(shop: Shop, client: Qoo10Client, window: PollWindow, signal?: AbortSignal): Promise<PollCounts> {
    const orders = await this.pollOrders(shop, client, window, signal);
    const claims = await this.pollClaims(shop, client, window, signal);
    return { ...orders, ...claims, dataFaults: orders.dataFaults + claims.dataFaults };
  }

  /**
   * The shop's order lists over the window: statuses 1–3 (Qoo10's default), then shipped and delivered
   * ones, all by order date (the first poll of a month finds orders that already shipped), and the
   * shipped-by-shipping-date list for shipping transitions of older orders.
   *
   * A window longer than a day (a first poll from the month start, a poll after an outage) is read one
   * JST day at a time (domain/poll-windows.ts, ADR 0022), and every list's answer is stored in batches
   * while it is read (ADR 0024), so memory follows neither the month nor the busiest day. Any failure
   * fails the whole poll (the caller keeps the window and reads it again); rows stored before it are
   * stored again, idempotently, by that next read.
   */
  async pollOrders(shop: Shop, client: Qoo10Client, window: PollWindow, signal?: AbortSignal): Promise<OrderPollCounts> {
    const { from, to } = window;
    const rowFaults: RowFault[] = [];
    const faults: Qoo10DataFault[] = [];
    const onRowFault = (fault: RowFault) => rowFaults.push(fault);
    let orders = 0;
    let newOrders = 0;
    for (const part of pollReadWindows(from, to)) {
      for (const list of ORDER_LISTS) {
        const take = async (batch: Order[]) => {
          newOrders += await this.storeOrders(shop, batch, faults);
        };
        orders += await client.readOrders({ from: part.from, to: part.to, ...list, onRowFault }, take, signal);
      }
    }
    const dataFaults = await this.reportFaults(shop, rowFaults, faults, to);
    const counts: OrderPollCounts = { orders, newOrders, dataFaults };
    this.logger.child({ shopId: shop.id }).info({ ...counts, from, to }, 'shop orders polled');
    return counts;
  }

  /**
   * The shop's cancel requests: pending ones (over a lookback, so a request is never lost) with their
   * orders fresh from Qoo10 (an order never listed is read by number on demand), and cancels Qoo10
   * completed in the window.
   */
  async pollClaims(shop: Shop, client: Qoo10Client, window: PollWindow, signal?: AbortSignal): Promise<ClaimPollCounts> {
    const log = this.logger.child({ shopId: shop.id });
    const { from, to } = window;
    const rowFaults: RowFault[] = [];
    const faults: Qoo10DataFault[] = [];
    const onRowFault = (fault: RowFault) => rowFaults.push(fault);

    const lookback = window.first ? FIRST_POLL_REQUEST_LOOKBACK_MS : REQUEST_LOOKBACK_MS;
    const requestFrom = new Date(Math.min(from.getTime(), to.getTime() - lookback));
    const pendingFaults: RowFault[] = [];
    const pending = await client.getClaims(
      { claimStatus: ClaimStatus.CancelRequested, from: requestFrom, to, condition: ClaimSearchCondition.RequestDate, onRowFault: (f) => pendingFaults.push(f) },
      signal,
    );
    const completed = await client.getClaims(
      { claimStatus: ClaimStatus.Cancelled, from, to, condition: ClaimSearchCondition.CompletedDate, onRowFault },
      signal,
    );

    const refresh = await this.refreshRequestOrders(shop, client, pending, window, faults, signal);
    const newRequests = await this.storeRequests(shop, pending, faults, to);
    const reopened = await this.requests.reopenListedRequests(shop.id, pending);
    if (reopened.length > 0) log.warn({ requestIds: reopened }, 'requests closed earlier are listed as pending again; reopened');
    await this.recordUnreadableRequests(shop, pendingFaults);

    let newCompleted = 0;
    for (const claim of completed) {
      try {
        if (await this.recordCompletedCancel(shop, claim)) newCompleted += 1;
      } catch (error) {
        if (!isRowRefusal(error)) throw error;
        faults.push({ method: 'store', orderNo: claim.orderNo, message: safeErrorMessage(error) });
      }
    }

    const dataFaults = await this.reportFaults(shop, [...rowFaults, ...pendingFaults], faults, to);
    const counts: ClaimPollCounts = {
      requests: pending.length,
      newRequests,
      completedCancels: completed.length,
      newCompletedCancels: newCompleted,
      ordersRefreshed: refresh.refreshed,
      ordersFetched: refresh.fetched,
      requestsReopened: reopened.length,
      dataFaults,
    };
    log.info({ ...counts, from, to }, 'shop claims polled');
    return counts;
  }

  /** Logs and alerts every isolated row; returns how many there were. */
  private async reportFaults(shop: Shop, rowFaults: readonly RowFault[], faults: readonly Qoo10DataFault[], at: Date): Promise<number> {
    const log = this.logger.child({ shopId: shop.id });
    const allFaults = rowFaults.map((f): Qoo10DataFault => ({ method: f.method, orderNo: f.orderNo, message: f.message })).concat(faults);
    for (const fault of allFaults) {
      log.warn({ method: fault.method, orderNo: fault.orderNo, fault: fault.message }, 'Qoo10 data isolated: the row could not be read or stored');
      await alertQoo10DataFault(this.alerts, shop, fault, at);
    }
    return allFaults.length;
  }

  /**
   * Stores orders in statements of at most STORE_BATCH rows; when the database refuses a statement, that
   * batch order by order, so one refused row costs only itself. Returns how many were new.
   */
  private async storeOrders(shop: Shop, orders: readonly Order[], faults: Qoo10DataFault[]): Promise<number> {
    if (orders.length === 0) return 0;
    if (orders.length > STORE_BATCH) {
      let inserted = 0;
      for (let start = 0; start < orders.length; start += STORE_BATCH) {
        inserted += await this.storeOrders(shop, orders.slice(start, start + STORE_BATCH), faults);
      }
      return inserted;
    }
    try {
      return (await this.orders.upsertOrders(shop.id, orders)).inserted;
    } catch (error) {
      if (!isRowRefusal(error)) throw error;
      if (orders.length === 1) {
        faults.push({ method: 'store', orderNo: orders[0]!.orderNo, message: safeErrorMessage(error) });
        return 0;
      }
    }
    let inserted = 0;
    for (const order of orders) inserted += await this.storeOrders(shop, [order], faults);
    return inserted;
  }

  /** Records pending requests (with a stub order when none is stored), isolating refused rows like storeOrders. */
  private async storeRequests(shop: Shop, claims: readonly Claim[], faults: Qoo10DataFault[], listedAt: Date): Promise<number> {
    if (claims.length === 0) return 0;
    try {
      return await this.dataSource.transaction(async (em) => {
        const stored = await this.orders.findOrdersByNo(shop.id, claims.map((c) => c.orderNo), em);
        for (const claim of claims) {
          if (!stored.has(claim.orderNo)) await this.orders.ensureOrderFromClaim(shop.id, claim, em);
        }
        return this.requests.recordRequests(shop.id, claims, em, listedAt);
      });
    } catch (error) {
      if (!isRowRefusal(error)) throw error;
      if (claims.length === 1) {
        faults.push({ method: 'store', orderNo: claims[0]!.orderNo, message: safeErrorMessage(error) });
        return 0;
      }
    }
    let recorded = 0;
    for (const claim of claims) recorded += await this.storeRequests(shop, [claim], faults, listedAt);
    return recorded;
  }

  /**
   * Before any decision: the orders of pending requests, fresh from Qoo10. Orders whose stored
   * deadline has passed are re-listed by order date, so a deadline the seller moved later (and the
   * status with it) is what the decision sees, not what an old poll stored. Orders the service never listed
   * (placed before its first poll, or before the month) are read by order number and stored, so their
   * requests are decided normally instead of waiting for a person as "shipping state unknown".
   */
  private async refreshRequestOrders(
    shop: Shop,
    client: Qoo10Client,
    pending: readonly Claim[],
    window: PollWindow,
    faults: Qoo10DataFault[],
    signal?: AbortSignal,
  ): Promise<{ refreshed: number; fetched: number }> {
    const claims = new Map(pending.map((claim) => [claim.orderNo, claim]));
    if (claims.size === 0) return { refreshed: 0, fetched: 0 };
    let stored = await this.orders.findOrdersByNo(shop.id, [...claims.keys()]);

    let refreshed = 0;
    // Only a deadline that has passed changes a decision (a late order is cancelled as the shop's
    // fault); a stored deadline still ahead cannot be made "later" into a different answer. So only
    // those orders cost a re-list, and a cycle of new requests on on-time orders costs no extra call.
    // Orders never listed (not stored, or stored from a claim row without a status) are re-listed too:
    // the list gives their deadline, which a read by number does not.
    const orderDates = [...claims.values()]
      .map((claim) => {
        const order = stored.get(claim.orderNo);
        if (!order || order.shippingStatus === null) return claim.orderedAt?.getTime() ?? order?.orderedAt.getTime();
        return isPastDeadline(order, window.to) ? order.orderedAt.getTime() : undefined;
      })
      .filter((t): t is number => t !== undefined && Number.isFinite(t));
    const earliest = orderDates.length > 0 ? Math.min(...orderDates) : null;
    if (earliest !== null && earliest < window.from.getTime()) {
      const from = new Date(Math.max(earliest, window.to.getTime() - ORDER_REFRESH_MAX_MS));
      const listed = await client.getOrders(
        { from, to: window.to, condition: OrderSearchCondition.OrderDate, onRowFault: (f) => faults.push({ method: f.method, orderNo: f.orderNo, message: f.message }) },
        signal,
      );
      const wanted = listed.filter((order) => claims.has(order.orderNo));
      if (wanted.length > 0) {
        await this.storeOrders(shop, wanted, faults);
        refreshed = wanted.length;
        stored = await this.orders.findOrdersByNo(shop.id, [...claims.keys()]);
      }
    }

    let fetched = 0;
    for (const claim of claims.values()) {
      const order = stored.get(claim.orderNo);
      if (order && order.shippingStatus !== null) continue;
      let snapshot;
      try {
        snapshot = await client.getOrderSnapshot(claim.orderNo, signal);
      } catch (error) {
        // An unreadable fresh read leaves the order as it is; the decision re-reads before acting.
        if (!(error instanceof Qoo10MalformedResponseError)) throw error;
        faults.push({ method: error.method ?? 'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2', orderNo: claim.orderNo, message: error.message });
        continue;
      }
      if (!snapshot) continue;
      if (order) {
        await this.orders.applySnapshot(shop.id, snapshot);
      } else {
        const built = orderFromClaimAndSnapshot(claim, snapshot);
        if (!built) continue;
        await this.storeOrders(shop, [built], faults);
      }
      fetched += 1;
    }
    return { refreshed, fetched };
  }

  /**
   * A pending-request row Qoo10 sent in a shape we cannot read, but whose order number and request
   * date are readable: the request is stored and handed to a person with the fault as the reason,
   * never dropped. Rows already stored from an earlier, readable listing are left to their decision.
   */
  private async recordUnreadableRequests(shop: Shop, rowFaults: readonly RowFault[]): Promise<void> {
    for (const fault of rowFaults) {
      if (!fault.orderNo || !fault.requestedAt) continue;
      const { orderNo, requestedAt } = fault;
      await this.dataSource.transaction(async (em) => {
        const stub: Claim = {
          orderNo, packNo: orderNo, claimStatus: ClaimStatus.CancelRequested, reason: null, requestedAt, completedAt: null,
          orderedAt: null, itemNo: '', sellerItemCode: null, itemTitle: '', quantity: 1, paymentAmountYen: 0, carrier: null, trackingNo: null,
        };
        if ((await this.requests.recordRequests(shop.id, [stub], em)) === 0) return;
        const id = await this.requests.findRequestId(shop.id, orderNo, requestedAt, em);
        if (!id) return;
        const decision: Decision = {
          kind: 'review',
          code: 'qoo10_data_unreadable',
          reason: `Qoo10 sent this cancel request in a shape the service cannot read (${fault.message}); check it in QSM and answer it there.`,
          trail: [{ rule: 'qoo10-data-readable', note: `${fault.method}: ${fault.message}` }],
        };
        await this.requests.recordDecision(em, id, decision, 'auto');
        await this.requests.setStatus(em, id, 'review');
      });
    }
  }

  /** A ClaimStat 3 row: the order is cancelled; its open requests are settled on Qoo10's side. */
  private async recordCompletedCancel(shop: Shop, claim: Claim): Promise<boolean> {    const cancelledAt = claim.completedAt ?? claim.requestedAt;
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
