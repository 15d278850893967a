// One log line per cancel case (item, cause, timing, outcome), and the report that ranks which
// items keep causing seller-fault cancels, so the shop knows whose stock sync to fix first.
import { formatJst, hoursBetween, isValidInstant } from '../jst-calendar';
import type { Decision, DecisionKind, Order, SellerFaultCause } from '../types';

/**
 * Why the case ended as it did. 'seller_fault' is a seller-fault decision that named no cause; it is
 * still the shop's fault, never the buyer's. 'undecided' is a case waiting for a person.
 */
export type CaseCause = 'buyer' | 'already_shipped' | SellerFaultCause | 'seller_fault' | 'undecided';

export interface CaseLogEntry {
  /** Seller item code when the shop has one, else 'item:' + Qoo10 item number. */
  itemKey: string;
  itemTitle: string;
  orderNo: string;
  cause: CaseCause;
  /** 'YYYY-MM-DD HH:MM' in JST; sorts as text in time order. */
  decidedAt: string;
  outcome: DecisionKind;
  /** Hours from the order to the decision, one decimal rounded down; null when the order time is unusable. */
  timeFromOrderHours: number | null;
}

export function itemKeyOf(order: Pick<Order, 'sellerItemCode' | 'itemNo'>): string {
  const code = order.sellerItemCode?.trim();
  return code ? code : `item:${order.itemNo}`;
}

function causeOf(decision: Pick<Decision, 'kind' | 'sellerFaultCause'>): CaseCause {
  switch (decision.kind) {
    case 'accept':
      return 'buyer';
    case 'refuse':
      return 'already_shipped';
    case 'seller-fault':
      return decision.sellerFaultCause ?? 'seller_fault';
    case 'review':
      return 'undecided';
  }
}

export function caseLogEntry(
  decision: Pick<Decision, 'kind' | 'sellerFaultCause'>,
  order: Order,
  now: Date,
): CaseLogEntry {
  // Rounded down so 5.96 h shows as 5.9, not 6.0: the 6-hour exclusion must not look crossed early.
  const hours = isValidInstant(order.orderedAt)
    ? Math.floor(hoursBetween(order.orderedAt, now) * 10 + 1e-9) / 10
    : null;
  return {
    itemKey: itemKeyOf(order),
    itemTitle: order.itemTitle,
    orderNo: order.orderNo,
    cause: causeOf(decision),
    decidedAt: formatJst(now),
    outcome: decision.kind,
    timeFromOrderHours: hours,
  };
}

export interface SellerFaultItemRow {
  itemKey: string;
  /** The title as last logged: titles change, the key does not. */
  itemTitle: string;
  count: number;
  /** count / all seller-fault cases in the entries, 0–1. */
  share: number;
  /** JST 'YYYY-MM-DD HH:MM' of the latest case. */
  lastAt: string;
  byCause: Partial<Record<SellerFaultCause | 'seller_fault', number>>;
}

export interface SellerFaultItemReport {
  totalSellerFault: number;
  /** Most cases first; ties go to the most recent, then to the item key for a stable order. */
  items: SellerFaultItemRow[];
}

/** Code-unit order, independent of the process locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sellerFaultItemReport(entries: readonly CaseLogEntry[]): SellerFaultItemReport {
  const faults = entries.filter((e) => e.outcome === 'seller-fault');
  const rows = new Map<string, SellerFaultItemRow>();
  for (const entry of faults) {
    const row = rows.get(entry.itemKey) ?? {
      itemKey: entry.itemKey,
      itemTitle: entry.itemTitle,
      count: 0,
      share: 0,
      lastAt: entry.decidedAt,
      byCause: {},
    };
    row.count += 1;
    if (entry.decidedAt >= row.lastAt) {
      row.lastAt = entry.decidedAt;
      row.itemTitle = entry.itemTitle;
    }
    const cause =
      entry.cause === 'buyer' || entry.cause === 'already_shipped' || entry.cause === 'undecided'
        ? 'seller_fault'
        : entry.cause;
    row.byCause[cause] = (row.byCause[cause] ?? 0) + 1;
    rows.set(entry.itemKey, row);
  }
  const items = [...rows.values()]
    .map((row) => ({ ...row, share: row.count / faults.length }))
    .sort((a, b) => b.count - a.count || compareText(b.lastAt, a.lastAt) || compareText(a.itemKey, b.itemKey));
  return { totalSellerFault: faults.length, items };
}
