// The monthly cancellation rate Qoo10 judges sellers by, computed from aggregates.
//
// The service classifies each cancel when it records it (classifyCancel) and sums rows in SQL;
// this module only turns those sums into the figures a seller sees. Its cost is O(reasons + items),
// never O(orders). Months are JST calendar months (see jst-calendar.ts).
//
// Rate = counted cancels ÷ orders. Qoo10's official formula is not published: the 6-hour exclusion
// and the 7 % limit come from seller guides, and the denominator is configurable, so every figure
// is returned together with a sentence stating the definition used.

import type { DecisionKind, SellerFaultCause } from './types';
import { formatJst, jstMonthRange, jstQuarterRange, previousQuarter, type MonthKey, type QuarterKey } from './jst-calendar';

/** Cancels completed within this many hours of the order do not count (seller guides). */
export const DEFAULT_EXCLUSION_HOURS = 6;

/** Qoo10 warns a seller whose monthly rate is above this fraction (7 %). */
export const DEFAULT_RATE_LIMIT = 0.07;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Below one elapsed day a pace projection is noise (3 orders by 01:00 is not 2,000 a month). */
const MIN_ELAPSED_FOR_PACE_MS = DAY_MS;

/** How many top items the report lists. */
const TOP_ITEMS = 5;

export type CancelClass = 'counted' | 'excluded';

/**
 * Whether a cancel counts toward the rate. "Within 6 hours of the order" is read as strictly less:
 * elapsed < exclusionHours is excluded, exactly 6 h 0 min 0.000 s counts. Times are instants, so the
 * boundary is exact to the millisecond whatever the time zone.
 *
 * A cancel dated before its order (corrupt data) or with an invalid date counts: when the data is
 * wrong we would rather show the seller a rate that is too high than hide a cancel.
 */
export function classifyCancel(orderedAt: Date, cancelledAt: Date, exclusionHours: number): CancelClass {
  const elapsedMs = cancelledAt.getTime() - orderedAt.getTime();
  if (!Number.isFinite(elapsedMs) || elapsedMs < 0) return 'counted';
  return elapsedMs < exclusionHours * HOUR_MS ? 'excluded' : 'counted';
}

/** What caused a cancel, for the breakdown by reason. Both kinds of seller fault raise the rate alike. */
export type CancelCause = 'buyer' | 'seller_fault' | 'shipping_delay';

export const CANCEL_CAUSES: readonly CancelCause[] = ['buyer', 'seller_fault', 'shipping_delay'];

/** A late shipment is reported on its own line; every other seller-fault cause is 'seller_fault'. */
export function cancelCauseOfSellerFault(cause: SellerFaultCause): CancelCause {
  return cause === 'shipping_delay' ? 'shipping_delay' : 'seller_fault';
}

/**
 * The cause to record when a decision is carried out, or null when it cancels nothing
 * (refuse, review). An accepted request is the buyer's reason; a seller-fault decision without a
 * cause (undefined, or null as stored) is booked as seller fault, never as the buyer's.
 */
export function cancelCauseOfDecision(decision: {
  kind: DecisionKind;
  sellerFaultCause?: SellerFaultCause | null;
}): CancelCause | null {
  switch (decision.kind) {
    case 'accept':
      return 'buyer';
    case 'seller-fault':
      return decision.sellerFaultCause ? cancelCauseOfSellerFault(decision.sellerFaultCause) : 'seller_fault';
    case 'refuse':
    case 'review':
      return null;
  }
}

/**
 * What the rate divides by. Both count order lines (Qoo10 OrderNo), not carts, whose order time
 * falls in the JST month.
 */
export type DenominatorDefinition =
  /** Every order line placed in the month, including lines later cancelled, paid or not. */
  | 'orders_placed'
  /** Only order lines placed in the month that were paid (lines later cancelled included). */
  | 'orders_paid';

/**
 * Which cancels and orders a period's rate compares (CANCEL_RATE_COHORT).
 * - completed_in_period (default): cancels completed in the period (or, with the order-time month
 *   basis, cancels of the period's orders) ÷ the denominator setting (orders placed or paid).
 * - paid_cohort: Qoo10's penalty email wording: cancels of orders paid in the period and cancelled
 *   within it ÷ orders paid in the period (by JST payment time). The month basis and the
 *   denominator setting do not apply.
 */
export type RateCohort = 'completed_in_period' | 'paid_cohort';

export const RATE_COHORTS: readonly RateCohort[] = ['completed_in_period', 'paid_cohort'];

/**
 * What one order (and one cancel) is (CANCEL_RATE_COUNTING_UNIT). Which one Qoo10 counts is
 * unconfirmed (domain.md: keep both countable); the default stays the order line.
 * - order_line (default): one Qoo10 OrderNo.
 * - cart: one Qoo10 PackNo. A cart counts as one cancel as soon as any of its lines is cancelled;
 *   it is counted (not excluded) when any cancelled line counts under the 6-hour rule, excluded only
 *   when every cancelled line was within it; its time (month), cause and item are the first counted
 *   line's (cancel-booking.ts cartCancelOf). Never understates the figure the seller is judged on.
 */
export type CountingUnit = 'order_line' | 'cart';

export const COUNTING_UNITS: readonly CountingUnit[] = ['order_line', 'cart'];

/** Which month a cancel is counted in. */
export type CancelMonthBasis =
  /** The JST month in which the cancel completed (default: what a seller sees happen this month). */
  | 'cancel_time'
  /** The JST month of the cancelled order, whenever the cancel completed. */
  | 'order_time';

/** The rate definition in force; every report states it. */
export interface RateDefinition {
  cohort: RateCohort;
  /** Used by the completed_in_period cohort only. */
  denominator: DenominatorDefinition;
  /** Used by the completed_in_period cohort only. */
  cancelMonthBasis: CancelMonthBasis;
  countingUnit: CountingUnit;
}

/**
 * Whether a booked cancel falls in a period (a set of JST months) under a definition:
 * completed in it, of an order placed in it, or (paid cohort) completed in it for an order paid in it.
 */
export function cancelInPeriod(
  cancel: { cancelMonth: MonthKey; orderMonth: MonthKey; paidMonth: MonthKey | null },
  months: ReadonlySet<MonthKey>,
  definition: RateDefinition,
): boolean {
  if (definition.cohort === 'paid_cohort') return months.has(cancel.cancelMonth) && cancel.paidMonth !== null && months.has(cancel.paidMonth);
  return months.has(definition.cancelMonthBasis === 'order_time' ? cancel.orderMonth : cancel.cancelMonth);
}

export interface CauseCount {
  counted: number;
  excluded: number;
}

export interface ItemCancels {
  /** Seller item code when known, else Qoo10 item number. */
  itemKey: string;
  title: string;
  /** Counted cancels of this item in the month. */
  counted: number;
  /** Of those, the seller-fault ones (stock-outs, defects, late shipping). */
  sellerFault: number;
}

export interface MonthlyRateInput {
  month: MonthKey;
  now: Date;
  /** Fraction, 0.07 for 7 %. Over it (strictly greater) Qoo10 warns. */
  limit: number;
  exclusionHours: number;
  denominator: DenominatorDefinition;
  /** Default 'cancel_time'. Must match how the aggregates were grouped. */
  cancelMonthBasis?: CancelMonthBasis;
  /** Default 'completed_in_period'. Must match how the figures were summed. */
  cohort?: RateCohort;
  /** Default 'order_line'. Must match how the figures were summed. */
  countingUnit?: CountingUnit;
  /** The denominator so far this month. */
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  byReason: Record<CancelCause, CauseCount>;
  byItem: ItemCancels[];
  /** Cancel requests still waiting for an answer; those inside the window cost nothing if accepted now. */
  pending: { total: number; insideExclusionWindow: number };
  /** Alert thresholds as fractions, e.g. [0.05, 0.06]; order does not matter. */
  alertLevels: number[];
}

/**
 * ok: below the first alert level below the limit.
 * watch: at or over the first such level.
 * danger: at or over the last such level, or exactly at the limit (one more counted cancel passes it).
 * over: rate > limit; this is what Qoo10 warns about.
 * With a single alert level, that level is also the last one, so reaching it means danger.
 */
export type RateStatus = 'ok' | 'watch' | 'danger' | 'over';

export interface MonthlyRate {
  month: MonthKey;
  /** JST month as UTC instants, end exclusive. */
  monthStart: Date;
  monthEnd: Date;
  asOf: Date;
  denominator: DenominatorDefinition;
  cancelMonthBasis: CancelMonthBasis;
  cohort: RateCohort;
  countingUnit: CountingUnit;
  exclusionHours: number;
  limit: number;
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  /** countedCancels / orders as a fraction; 0 when there are no orders (then rateDefined is false). */
  rate: number;
  rateDefined: boolean;
  /** Counted cancels whose cause is the seller's (stock-outs, defects, late shipping). */
  sellerFaultCancels: number;
  /** sellerFaultCancels ÷ orders: a second figure beside the rate, never the rate itself. */
  sellerFaultRate: number;
  status: RateStatus;
  /** The alert levels the rate stands at or above, ascending. */
  levelsCrossed: number[];
  /**
   * More counted cancels the month can absorb without the rate going over the limit, if no more
   * orders arrive: floor(limit × orders) − counted, never below 0. At 100 orders and 7 %, 7 counted
   * cancels is exactly 7 % (not over), so headroom is 7 − counted.
   */
  headroom: number;
  /** Share of the month elapsed at `asOf`, 0..1. */
  elapsedFraction: number;
  /**
   * 'pace': month-end figures extrapolated from the pace so far (orders ÷ elapsedFraction).
   * 'actual': the month is over, not started, or less than a day old: projections equal actuals.
   */
  projectionBasis: 'pace' | 'actual';
  projectedOrders: number;
  projectedCountedCancels: number;
  /**
   * Month-end rate at the current pace. Orders and cancels scale alike, so this is today's rate up to
   * rounding; the projection matters for the absolute numbers behind headroomAtMonthEnd.
   */
  projectedRate: number;
  /**
   * More counted cancels the whole month can absorb if orders keep arriving at the current pace:
   * floor(limit × projectedOrders) − counted so far, never below 0.
   */
  headroomAtMonthEnd: number;
  /** What the month would look like if every pending request were accepted now. */
  ifAllPendingAccepted: {
    /** Pending requests that would count (those past the exclusion window). */
    addedCountedCancels: number;
    countedCancels: number;
    rate: number;
    status: RateStatus;
    headroom: number;
  };
  byReason: Record<CancelCause, CauseCount>;
  /** Up to five items with the most counted cancels, most first. */
  topItems: ItemCancels[];
  /** One sentence stating the denominator, the exclusion rule and the JST month used. */
  definition: string;
}

/** The alert levels `rate` stands at or above, ascending, without duplicates. */
export function levelsCrossed(rate: number, levels: number[]): number[] {
  return [...new Set(levels)].filter((level) => rate >= level).sort((a, b) => a - b);
}

/** limit × orders is a float: when the true product is a whole number (7 % of 300 = 21) a rounding
 * error just below it must not floor to one less. */
const EPSILON = 1e-9;

function headroomFor(limit: number, orders: number, counted: number): number {
  return Math.max(0, Math.floor(limit * orders + EPSILON) - counted);
}

function rateOf(counted: number, orders: number): number {
  return orders > 0 ? counted / orders : 0;
}

function statusOf(counted: number, orders: number, limit: number, alertLevels: number[]): RateStatus {
  if (orders <= 0) {
    // No orders yet (e.g. the first minutes of a month): no rate exists. Cancels already booked
    // against an empty month are worth watching, not an alarm.
    return counted > 0 ? 'watch' : 'ok';
  }
  const rate = counted / orders;
  if (rate > limit) return 'over';
  if (rate === limit) return 'danger';
  const below = [...new Set(alertLevels)].filter((level) => level < limit).sort((a, b) => a - b);
  if (below.length === 0 || rate < below[0]) return 'ok';
  return rate >= below[below.length - 1] ? 'danger' : 'watch';
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))} %`;
}

const UNIT_WORDS: Record<CountingUnit, { many: string; short: string; paid: string; one: string }> = {
  order_line: { many: 'order lines', short: 'lines', paid: 'orders', one: 'one order is one order line (Qoo10 OrderNo)' },
  cart: {
    many: 'carts',
    short: 'carts',
    paid: 'carts',
    one:
      'one order is one cart (Qoo10 PackNo): a cart counts as one cancel once any of its lines is cancelled, counted when any ' +
      "cancelled line counts, at the first counted line's time",
  },
};

const NUMERATOR_TEXT: Record<CancelMonthBasis, string> = {
  cancel_time: 'counted cancels completed in the month',
  order_time: "counted cancels of the month's orders, whenever completed",
};

/** The formula of a period's rate in words (numerator ÷ denominator), per definition setting. */
export function formulaText(definition: RateDefinition): string {
  const words = UNIT_WORDS[definition.countingUnit];
  if (definition.cohort === 'paid_cohort') {
    return `counted cancels of ${words.paid} paid in the period and cancelled within it ÷ ${words.paid} paid in the period (by payment time)`;
  }
  const which = definition.denominator === 'orders_paid' ? 'paid' : 'all';
  return `${NUMERATOR_TEXT[definition.cancelMonthBasis]} ÷ ${which} ${words.many} placed in the month (${words.short} later cancelled included)`;
}

function definitionOf(input: MonthlyRateInput, definition: RateDefinition, start: Date, end: Date): string {
  return (
    `Rate for ${input.month} = ${formulaText(definition)}; ${UNIT_WORDS[definition.countingUnit].one}; ` +
    `a cancel completed less than ${input.exclusionHours} hours after its order is excluded, every other ` +
    `cancel counts whether buyer reason or seller fault; a cancel's time is when Qoo10 completed it; the month runs in Japan time (JST, UTC+9) from ` +
    `${formatJst(start)} until ${formatJst(end)} JST; Qoo10 warns above ${percent(input.limit)}.`
  );
}

/** Counted seller-fault cancels (every cause but the buyer's). */
export function sellerFaultCountOf(byReason: Record<CancelCause, CauseCount>): number {
  return CANCEL_CAUSES.filter((cause) => cause !== 'buyer').reduce((sum, cause) => sum + byReason[cause].counted, 0);
}

interface Projection {
  elapsedFraction: number;
  projectionBasis: 'pace' | 'actual';
  projectedOrders: number;
  projectedCountedCancels: number;
}

/** Period-end figures at the pace so far; before one elapsed day, or outside the period, the actuals. */
function projectPeriod(start: Date, end: Date, now: Date, orders: number, counted: number): Projection {
  const periodMs = end.getTime() - start.getTime();
  const elapsedMs = Math.min(Math.max(now.getTime() - start.getTime(), 0), periodMs);
  const elapsedFraction = elapsedMs / periodMs;
  const usePace = elapsedMs >= MIN_ELAPSED_FOR_PACE_MS && elapsedMs < periodMs;
  return {
    elapsedFraction,
    projectionBasis: usePace ? 'pace' : 'actual',
    projectedOrders: usePace ? Math.round(orders / elapsedFraction) : orders,
    projectedCountedCancels: usePace ? Math.round(counted / elapsedFraction) : counted,
  };
}

function compareItems(a: ItemCancels, b: ItemCancels): number {
  return b.counted - a.counted || b.sellerFault - a.sellerFault || a.itemKey.localeCompare(b.itemKey);
}

/** Throws on a malformed month key; counts are trusted as non-negative integers from SQL. */
export function computeMonthlyRate(input: MonthlyRateInput): MonthlyRate {
  const { orders, countedCancels: counted, limit, alertLevels } = input;
  const basis = input.cancelMonthBasis ?? 'cancel_time';
  const cohort = input.cohort ?? 'completed_in_period';
  const countingUnit = input.countingUnit ?? 'order_line';
  const { start, end } = jstMonthRange(input.month);
  const { elapsedFraction, projectionBasis, projectedOrders, projectedCountedCancels } = projectPeriod(start, end, input.now, orders, counted);
  const sellerFaultCancels = sellerFaultCountOf(input.byReason);

  const addedCountedCancels = Math.max(0, input.pending.total - input.pending.insideExclusionWindow);
  const countedIfAccepted = counted + addedCountedCancels;
  const rate = rateOf(counted, orders);

  return {
    month: input.month,
    monthStart: start,
    monthEnd: end,
    asOf: input.now,
    denominator: input.denominator,
    cancelMonthBasis: basis,
    cohort,
    countingUnit,
    exclusionHours: input.exclusionHours,
    limit,
    orders,
    countedCancels: counted,
    excludedCancels: input.excludedCancels,
    rate,
    rateDefined: orders > 0,
    sellerFaultCancels,
    sellerFaultRate: rateOf(sellerFaultCancels, orders),
    status: statusOf(counted, orders, limit, alertLevels),
    levelsCrossed: orders > 0 ? levelsCrossed(rate, alertLevels) : [],
    headroom: headroomFor(limit, orders, counted),
    elapsedFraction,
    projectionBasis,
    projectedOrders,
    projectedCountedCancels,
    projectedRate: rateOf(projectedCountedCancels, projectedOrders),
    headroomAtMonthEnd: headroomFor(limit, projectedOrders, counted),
    ifAllPendingAccepted: {
      addedCountedCancels,
      countedCancels: countedIfAccepted,
      rate: rateOf(countedIfAccepted, orders),
      status: statusOf(countedIfAccepted, orders, limit, alertLevels),
      headroom: headroomFor(limit, orders, countedIfAccepted),
    },
    byReason: input.byReason,
    topItems: [...input.byItem].sort(compareItems).slice(0, TOP_ITEMS),
    definition: definitionOf(input, { cohort, denominator: input.denominator, cancelMonthBasis: basis, countingUnit }, start, end),
  };
}

// ---- The quarterly rate and the penalty tiers (domain.md) ----
// Qoo10 counts a 3-month rate on 1/1, 4/1, 7/1 and 10/1 (JST quarters): over 10 % the shop is barred
// from メガ割; over 15 % it may list at most 500 items; over 15 % two quarters in a row blocks all
// sales and stops payouts. With fewer than 10 orders in the quarter a penalty applies only above 50 %.

/** Over this quarterly rate the shop is barred from the メガ割 sales. */
export const MEGA_WARI_BAR_RATE = 0.1;
/** Over this quarterly rate the shop is limited to 500 listed items (twice in a row: sales blocked). */
export const LISTING_LIMIT_RATE = 0.15;
/** Fewer orders than this in the quarter: a penalty applies only above SMALL_SHOP_PENALTY_RATE. */
export const SMALL_SHOP_ORDERS = 10;
export const SMALL_SHOP_PENALTY_RATE = 0.5;

/** From harmless to worst; `warning` is Qoo10's 7 % warning level, below any quarterly penalty. */
export type PenaltyTier = 'ok' | 'warning' | 'mega_wari_barred' | 'listing_limited' | 'sales_blocked';

export const PENALTY_TIERS: readonly PenaltyTier[] = ['ok', 'warning', 'mega_wari_barred', 'listing_limited', 'sales_blocked'];

/** The worse of two tiers. */
export function worseTier(a: PenaltyTier, b: PenaltyTier): PenaltyTier {
  return PENALTY_TIERS.indexOf(a) >= PENALTY_TIERS.indexOf(b) ? a : b;
}

/** A period's counted figures, as summed from the aggregates. */
export interface PeriodCounts {
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  /** Of the counted cancels, the seller's (stock-outs, defects, late shipping). */
  sellerFaultCancels: number;
}

/** Whether a quarterly penalty can apply at all: always from 10 orders, below that only above 50 %. */
export function penaltyApplies(orders: number, countedCancels: number): boolean {
  if (orders <= 0) return false;
  return orders >= SMALL_SHOP_ORDERS || countedCancels / orders > SMALL_SHOP_PENALTY_RATE;
}

/** True when the quarter is over 15 % with the small-shop rule applied (one of the "two in a row"). */
export function overListingLimit(counts: { orders: number; countedCancels: number }): boolean {
  return penaltyApplies(counts.orders, counts.countedCancels) && counts.countedCancels / counts.orders > LISTING_LIMIT_RATE;
}

/**
 * The tier a quarter's figures put the shop in, given whether the quarter before was over 15 %.
 * Limits are strict: exactly 10 % is not over 10 %. `warnAbove` (the monthly 7 %) marks a quarter
 * over Qoo10's warning level but under any penalty as `warning`; a small shop under 50 % can be
 * `warning`, never penalised.
 */
export function quarterTier(counts: { orders: number; countedCancels: number }, previousOverListingLimit: boolean, warnAbove: number): PenaltyTier {
  const rate = rateOf(counts.countedCancels, counts.orders);
  if (penaltyApplies(counts.orders, counts.countedCancels)) {
    if (rate > LISTING_LIMIT_RATE) return previousOverListingLimit ? 'sales_blocked' : 'listing_limited';
    if (rate > MEGA_WARI_BAR_RATE) return 'mega_wari_barred';
  }
  return counts.orders > 0 && rate > warnAbove ? 'warning' : 'ok';
}

export interface QuarterlyRateInput {
  quarter: QuarterKey;
  now: Date;
  /** The monthly warning limit (7 %): a quarter above it but under 10 % is a `warning`. */
  warnAbove: number;
  /** Quarter to date. */
  current: PeriodCounts;
  /** The two quarters before, for the previous result and "two quarters in a row". */
  previous: PeriodCounts;
  beforePrevious: PeriodCounts;
}

export interface QuarterResult {
  period: QuarterKey;
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  rate: number;
  tier: PenaltyTier;
}

export interface QuarterlyRate {
  period: QuarterKey;
  /** JST quarter as UTC instants, end exclusive (the end is the counting day, 00:00 JST). */
  periodStart: Date;
  periodEnd: Date;
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  /** countedCancels ÷ orders; 0 when there are no orders. */
  rate: number;
  rateDefined: boolean;
  sellerFaultCancels: number;
  sellerFaultRate: number;
  /** Fewer than 10 orders: a penalty applies only above 50 %. */
  smallShop: boolean;
  /**
   * More counted cancels the quarter can absorb before it is over 10 % (resp. 15 %) if no more
   * orders arrive: floor(limit × orders) − counted, never below 0. Plain arithmetic on the limit: for
   * a small shop the 50 % rule decides whether a penalty applies (`tier` says it).
   */
  headroom10: number;
  headroom15: number;
  elapsedFraction: number;
  projectionBasis: 'pace' | 'actual';
  projectedOrders: number;
  projectedCountedCancels: number;
  projectedRate: number;
  /** The tier the quarter-to-date figures stand at, and the one at the projected quarter end. */
  tier: PenaltyTier;
  projectedTier: PenaltyTier;
  /** The previous quarter's final result: the tier in force now. */
  previous: QuarterResult;
  /** The previous quarter was over 15 %: one more such quarter blocks all sales. */
  twoQuartersRisk: boolean;
}

function quarterResult(period: QuarterKey, counts: PeriodCounts, previousOver: boolean, warnAbove: number): QuarterResult {
  return {
    period,
    orders: counts.orders,
    countedCancels: counts.countedCancels,
    excludedCancels: counts.excludedCancels,
    rate: rateOf(counts.countedCancels, counts.orders),
    tier: quarterTier(counts, previousOver, warnAbove),
  };
}

/** The quarter's figures, its tier now and at the projected end, and the previous quarter's result. */
export function computeQuarterlyRate(input: QuarterlyRateInput): QuarterlyRate {
  const { current, warnAbove } = input;
  const { start, end } = jstQuarterRange(input.quarter);
  const projection = projectPeriod(start, end, input.now, current.orders, current.countedCancels);
  const previousOver = overListingLimit(input.previous);
  const projected = { orders: projection.projectedOrders, countedCancels: projection.projectedCountedCancels };
  return {
    period: input.quarter,
    periodStart: start,
    periodEnd: end,
    orders: current.orders,
    countedCancels: current.countedCancels,
    excludedCancels: current.excludedCancels,
    rate: rateOf(current.countedCancels, current.orders),
    rateDefined: current.orders > 0,
    sellerFaultCancels: current.sellerFaultCancels,
    sellerFaultRate: rateOf(current.sellerFaultCancels, current.orders),
    smallShop: current.orders < SMALL_SHOP_ORDERS,
    headroom10: headroomFor(MEGA_WARI_BAR_RATE, current.orders, current.countedCancels),
    headroom15: headroomFor(LISTING_LIMIT_RATE, current.orders, current.countedCancels),
    ...projection,
    projectedRate: rateOf(projection.projectedCountedCancels, projection.projectedOrders),
    tier: quarterTier(current, previousOver, warnAbove),
    projectedTier: quarterTier(projected, previousOver, warnAbove),
    previous: quarterResult(previousQuarter(input.quarter), input.previous, overListingLimit(input.beforePrevious), warnAbove),
    twoQuartersRisk: previousOver,
  };
}

/**
 * The shop's standing now: the tier Qoo10 set on the last counting day (the previous quarter's
 * result), raised to `warning` while the current month is over the monthly limit.
 */
export function penaltyTierNow(quarter: QuarterlyRate, month: { status: RateStatus }): PenaltyTier {
  return worseTier(quarter.previous.tier, month.status === 'over' ? 'warning' : 'ok');
}

/**
 * The orders an alert judges a period's rate against. On the period's first JST day (before the
 * pace projection means anything) its denominator is still near zero while cancels of last period's
 * orders keep completing, so 1 late cancel against 3 new orders would read 33 %. Until one day has
 * passed the alert divides by at least one average day of the previous period's orders; from then
 * on by the orders themselves. A shop with no previous period keeps its own orders.
 */
export function alertDenominator(input: {
  orders: number;
  periodStart: Date;
  now: Date;
  previousPeriodOrders: number;
  previousPeriodDays: number;
}): number {
  const firstDay = input.now.getTime() - input.periodStart.getTime() < MIN_ELAPSED_FOR_PACE_MS;
  if (!firstDay || input.previousPeriodDays <= 0) return input.orders;
  return Math.max(input.orders, Math.round(input.previousPeriodOrders / input.previousPeriodDays));
}
