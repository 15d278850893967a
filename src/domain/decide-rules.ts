// The rules decide() runs, in order: the data can be trusted, the parcel has not left, then the paths
// that cancel. Each returns a Decision when it settles the request, or null to let the next rule look.
// Pure: no I/O; the current time comes in the Context.

import {
  ShippingStatus,
  type Claim,
  type Decision,
  type DecisionFacts,
  type DecisionPolicy,
  type Order,
  type RuleStep,
  type SellerFaultCause,
  type TrackingInfo,
} from './types';
import { classifyCancel } from './cancel-rate';
import { stockCovers } from './money-safety';
import { formatJst, hoursBetween, isValidInstant, jstDateOf, jstDayRangeOf } from './jst-calendar';

export type Verdict = Omit<Decision, 'trail'>;

export class Trail {
  private readonly steps: RuleStep[] = [];

  pass(rule: string, note: string): void {
    this.steps.push({ rule, note });
  }

  conclude(rule: string, verdict: Verdict): Decision {
    this.steps.push({ rule, note: verdict.reason });
    return { ...verdict, trail: this.steps };
  }
}

export function review(code: string, reason: string, extra: Partial<Verdict> = {}): Verdict {
  return { kind: 'review', code, reason, ...extra };
}

export function present(s: string | null | undefined): s is string {
  return typeof s === 'string' && s.trim() !== '';
}

/** Tracking numbers are compared without spaces and hyphens: '1234-5678-9012' is '123456789012'. */
export function normaliseTrackingNo(s: string): string {
  return s.replace(/[\s-]/g, '').toUpperCase();
}

export interface KnownTracking {
  /** Some tracking number is known (shop, Qoo10 order, or the claim row). */
  any: boolean;
  /** The first number seen, for messages. */
  display: string | null;
  /** The sources disagree on the number. */
  conflict: boolean;
  /** Number with a carrier: what a refusal submits. The shop's own record comes first. */
  usable: TrackingInfo | null;
}

const CAUSE_TEXT: Record<SellerFaultCause, string> = {
  out_of_stock: 'out of stock',
  undeliverable_area: 'undeliverable area',
  shipping_delay: 'shipping delay',
  defect: 'defect found at inspection',
};

export interface Context {
  request: Claim;
  order: Order;
  facts: DecisionFacts;
  policy: DecisionPolicy;
  now: Date;
  exclusionHours: number;
  /** Today's same-day cut-off (JST day of `now`): tracking for a refusal must be in Qoo10 by then. */
  cutoff: Date;
  tracking: KnownTracking;
}

/** Request/order agreement and the order's own data. */
export function checkData({ request, order, tracking }: Context, trail: Trail): Decision | null {
  const packMismatch = present(request.packNo) && present(order.packNo) && request.packNo !== order.packNo;
  const itemMismatch = present(request.itemNo) && present(order.itemNo) && request.itemNo !== order.itemNo;
  if (request.orderNo !== order.orderNo || packMismatch || itemMismatch) {
    return trail.conclude(
      'order-matches-request',
      review(
        'request_order_mismatch',
        `The request (order ${request.orderNo}, cart ${request.packNo}, item ${request.itemNo}) does not match the order data ` +
          `(order ${order.orderNo}, cart ${order.packNo}, item ${order.itemNo}); check both in QSM.`,
      ),
    );
  }
  trail.pass('order-matches-request', 'The request and the order data name the same order, cart and item.');

  if (!isValidInstant(order.orderedAt)) {
    return trail.conclude(
      'order-data-valid',
      review(
        'order_date_missing',
        'The order date is missing, so neither the 6-hour window nor the month can be known; check the order in QSM.',
      ),
    );
  }
  const badDate = [order.shippedAt, order.shippingDeadline].some((d) => d !== null && !isValidInstant(d));
  if (!Number.isInteger(order.quantity) || order.quantity < 1 || badDate) {
    return trail.conclude(
      'order-data-valid',
      review('order_data_invalid', 'The order data holds an impossible quantity or an unreadable date; check the order in QSM.'),
    );
  }
  trail.pass('order-data-valid', `Ordered ${formatJst(order.orderedAt)} JST, quantity ${order.quantity}.`);

  if (tracking.conflict) {
    return trail.conclude(
      'tracking-consistent',
      review(
        'tracking_conflict',
        'The shop, the Qoo10 order and the request disagree on the tracking number; a person must find the right one ' +
          'before anything is submitted.',
        { suggested: 'refuse' },
      ),
    );
  }
  trail.pass(
    'tracking-consistent',
    tracking.any ? `Tracking number ${tracking.display} is known.` : 'No tracking number is known anywhere.',
  );
  return null;
}

function cutoffStep(ctx: Context, trail: Trail): void {
  const at = formatJst(ctx.cutoff);
  trail.pass(
    'same-day-cutoff',
    ctx.now.getTime() > ctx.cutoff.getTime()
      ? `It is already past today's cut-off (${at} JST): the tracking is late and must be entered at once.`
      : `The tracking must be in Qoo10 before today's cut-off, ${at} JST.`,
  );
}

/** Everything that says the parcel may have left. After this, the order is known to be unshipped. */
export function checkShipped(ctx: Context, trail: Trail): Decision | null {
  const { order, facts, tracking } = ctx;
  const status = order.shippingStatus;

  if (status === ShippingStatus.InDelivery || status === ShippingStatus.Delivered) {
    if (!tracking.any) {
      return trail.conclude(
        'qoo10-shipping-status',
        review(
          'contradictory_state',
          `Qoo10 shows the order as shipped (status ${status}) but no tracking number is known anywhere; ` +
            'check the order in QSM. A shipped order can no longer be cancelled, only returned.',
          { suggested: 'refuse' },
        ),
      );
    }
    return trail.conclude(
      'qoo10-shipping-status',
      review(
        'already_in_delivery',
        `Qoo10 already shows the order in delivery or delivered (status ${status}): the buyer can no longer cancel and should ` +
          'send a return request once it arrives. If Qoo10 still asks for an answer, refuse it.',
        { suggested: 'refuse', ...(tracking.usable ? { tracking: tracking.usable } : {}) },
      ),
    );
  }
  trail.pass('qoo10-shipping-status', `Qoo10 does not show the order in delivery (status ${status ?? 'unknown'}).`);

  if (facts.handedToCarrier || order.shippedAt !== null) {
    const why = facts.handedToCarrier
      ? 'The shop handed the parcel to the carrier'
      : `Qoo10 records a shipping date (${formatJst(order.shippedAt as Date)} JST)`;
    cutoffStep(ctx, trail);
    if (tracking.usable) {
      return trail.conclude('shipped', {
        kind: 'refuse',
        code: 'shipped_with_tracking',
        reason:
          `${why}: refuse the cancel as already shipped and submit tracking ${tracking.usable.trackingNo} ` +
          `(${tracking.usable.carrier}) today.`,
        tracking: tracking.usable,
        trackingDeadline: ctx.cutoff,
      });
    }
    if (tracking.any) {
      return trail.conclude(
        'shipped',
        review(
          'tracking_carrier_unknown',
          `${why} and tracking number ${tracking.display} is known, but not its carrier: enter the carrier and the tracking ` +
            `number in Qoo10 today, before ${formatJst(ctx.cutoff)} JST, and refuse the cancel as already shipped.`,
          { suggested: 'refuse', trackingDeadline: ctx.cutoff },
        ),
      );
    }
    return trail.conclude(
      'shipped',
      review(
        'shipped_without_tracking',
        `${why} but no tracking number is known: refuse the cancel as already shipped and enter the tracking number in Qoo10 ` +
          `today, before ${formatJst(ctx.cutoff)} JST. Never accept it: the refund is instant and the item still arrives.`,
        { suggested: 'refuse', trackingDeadline: ctx.cutoff },
      ),
    );
  }
  trail.pass('shipped', 'Neither the shop nor Qoo10 says the parcel was handed to the carrier.');

  // A tracking number with no other sign of shipping: typically a label printed for a parcel still
  // in the shop, or a status that has not caught up. Either could be true, so a person checks.
  if (tracking.any) {
    return trail.conclude(
      'tracking-without-handover',
      review(
        'tracking_without_handover',
        `Tracking number ${tracking.display} exists but nothing says the parcel was handed to the carrier: ` +
          `check whether it left. If it did, refuse and enter the tracking today, before ${formatJst(ctx.cutoff)} JST; ` +
          'if not, treat the order as unshipped.',
        { suggested: 'refuse', trackingDeadline: ctx.cutoff, ...(tracking.usable ? { tracking: tracking.usable } : {}) },
      ),
    );
  }
  trail.pass('tracking-without-handover', 'No tracking number exists for an unshipped parcel.');

  if (status === null) {
    return trail.conclude(
      'shipping-status-known',
      review(
        'shipping_status_unknown',
        "Qoo10's shipping status for this order is unknown, so it cannot be ruled out that it shipped; check the order in QSM.",
      ),
    );
  }
  trail.pass('shipping-status-known', 'The order is unshipped.');
  return null;
}

function exclusionStep({ order, now, exclusionHours }: Context, trail: Trail): void {
  const hours = hoursBetween(order.orderedAt, now);
  const windowEnd = new Date(order.orderedAt.getTime() + exclusionHours * 3_600_000);
  trail.pass(
    'exclusion-window',
    classifyCancel(order.orderedAt, now, exclusionHours) === 'excluded'
      ? `Ordered ${hours.toFixed(1)} h ago: a cancel completed before ${formatJst(windowEnd)} JST ` +
          'does not count toward the monthly rate.'
      : `Ordered ${hours.toFixed(1)} h ago, past the ${exclusionHours}-hour window: this cancel counts toward the monthly rate.`,
  );
}

function sellerFault(ctx: Context, trail: Trail, rule: string, code: string, cause: SellerFaultCause, reason: string): Decision {
  exclusionStep(ctx, trail);
  return trail.conclude(rule, { kind: 'seller-fault', code, reason, sellerFaultCause: cause });
}

function accept(ctx: Context, trail: Trail, rule: string, code: string, reason: string): Decision {
  exclusionStep(ctx, trail);
  return trail.conclude(rule, { kind: 'accept', code, reason });
}

/** The order is unshipped: which way the cancel goes, or why a person must decide. */
export function checkCancelPath(ctx: Context, trail: Trail): Decision {
  const { order, facts, policy, now } = ctx;

  // Qoo10 cancels a late order at once on the buyer's request; refusing is not allowed, even for
  // packed or made-to-order items, and the cancel is the shop's fault in effect. The deadline is a
  // JST date: the order is late from the first instant after that JST day. An unknown deadline
  // (Qoo10 sets one when the seller confirms the order) is not a reason to stop: the paths below
  // still cancel only unshipped orders, and their refusals go through a person anyway.
  if (order.shippingDeadline === null) {
    trail.pass('shipping-deadline', 'No shipping deadline is known; the order is treated as not late.');
  } else {
    const deadlineDay = jstDateOf(order.shippingDeadline);
    if (now.getTime() >= jstDayRangeOf(order.shippingDeadline).end.getTime()) {
      return sellerFault(
        ctx,
        trail,
        'shipping-deadline',
        'past_shipping_deadline',
        'shipping_delay',
        `The order missed its shipping deadline (${deadlineDay}) and has not shipped: the request cannot be refused, and ` +
          "the cancel is booked as the shop's fault (shipping delay).",
      );
    }
    trail.pass('shipping-deadline', `The shipping deadline (${deadlineDay}) has not passed.`);
  }

  if (facts.shopFault !== null) {
    return sellerFault(
      ctx,
      trail,
      'shop-fault',
      'shop_fault',
      facts.shopFault,
      `The shop declared a fault (${CAUSE_TEXT[facts.shopFault]}): cancel as the shop's fault, never as the buyer's reason.`,
    );
  }
  trail.pass('shop-fault', 'The shop declared no fault.');

  if (facts.madeToOrder && policy.refuseMadeToOrder) {
    return trail.conclude(
      'made-to-order',
      review(
        'refuse_in_qsm',
        'The item is made to order, which Qoo10 lets the shop refuse, and the policy refuses such requests. ' +
          `No API call refuses a request: press キャンセル拒否 in QSM today, before ${formatJst(ctx.cutoff)} JST, ` +
          'or accept it if production has not started.',
        { suggested: 'refuse', trackingDeadline: ctx.cutoff },
      ),
    );
  }
  trail.pass(
    'made-to-order',
    facts.madeToOrder
      ? 'Made to order, but the policy does not refuse made-to-order items; stock is not relevant.'
      : 'Not a made-to-order item.',
  );

  // Checked before stock: a packed order's unit is already in the box, so the stock count no longer
  // speaks for it. Qoo10 allows refusing packed orders; the shop's policy chooses.
  if (facts.packed) {
    if (policy.packedOrders === 'accept') {
      return accept(
        ctx,
        trail,
        'packed',
        'packed_policy_accept',
        "The order is packed but not shipped, and the shop's policy accepts such requests: accept it as the buyer's reason.",
      );
    }
    if (policy.packedOrders === 'refuse') {
      return trail.conclude(
        'packed',
        review(
          'refuse_in_qsm',
          'The order is packed but not handed to the carrier, and the policy refuses such requests. No API call refuses a ' +
            `request: press キャンセル拒否 in QSM and ship it today, before ${formatJst(ctx.cutoff)} JST.`,
          { suggested: 'refuse', trackingDeadline: ctx.cutoff },
        ),
      );
    }
    return trail.conclude(
      'packed',
      review(
        'packed_policy_review',
        "The order is packed but not shipped; the shop's policy asks a person to decide such requests.",
      ),
    );
  }
  trail.pass('packed', 'The order is not packed.');

  if (facts.madeToOrder) {
    return accept(
      ctx,
      trail,
      'buyer-reason',
      'made_to_order_accepted',
      "The item is made to order and the policy does not refuse such requests: accept it as the buyer's reason.",
    );
  }

  const stock = facts.stockAvailable;
  if (stock === null || !Number.isFinite(stock)) {
    return trail.conclude(
      'stock',
      review(
        'stock_unknown',
        `The shop has no stock figure for this item (${order.sellerItemCode ?? order.itemNo}), ` +
          'so a stock-out cannot be ruled out; check stock, then answer.',
      ),
    );
  }
  const meaning = ctx.policy.stockMeaning;
  const figure = meaning === 'available' ? `${stock} available after this order` : `${stock} in stock`;
  if (!stockCovers(stock, order.quantity, meaning)) {
    return sellerFault(
      ctx,
      trail,
      'stock',
      'out_of_stock',
      'out_of_stock',
      `Only ${figure} for ${order.quantity} ordered: cancel as the shop's fault (out of stock). ` +
        "Never book it as the buyer's reason or ask the buyer to cancel.",
    );
  }
  trail.pass('stock', `${figure} covers the ${order.quantity} ordered.`);

  return accept(
    ctx,
    trail,
    'buyer-reason',
    'unshipped_in_stock',
    "The order is unshipped and in stock, so the request cannot be refused: accept it as the buyer's reason, quickly.",
  );
}
