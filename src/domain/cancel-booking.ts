// How one completed cancel is booked for the rate when two reports of it arrive: our own action
// (we sent SetCancelProcess and Qoo10 said yes) and the poll (Qoo10 lists the order as cancelled,
// ClaimStat 3). They can arrive in either order; the booking must be the same either way.
//
// One rule per fact, each taking the more authoritative source, never "first wins":
// - time: Qoo10's completion date (cancelRefundDate) whenever Qoo10 gives it; the instant we sent
//   the call (or a request date) is only a fallback until Qoo10's date is known. The time decides
//   the JST month and the 6-hour exclusion, so a later poll can move a cancel between months and
//   between counted and excluded.
// - cause: the cause we decided and sent; a cancel we did not send takes Qoo10's reason. Qoo10
//   keeps the buyer's reason text on a request we cancelled as a stock-out, so its text is a guess.
// Between two reports of equal authority the first booking stands.

import { classifyCancel, type CancelCause } from './cancel-rate';
import { jstMonthOf, type MonthKey } from './jst-calendar';

/** 'qoo10': Qoo10's completion date; 'sent': when we sent the call, or another stand-in. */
export type CancelTimeSource = 'qoo10' | 'sent';

/** 'decision': the cause we decided and sent; 'qoo10': read from Qoo10's reason. */
export type CancelCauseSource = 'decision' | 'qoo10';

export interface CancelReport {
  cancelledAt: Date;
  timeSource: CancelTimeSource;
  cause: CancelCause;
  causeSource: CancelCauseSource;
}

/** The booking that results from what is booked (null: nothing yet) and a new report. */
export function mergeCancelReports(existing: CancelReport | null, incoming: CancelReport): CancelReport {
  if (!existing) return incoming;
  const timeFromIncoming = incoming.timeSource === 'qoo10' && existing.timeSource !== 'qoo10';
  const causeFromIncoming = incoming.causeSource === 'decision' && existing.causeSource !== 'decision';
  return {
    cancelledAt: timeFromIncoming ? incoming.cancelledAt : existing.cancelledAt,
    timeSource: timeFromIncoming ? incoming.timeSource : existing.timeSource,
    cause: causeFromIncoming ? incoming.cause : existing.cause,
    causeSource: causeFromIncoming ? incoming.causeSource : existing.causeSource,
  };
}

/** What the rate needs of a booked cancel: counted or not and the JST months it falls in. */
export interface CancelClassification {
  counted: boolean;
  cancelMonth: MonthKey;
  orderMonth: MonthKey;
  /** JST month of payment; null for an order not (known to be) paid. */
  paidMonth: MonthKey | null;
}

export function classifyBooking(
  order: { orderedAt: Date; paidAt: Date | null },
  cancelledAt: Date,
  exclusionHours: number,
): CancelClassification {
  return {
    counted: classifyCancel(order.orderedAt, cancelledAt, exclusionHours) === 'counted',
    cancelMonth: jstMonthOf(cancelledAt),
    orderMonth: jstMonthOf(order.orderedAt),
    paidMonth: order.paidAt ? jstMonthOf(order.paidAt) : null,
  };
}

/**
 * The cause of a cancel Qoo10 completed without our action, from its reason. Qoo10's exact reason
 * text for seller faults is unconfirmed (INF): the CancelReason labels (在庫なし, 配送不可地域,
 * 配送遅延) and common stock-out and late-shipping wording are recognised; anything else is the
 * buyer's. Never used for a cancel we sent: our own cause wins (mergeCancelReports).
 */
export function causeFromQoo10Reason(reason: string | null): CancelCause {
  if (!reason) return 'buyer';
  if (/配送遅延|発送遅延|出荷遅延|shipping delay/i.test(reason)) return 'shipping_delay';
  if (/在庫|品切|欠品|販売店都合|配送不可|out of stock|seller/i.test(reason)) return 'seller_fault';
  return 'buyer';
}

/**
 * The booked line cancel that stands for its cart under the cart counting unit (CountingUnit 'cart'),
 * or null when none of the cart's lines is cancelled: the earliest counted cancel, or the earliest
 * cancel when every cancelled line was excluded (ties by order number). So a cart is counted as soon
 * as any cancelled line counts, in the month of its first counted line: never understated.
 */
export function cartCancelOf<T extends { orderNo: string; cancelledAt: Date; counted: boolean }>(lines: readonly T[]): T | null {
  let first: T | null = null;
  for (const line of lines) {
    const before =
      first === null ||
      (line.counted && !first.counted) ||
      (line.counted === first.counted &&
        (line.cancelledAt.getTime() < first.cancelledAt.getTime() ||
          (line.cancelledAt.getTime() === first.cancelledAt.getTime() && line.orderNo < first.orderNo)));
    if (before) first = line;
  }
  return first;
}
