// One log line per cancel case (item, cause, timing, outcome), and the report that ranks which
// items keep causing seller-fault cancels, so the shop knows whose stock sync to fix first.
import { formatJst, hoursBetween, isValidInstant } from '../jst-calendar';
import type { Decision, DecisionKind, Order, SellerFaultCause } from '../types';

/**
 * Why the case ended as it did. 'seller_fault' is a seller-fault decision that named no cause; it is
 * still the shop's fault, never the buyer's. 'undecided' is a case waiting for a person.
 */
export type CaseCause = 'buyer' | 'already_shipped' | SellerFaultCause | 'seller_fault' | 'undecided';

export const CONTACT_CHANNELS = ['qsm', 'email', 'phone', 'other'] as const;
/** How the buyer was reached: QSM's messaging, email, a phone call, anything else. */
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const OFFER_KINDS = ['alternative', 'coupon', 'restock_notice'] as const;
/** What the shop offered besides the refund. */
export type OfferKind = (typeof OFFER_KINDS)[number];

/** What a person records about a case beyond the decision: the follow-up the monthly review reads. */
export interface CaseNotes {
  contactChannel: ContactChannel | null;
  contactedAt: Date | null;
  callMade: boolean;
  callSummary: string | null;
  offered: OfferKind[];
  buyerReaction: string | null;
  /** Why it happened, in the shop's words (e.g. "two channels sold the last unit"). */
  rootCause: string | null;
}

export const EMPTY_CASE_NOTES: CaseNotes = {
  contactChannel: null,
  contactedAt: null,
  callMade: false,
  callSummary: null,
  offered: [],
  buyerReaction: null,
  rootCause: null,
};

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
  /** 'qsm': a person answered the request by hand in QSM, outside the service. */
  handledIn?: 'service' | 'qsm';
  notes?: CaseNotes;
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

const CHANNEL_JA: Record<ContactChannel, string> = { qsm: 'QSM', email: 'メール', phone: '電話', other: 'その他' };
const OFFER_JA: Record<OfferKind, string> = { alternative: '代替品', coupon: 'クーポン', restock_notice: '再入荷のご案内' };
const OUTCOME_JA: Record<DecisionKind, string> = {
  accept: '承認（購入者都合）',
  refuse: '拒否（発送済み）',
  'seller-fault': '販売店都合キャンセル',
  review: '手動対応',
};
const CAUSE_JA: Record<CaseCause, string> = {
  buyer: '購入者都合',
  already_shipped: '発送済み',
  out_of_stock: '在庫切れ',
  defect: '商品不良',
  undeliverable_area: '配送不可地域',
  shipping_delay: '発送遅延',
  seller_fault: '販売店都合（原因未記入）',
  undecided: '未判定',
};

export const CASE_LOG_CSV_HEADER = [
  '判定日時(JST)', '注文番号', '商品コード', '商品名', '結果', '原因', '注文からの時間(h)', '対応場所',
  '連絡手段', '連絡日時(JST)', '電話', '電話の要約', '提案', 'お客様の反応', '根本原因',
] as const;

/** A cell as Excel reads it safely: quoted when needed, and a leading = + - @ defused (CSV injection). */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The case log as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Japanese as
 * mojibake), CRLF line ends, Japanese headers, one row per case.
 */
export function caseLogCsv(entries: readonly CaseLogEntry[]): string {
  const rows = entries.map((entry) => {
    const notes = entry.notes ?? EMPTY_CASE_NOTES;
    return [
      entry.decidedAt,
      entry.orderNo,
      entry.itemKey,
      entry.itemTitle,
      OUTCOME_JA[entry.outcome],
      CAUSE_JA[entry.cause],
      entry.timeFromOrderHours === null ? '' : entry.timeFromOrderHours.toFixed(1),
      entry.handledIn === 'qsm' ? 'QSM（手動）' : 'cancel-guard',
      notes.contactChannel ? CHANNEL_JA[notes.contactChannel] : '',
      notes.contactedAt ? formatJst(notes.contactedAt) : '',
      notes.callMade ? 'あり' : 'なし',
      notes.callSummary ?? '',
      notes.offered.map((offer) => OFFER_JA[offer]).join('・'),
      notes.buyerReaction ?? '',
      notes.rootCause ?? '',
    ]
      .map(csvCell)
      .join(',');
  });
  return `\uFEFF${[CASE_LOG_CSV_HEADER.join(','), ...rows].join('\r\n')}\r\n`;
}
