import { CANCEL_CAUSES, formulaText, type CancelCause, type ItemCancels, type PenaltyTier, type QuarterlyRate } from '../domain/cancel-rate';
import { formatJst } from '../domain/jst-calendar';
import type { PendingInWindow } from '../persistence/rate-repository';
import { percent } from '../notifications/rate-alert-email';
import type { CountedCancelItem, RateHistoryEntry, RateReport } from './rate-service';

const iso = (date: Date) => date.toISOString();

function presentItem(item: ItemCancels) {
  return { itemKey: item.itemKey, title: item.title, counted: item.counted, sellerFault: item.sellerFault };
}

function presentPending(request: PendingInWindow) {
  return {
    requestId: request.requestId,
    orderNo: request.orderNo,
    itemKey: request.itemKey,
    itemTitle: request.itemTitle,
    orderedAt: iso(request.orderedAt),
    requestedAt: iso(request.requestedAt),
    deadline: iso(request.deadline),
  };
}

/** The quarter object of `rate --json` and /api/cancel-rate (names fixed by issue 15). */
export function quarterToJson(quarter: QuarterlyRate) {
  return {
    period: quarter.period,
    orders: quarter.orders,
    countedCancels: quarter.countedCancels,
    excludedCancels: quarter.excludedCancels,
    rate: quarter.rate,
    headroom10: quarter.headroom10,
    headroom15: quarter.headroom15,
    projectedRate: quarter.projectedRate,
    rateDefined: quarter.rateDefined,
    periodStart: iso(quarter.periodStart),
    periodEnd: iso(quarter.periodEnd),
    sellerFaultRate: quarter.sellerFaultRate,
    smallShop: quarter.smallShop,
    projectionBasis: quarter.projectionBasis,
    projectedOrders: quarter.projectedOrders,
    projectedCountedCancels: quarter.projectedCountedCancels,
    tier: quarter.tier,
    projectedTier: quarter.projectedTier,
    twoQuartersRisk: quarter.twoQuartersRisk,
    previous: { ...quarter.previous },
  };
}

/**
 * The JSON shape of a rate report, shared by GET /api/cancel-rate and `cancel-guard rate --json`.
 * Rates are fractions (0.05 = 5 %); instants are ISO strings (UTC); `month` is the JST month.
 */
export function rateReportToJson(report: RateReport) {
  return {
    shopId: report.shopId,
    month: report.month,
    monthStart: iso(report.monthStart),
    monthEnd: iso(report.monthEnd),
    asOf: iso(report.asOf),
    orders: report.orders,
    countedCancels: report.countedCancels,
    excludedCancels: report.excludedCancels,
    rate: report.rate,
    rateDefined: report.rateDefined,
    sellerFaultCancels: report.sellerFaultCancels,
    sellerFaultRate: report.sellerFaultRate,
    limit: report.limit,
    status: report.status,
    levelsCrossed: report.levelsCrossed,
    headroom: report.headroom,
    headroomAtMonthEnd: report.headroomAtMonthEnd,
    elapsedFraction: report.elapsedFraction,
    projectionBasis: report.projectionBasis,
    projectedOrders: report.projectedOrders,
    projectedCountedCancels: report.projectedCountedCancels,
    projectedRate: report.projectedRate,
    byReason: report.byReason,
    topItems: report.topItems.map(presentItem),
    sellerFaultItems: report.sellerFaultItems.map(presentItem),
    pending: {
      total: report.pending.total,
      insideExclusionWindow: report.pending.insideExclusionWindow,
      ifAllAccepted: report.ifAllPendingAccepted,
      inWindow: report.pending.inWindow.map(presentPending),
    },
    quarter: quarterToJson(report.quarter),
    penaltyTier: report.penaltyTier,
    definition: {
      text: report.definition,
      formula: formulaText(report),
      cohort: report.cohort,
      denominator: report.denominator,
      cancelMonthBasis: report.cancelMonthBasis,
      countingUnit: report.countingUnit,
      cancelTime: 'qoo10_completion',
      exclusionHours: report.exclusionHours,
      timeZone: 'Asia/Tokyo',
    },
  };
}

export function rateHistoryToJson(entries: RateHistoryEntry[]) {
  return entries.map((entry) => ({ ...entry }));
}

export function countedCancelToJson(item: CountedCancelItem) {
  return {
    orderNo: item.orderNo,
    orderedAt: iso(item.orderedAt),
    cancelledAt: iso(item.cancelledAt),
    hoursAfterOrder: item.hoursAfterOrder,
    cause: item.cause,
    itemKey: item.itemKey,
    itemTitle: item.itemTitle,
    source: item.source,
  };
}

const CAUSE_LABEL: Record<CancelCause, string> = {
  buyer: 'Buyer / 購入者都合',
  seller_fault: 'Seller fault / 販売店都合',
  shipping_delay: 'Shipping delay / 発送遅延',
};

/** Terminal columns a string takes: CJK and full-width characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

const LABEL = 40;
const row = (label: string, value: string, note = '') => `${padEnd(label, LABEL)}${padStart(value, 10)}${note ? `  ${note}` : ''}`;

function itemRows(items: ItemCancels[]): string[] {
  return items.map((item) => {
    const name = item.title ? `${item.itemKey} ${item.title}` : item.itemKey;
    const short = name.length > 34 ? `${name.slice(0, 33)}…` : name;
    return `  ${padEnd(short, LABEL - 2)}${padStart(String(item.counted), 10)}${padStart(String(item.sellerFault), 14)}`;
  });
}

const TIER_LABEL: Record<PenaltyTier, string> = {
  ok: 'ok / 問題なし',
  warning: 'warning / 警告',
  mega_wari_barred: 'mega_wari_barred / メガ割参加不可',
  listing_limited: 'listing_limited / 出品500件まで',
  sales_blocked: 'sales_blocked / 販売停止',
};

function quarterRows(q: QuarterlyRate, tierNow: PenaltyTier): string[] {
  return [
    `Quarter / 四半期  ${q.period} (JST, counted on ${formatJst(q.periodEnd).slice(0, 10)})`,
    row('Quarter rate / 四半期キャンセル率', q.rateDefined ? percent(q.rate) : 'n/a', `counted ${q.countedCancels}, excluded ${q.excludedCancels}, orders ${q.orders}`),
    row('Headroom to 10 % / 15 %', `${q.headroom10} / ${q.headroom15}`, q.smallShop ? 'fewer than 10 orders: a penalty only above 50 %' : ''),
    row('Projected quarter end / 四半期末見込み', percent(q.projectedRate), `(${q.projectionBasis}) → ${q.projectedTier}`),
    row('Previous quarter / 前の四半期', percent(q.previous.rate), `${q.previous.period}: ${q.previous.tier}${q.twoQuartersRisk ? '; over 15 % again blocks sales' : ''}`),
    row('Penalty tier now / 現在のペナルティ', TIER_LABEL[tierNow], `heading / 見込み: ${TIER_LABEL[q.projectedTier]}`),
  ];
}

/** A bilingual (English / Japanese) plain-text table for the terminal (`cancel-guard rate`), no final newline. */
export function formatRateReport(report: RateReport, options: { shopName?: string } = {}): string {
  const shop = options.shopName ? `${options.shopName}  ` : '';
  const pace = report.projectionBasis === 'pace' ? `month end at this pace / 月末まで: ${report.headroomAtMonthEnd}` : '';
  const rate = report.rateDefined ? percent(report.rate) : 'n/a';
  const next = report.pending.inWindow[0];
  const lines = [
    `Cancellation rate / キャンセル率  ${shop}${report.month} (JST)  as of ${formatJst(report.asOf)} JST`,
    '-'.repeat(72),
    row('Rate / キャンセル率', rate, `limit / 上限 ${percent(report.limit)}, status: ${report.status}`),
    row('Counted cancels / 算入キャンセル', String(report.countedCancels)),
    row('Seller-fault rate / 販売店都合の率', percent(report.sellerFaultRate), `${report.sellerFaultCancels} seller-fault (a second figure, not the rate)`),
    row(`Excluded (< ${report.exclusionHours} h) / 除外`, String(report.excludedCancels)),
    row('Orders / 注文数', String(report.orders), `(${report.denominator})`),
    row('Headroom / 残りキャンセル数', String(report.headroom), pace),
    row('Projected month end / 月末見込み', percent(report.projectedRate), `(${report.projectionBasis})`),
    row('If all pending accepted / 保留を全承認', percent(report.ifAllPendingAccepted.rate), `+${report.ifAllPendingAccepted.addedCountedCancels} counted`),
    row(
      `Pending inside ${report.exclusionHours} h / 時間内の保留`,
      String(report.pending.insideExclusionWindow),
      next ? `first deadline / 最短期限 ${formatJst(next.deadline)} JST (order ${next.orderNo})` : '',
    ),
    '',
    `${padEnd('By reason / 理由別', LABEL)}${padStart('counted', 10)}${padStart('excluded', 14)}`,
    ...CANCEL_CAUSES.map(
      (cause) =>
        `  ${padEnd(CAUSE_LABEL[cause], LABEL - 2)}${padStart(String(report.byReason[cause].counted), 10)}${padStart(String(report.byReason[cause].excluded), 14)}`,
    ),
  ];
  if (report.topItems.length > 0) {
    lines.push('', `${padEnd('Top items / 商品別', LABEL)}${padStart('counted', 10)}${padStart('seller-fault', 14)}`, ...itemRows(report.topItems));
  }
  if (report.sellerFaultItems.length > 0) {
    lines.push('', `${padEnd('Seller-fault items / 販売店都合の商品', LABEL)}${padStart('counted', 10)}${padStart('seller-fault', 14)}`);
    lines.push(...itemRows(report.sellerFaultItems));
  }
  lines.push('', ...quarterRows(report.quarter, report.penaltyTier));
  lines.push('', `Definition: ${report.definition}`);
  return lines.join('\n');
}
