// The chaos harness's money invariants, judged against ground truth only: the simulator's own state, its
// log of every write attempt (src/qoo10/simulator/write-faults.ts) and call record, and the harness's own
// record of what it told the shop. The product's tables are never the reference here; the product is only
// asked for what it reports to a person (`cancel-guard rate --json`), and that is compared with a recount.
//
// Every violation text starts with its invariant's name and a colon, so a run can be tallied per invariant.
import type { RecordedCall } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import type { WriteAnswer, WriteAttempt } from '../../src/qoo10/simulator/write-faults';

export const INVARIANTS = ['rate', 'shipped-cancel', 'double-action', 'poll-cadence', 'state'] as const;
export type Invariant = (typeof INVARIANTS)[number];

/** The invariant a violation text belongs to; texts without a known prefix are 'state' (the product's own bookkeeping). */
export function invariantOf(violation: string): Invariant {
  const prefix = violation.slice(0, violation.indexOf(':'));
  return (INVARIANTS as readonly string[]).includes(prefix) ? (prefix as Invariant) : 'state';
}

export function tallyByInvariant(violations: readonly string[]): Record<Invariant, number> {
  const tally = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as Record<Invariant, number>;
  for (const violation of violations) tally[invariantOf(violation)] += 1;
  return tally;
}

/** The harness told the shop (through the product's facts or tracking API) that a parcel may have left. */
export interface HandOverRecord {
  orderNo: string;
  /** What was recorded: "handed to the carrier", "packed", "tracking known" … */
  how: string;
  /** The simulator's call count when it was recorded: later calls come after it. */
  afterCallSeq: number;
}

const describe = (a: WriteAttempt) => `call #${a.callSeq}, ${a.applied ? 'applied' : `not applied${a.resultCode === null ? '' : `, result ${a.resultCode}`}`}, answer ${a.answer}`;

/**
 * No shipped order cancelled: every SetCancelProcess attempt, refused ones included, on an order that had
 * shipped on Qoo10 when the call arrived, or that the harness had recorded as handed over before it.
 * (An order the simulator ships inside the handler, shipBetweenReadAndWrite, had not shipped on arrival:
 * the service could not have known; Qoo10's refusal is what protects that case.)
 */
export function checkNoShippedCancel(writes: readonly WriteAttempt[], handedOver: readonly HandOverRecord[]): string[] {
  const violations: string[] = [];
  for (const attempt of writes) {
    if (attempt.kind !== 'cancel') continue;
    if (attempt.shippedBefore) violations.push(`shipped-cancel: cancel attempted on order ${attempt.orderNo}, which had shipped on Qoo10 (${describe(attempt)})`);
    const record = handedOver.find((h) => h.orderNo === attempt.orderNo && h.afterCallSeq < attempt.callSeq);
    if (record) {
      violations.push(`shipped-cancel: cancel attempted on order ${attempt.orderNo} after the shop recorded it as ${record.how} (${describe(attempt)})`);
    }
  }
  return violations;
}

/** Answers after which the caller cannot know whether the write was applied. */
const UNKNOWN: ReadonlySet<WriteAnswer> = new Set(['timeout', 'http500', 'malformed', 'http5xx', 'drop']);
/**
 * Refusals about the order itself (not found, another seller's, wrong state): sending the same thing again
 * cannot change them. Key and gateway errors (-90004 expired key …) never looked at the order, and a
 * temporary bulk row failure (-10005) is expected to be sent again.
 */
const ORDER_REFUSALS: ReadonlySet<number> = new Set([-10002, -10003, -10004]);

/** A clear refusal that sending the same thing again cannot change. */
const refusedForGood = (a: WriteAttempt) => a.answer === 'answered' && a.resultCode !== null && ORDER_REFUSALS.has(a.resultCode);
/** Qoo10 looked at the order: applied, or refused because of the order. */
const reachedOrder = (a: WriteAttempt) => a.resultCode !== null && (a.resultCode === 0 || ORDER_REFUSALS.has(a.resultCode));
const cleanlyAnswered = (call: RecordedCall) => call.fault === null && call.lostAnswer === null && call.responseCode === 0;
const param = (call: RecordedCall, name: string) => Object.entries(call.params).find(([key]) => key.toLowerCase() === name)?.[1]?.trim();

/** Whether the service read the order on Qoo10 between two calls (exclusive). */
function readBetween(calls: readonly RecordedCall[], earlier: WriteAttempt, later: WriteAttempt): boolean {
  for (const call of calls) {
    if (call.seq <= earlier.callSeq || call.seq >= later.callSeq || !cleanlyAnswered(call)) continue;
    if (/GetShippingAndClaimInfoByOrderNo_V2$/i.test(call.method) && param(call, 'orderno') === later.orderNo) return true;
    // A bulk row may be settled from the shop's shipping list, which shows tracking numbers.
    if (later.method === 'ShippingBasic.SetSendingInfoBulk' && /GetShippingInfo_v3$/i.test(call.method) && call.shopName === later.shopName) return true;
  }
  return false;
}

/**
 * No double action, from the simulator's write log (refused attempts included), one violation per
 * repeated attempt:
 * - a cancel that reaches the order on Qoo10 (applied, or refused because of the order: -10002/3/4) after
 *   another one on the same order already had (key and gateway errors never reached the order);
 * - a tracking number sent again for an order after Qoo10 had applied it, or refused it because of the order;
 * - any write sent again after an answer that left its outcome unknown, without reading the order in between.
 * An attempt lost before Qoo10 handled it, then settled by a read and sent once more, is not a violation.
 */
export function checkNoDoubleAction(calls: readonly RecordedCall[], writes: readonly WriteAttempt[]): string[] {
  const violations = new Set<string>();
  const groups = new Map<string, WriteAttempt[]>();
  for (const attempt of writes) {
    if (!attempt.orderNo) continue;
    const key = attempt.kind === 'tracking' ? `tracking ${attempt.trackingNo} for order ${attempt.orderNo}` : `${attempt.kind} of order ${attempt.orderNo}`;
    groups.set(key, [...(groups.get(key) ?? []), attempt]);
  }
  for (const [what, attempts] of groups) {
    // At most one violation per repeated attempt, the strongest reason first.
    attempts.forEach((later, i) => {
      if (i === 0) return;
      const earlier = attempts.slice(0, i).reverse();
      const reason =
        (later.kind === 'cancel' && reachedOrder(later) && earlier.find(reachedOrder)
          ? `after an earlier one had reached Qoo10 (${describe(earlier.find(reachedOrder)!)})`
          : null) ??
        (later.kind === 'tracking' && earlier.find((a) => a.applied) ? `after Qoo10 had applied it (${describe(earlier.find((a) => a.applied)!)})` : null) ??
        (later.kind === 'tracking' && earlier.find(refusedForGood) ? `after Qoo10 had refused it (${describe(earlier.find(refusedForGood)!)})` : null) ??
        (UNKNOWN.has(attempts[i - 1]!.answer) && !readBetween(calls, attempts[i - 1]!, later)
          ? `after an unknown outcome (${describe(attempts[i - 1]!)}) without reading the order in between`
          : null);
      if (reason) violations.add(`double-action: ${what} sent again (${describe(later)}) ${reason}`);
    });
  }
  return [...violations];
}

/** A stretch of time in which the service's processes ran (epoch ms). */
export interface RunningPeriod {
  from: number;
  to: number;
}

/**
 * Poll cadence, from the simulator's call record: while the service runs, every shop's claims (its
 * GetClaimInfo_V3 call for pending requests) are polled at least once in every two consecutive
 * intervals, i.e. between any schedule tick and the tick after next. `ticks(from, to)` gives the
 * schedule's ticks in a period; windows that end after the period are not judged.
 */
export function checkPollCadence(calls: readonly RecordedCall[], shopNames: readonly string[], periods: readonly RunningPeriod[], ticks: (from: number, to: number) => number[]): string[] {
  const violations: string[] = [];
  const polls = new Map<string, number[]>(shopNames.map((name) => [name, []]));
  for (const call of calls) {
    if (/GetClaimInfo_V3$/i.test(call.method) && param(call, 'claimstat') === '1' && call.shopName !== null) polls.get(call.shopName)?.push(call.at.getTime());
  }
  for (const period of periods) {
    const t = ticks(period.from, period.to);
    for (let i = 0; i + 2 < t.length; i++) {
      const [from, to] = [t[i]!, t[i + 2]!];
      for (const [shop, times] of polls) {
        if (!times.some((at) => at >= from && at < to)) {
          const before = times.filter((at) => at < from).pop();
          const after = times.find((at) => at >= to);
          const when = (at: number | undefined) => (at === undefined ? 'none' : new Date(at).toISOString().slice(11, 23));
          violations.push(
            `poll-cadence: claims of ${shop} not polled between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} (two intervals; polled before at ${when(before)}, after at ${when(after)})`,
          );
        }
      }
    }
  }
  return violations;
}

const HOUR_MS = 3_600_000;
/** The JST month `YYYY-MM` of an instant (JST has no daylight saving: UTC+9 all year). */
export const jstMonth = (instant: Date): string => new Date(instant.getTime() + 9 * HOUR_MS).toISOString().slice(0, 7);

export interface RateRecount {
  orders: number;
  countedCancels: number;
  excludedCancels: number;
}

/**
 * The month's figures recounted from the simulator alone: orders placed in the JST month (the default
 * denominator, orders_placed), cancels completed in the JST month, those completed less than
 * `exclusionHours` after their order excluded.
 */
export function recountFromSimulator(shop: SimShop, month: string, exclusionHours = 6): RateRecount {
  const recount: RateRecount = { orders: 0, countedCancels: 0, excludedCancels: 0 };
  for (const order of shop.orders.values()) if (jstMonth(order.orderedAt) === month) recount.orders += 1;
  for (const claim of shop.claims) {
    if (claim.claimStatus !== 3 || !claim.completedAt || jstMonth(claim.completedAt) !== month) continue;
    const order = shop.orders.get(claim.orderNo);
    if (!order) continue;
    if (claim.completedAt.getTime() - order.orderedAt.getTime() < exclusionHours * HOUR_MS) recount.excludedCancels += 1;
    else recount.countedCancels += 1;
  }
  return recount;
}

/** What `rate --json` (or GET /api/cancel-rate) reported, the fields compared. */
export interface ReportedRate {
  month: string;
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  definition?: { denominator?: string; exclusionHours?: number; cancelMonthBasis?: string };
}

/** Compares a reported rate with the recount from the simulator. */
export function compareRate(shopName: string, reported: ReportedRate, shop: SimShop, source: string): string[] {
  const definition = reported.definition ?? {};
  if (definition.denominator !== 'orders_placed' || (definition.cancelMonthBasis ?? 'cancel_time') !== 'cancel_time') {
    return [`rate: ${shopName}: ${source} uses ${definition.denominator}/${definition.cancelMonthBasis}; the recount knows orders_placed/cancel_time only`];
  }
  const truth = recountFromSimulator(shop, reported.month, definition.exclusionHours ?? 6);
  const differences = (['orders', 'countedCancels', 'excludedCancels'] as const)
    .filter((field) => reported[field] !== truth[field])
    .map((field) => `${field} ${reported[field]} (Qoo10 shows ${truth[field]})`);
  return differences.length === 0 ? [] : [`rate: ${shopName} ${reported.month}: ${source} reports ${differences.join(', ')}`];
}
