// Deciding a buyer's cancel request (domain.md, "Deciding a cancel request").
//
// Rules run in a fixed order, money safety first: first everything that makes the data
// untrustworthy, then everything that says the parcel may have left (a shipped order must never be
// cancelled: the refund is instant and the item still arrives), and only then the paths that cancel.
// Every rule checked leaves a step in the trail, so a person can see why.
//
// Pure: no I/O, the current time is a parameter, JST comes from jst-calendar.ts.

import {
  ClaimStatus,
  type Claim,
  type Decision,
  type DecisionFacts,
  type DecisionPolicy,
  type Order,
  type TrackingInfo,
} from './types';
import { DEFAULT_EXCLUSION_HOURS } from './cancel-rate';
import {
  checkCancelPath,
  checkData,
  checkShipped,
  normaliseTrackingNo,
  present,
  review,
  Trail,
  type Context,
  type KnownTracking,
  type Verdict,
} from './decide-rules';
import {
  formatJst,
  isClockTime,
  isValidInstant,
  jstTimeOnDay,
} from './jst-calendar';

export const DEFAULT_POLICY: DecisionPolicy = Object.freeze({
  packedOrders: 'review',
  refuseMadeToOrder: true,
  sameDayCutoffJst: '17:00',
  stockMeaning: 'on_hand',
});

export interface DecideOptions {
  /** Hours after the order within which a cancel does not count toward the rate; default 6. */
  exclusionHours?: number;
}

/**
 * Codes that mean Qoo10 has already settled the request: the decision has kind 'review' so nothing
 * is ever done automatically, but there is nothing for a person to do either. The pipeline marks
 * such requests closed instead of queueing them for review.
 */
export const SETTLED_CODES: readonly string[] = ['already_cancelled', 'request_not_pending'];

export function isSettled(decision: Pick<Decision, 'code'>): boolean {
  return SETTLED_CODES.includes(decision.code);
}

function knownTracking(request: Claim, order: Order, facts: DecisionFacts): KnownTracking {
  const sources = [
    { carrier: facts.tracking?.carrier ?? null, trackingNo: facts.tracking?.trackingNo ?? null },
    { carrier: order.carrier, trackingNo: order.trackingNo },
    { carrier: request.carrier, trackingNo: request.trackingNo },
  ];
  const numbered: Array<{ carrier: string | null; trackingNo: string }> = [];
  for (const { carrier, trackingNo } of sources) {
    if (present(trackingNo)) numbered.push({ carrier: present(carrier) ? carrier.trim() : null, trackingNo: trackingNo.trim() });
  }
  const complete = numbered.find((s): s is TrackingInfo => s.carrier !== null);
  return {
    any: numbered.length > 0,
    display: numbered[0]?.trackingNo ?? null,
    conflict: new Set(numbered.map((s) => normaliseTrackingNo(s.trackingNo))).size > 1,
    usable: complete ? { carrier: complete.carrier, trackingNo: complete.trackingNo } : null,
  };
}

function settledVerdict(claimStatus: number): Verdict {
  const cancelled: number[] = [ClaimStatus.Cancelling, ClaimStatus.Cancelled, ClaimStatus.UnpaidCancel];
  if (cancelled.includes(claimStatus)) {
    return review(
      'already_cancelled',
      `Qoo10 already shows this order as cancelled (claim status ${claimStatus}); it is settled there and needs no action.`,
    );
  }
  return review(
    'request_not_pending',
    `The cancel request is no longer pending on Qoo10 (claim status ${claimStatus}: withdrawn or now a return); ` +
      'there is nothing to answer.',
  );
}

/**
 * Decides one pending cancel request.
 *
 * `facts.stockAvailable` is read as the units the shop can put in this order's parcel (this order's
 * own reservation included): fewer than `order.quantity` is a stock-out.
 *
 * Kind 'refuse' always carries tracking: Qoo10's API refuses a request only by receiving the
 * tracking number (SetSendingInfo moves the order to in-delivery). Cases the rules would refuse
 * without a tracking number to submit (made to order, packed) become 'review' with
 * suggested 'refuse', for a person to refuse in QSM.
 *
 * Never throws for any input of the declared types; unusable data yields 'review'.
 */
export function decide(
  request: Claim,
  order: Order | null,
  facts: DecisionFacts,
  policy: DecisionPolicy,
  now: Date,
  options: DecideOptions = {},
): Decision {
  const trail = new Trail();

  if (request.claimStatus !== ClaimStatus.CancelRequested) {
    return trail.conclude('request-pending', settledVerdict(request.claimStatus));
  }
  trail.pass('request-pending', 'The cancel request is still pending on Qoo10 (claim status 1).');

  if (!isValidInstant(now)) {
    return trail.conclude(
      'inputs-valid',
      review('invalid_input', 'The current time given to the decision is not a valid date; report this as a bug.'),
    );
  }
  if (!isClockTime(policy.sameDayCutoffJst)) {
    return trail.conclude(
      'inputs-valid',
      review('invalid_policy', `The same-day cut-off "${policy.sameDayCutoffJst}" is not an HH:MM time; fix the configuration.`),
    );
  }
  trail.pass('inputs-valid', `Deciding at ${formatJst(now)} JST with a ${policy.sameDayCutoffJst} JST same-day cut-off.`);

  if (order === null) {
    return trail.conclude(
      'order-present',
      review('order_missing', `No order data is held for order ${request.orderNo}; check the order in QSM before answering.`),
    );
  }
  trail.pass('order-present', `Order ${order.orderNo} is known.`);

  const ctx: Context = {
    request,
    order,
    facts,
    policy,
    now,
    exclusionHours: options.exclusionHours ?? DEFAULT_EXCLUSION_HOURS,
    cutoff: jstTimeOnDay(now, policy.sameDayCutoffJst),
    tracking: knownTracking(request, order, facts),
  };
  return checkData(ctx, trail) ?? checkShipped(ctx, trail) ?? checkCancelPath(ctx, trail);
}
