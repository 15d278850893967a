import { CANCEL_CAUSES, type CancelCause, type ItemCancels, type MonthlyRate, type QuarterlyRate } from '../domain/cancel-rate';
import { formatJst } from '../domain/jst-calendar';

/**
 * 'rate': the month's rate stands at or over the level.
 * 'projected': the rate is still under the level, but accepting every pending request that is past
 * the exclusion window would bring it there.
 */
export type RateAlertKind = 'rate' | 'projected';

export interface RateAlertFacts {
  kind: RateAlertKind;
  /** The alert level reached, as a fraction (0.05). */
  level: number;
  shopName: string;
  rate: MonthlyRate;
  /** Items with the most seller-fault cancels this month, most first. */
  sellerFaultItems: ItemCancels[];
  /** Pending requests still inside the exclusion window, and the soonest instant one leaves it. */
  pendingInWindow: number;
  nextWindowDeadline: Date | null;
}

const CAUSE_LABEL: Record<CancelCause, string> = {
  buyer: '購入者都合',
  seller_fault: '販売店都合（在庫切れ・不良など）',
  shipping_delay: '発送遅延',
};

/** A fraction as a percentage with two decimals: 0.05 → "5.00 %". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

function monthLabel(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

function itemLine(item: ItemCancels): string {
  const title = item.title && item.title !== item.itemKey ? ` ${item.title}` : '';
  return `・${item.itemKey}${title}: 算入 ${item.counted} 件（うち販売店都合 ${item.sellerFault} 件）`;
}

/** How an order is counted, per counting unit (CANCEL_RATE_COUNTING_UNIT). */
function countingUnitJa(rate: MonthlyRate): string {
  return rate.countingUnit === 'cart'
    ? `注文はカート（PackNo）ごとに1件と数え、カート内の1商品でもキャンセルされれば1件、${rate.exclusionHours}時間ルールで算入される商品が1つでもあれば算入します。`
    : '注文は注文番号（OrderNo）ごとに1件と数えます。';
}

function definitionJa(rate: MonthlyRate): string {
  if (rate.cohort === 'paid_cohort') {
    return (
      `キャンセル率 = その月に入金された注文のうち、同じ月に完了し算入されるキャンセル ÷ その月に入金された注文数。` +
      `注文から${rate.exclusionHours}時間以内に完了したキャンセルは算入されません。月は日本時間で区切ります。${countingUnitJa(rate)}`
    );
  }
  const numerator = rate.cancelMonthBasis === 'cancel_time' ? 'その月に完了したキャンセル' : 'その月の注文のキャンセル';
  const denominator = rate.denominator === 'orders_paid' ? 'その月の入金済み注文数' : 'その月の注文数';
  return (
    `キャンセル率 = ${numerator}のうち算入されるもの ÷ ${denominator}。注文から${rate.exclusionHours}時間以内に完了した` +
    `キャンセルは算入されません（購入者都合でも販売店都合でも、それ以外はすべて算入）。月は日本時間で区切ります。${countingUnitJa(rate)}`
  );
}

/** Subject and body (Japanese, plain text) of a cancellation-rate alert for the seller. */
export function rateAlertEmail(facts: RateAlertFacts): { subject: string; body: string } {
  const { rate, level, shopName } = facts;
  const month = monthLabel(rate.month);
  const over = rate.rate > rate.limit;
  const subject =
    facts.kind === 'projected'
      ? `【注意】保留中のキャンセル要請でキャンセル率が${percent(level)}に届きます（${shopName}・${month}）`
      : over
        ? `【緊急】キャンセル率がQoo10の警告ライン${percent(rate.limit)}を超えました（${shopName}・${month}）`
        : `【警告】キャンセル率が${percent(level)}に達しました（${shopName}・${month}）`;

  const lead =
    facts.kind === 'projected'
      ? `${shopName} の${month}（日本時間）のキャンセル率は現在 ${percent(rate.rate)} ですが、保留中のキャンセル要請を` +
        `すべて承認すると ${percent(rate.ifAllPendingAccepted.rate)} になり、${percent(level)} に届きます。`
      : `${shopName} の${month}（日本時間）のキャンセル率が ${percent(rate.rate)} になり、お知らせの基準 ${percent(level)} に達しました。` +
        (over ? `Qoo10の警告ライン ${percent(rate.limit)} を超えています。` : '');

  const lines = [
    lead,
    '',
    `■ 現在の数値（${formatJst(rate.asOf)} 日本時間 時点）`,
    `・キャンセル率: ${percent(rate.rate)}（Qoo10の警告ライン ${percent(rate.limit)}）`,
    `・算入されるキャンセル: ${rate.countedCancels} 件`,
    `・算入されないキャンセル（注文から${rate.exclusionHours}時間以内に完了）: ${rate.excludedCancels} 件`,
    `・注文数: ${rate.orders} 件`,
    `・警告ラインを超えずに受けられるキャンセル: あと ${rate.headroom} 件` +
      (rate.projectionBasis === 'pace' ? `（今のペースで注文が続けば月末までに あと ${rate.headroomAtMonthEnd} 件）` : ''),
    `・月末の見込みキャンセル率（今のペース）: ${percent(rate.projectedRate)}`,
    `・保留中の要請をすべて承認した場合: ${percent(rate.ifAllPendingAccepted.rate)}（算入 +${rate.ifAllPendingAccepted.addedCountedCancels} 件）`,
    '',
    '■ 内訳（理由別: 算入 / 除外）',
    ...CANCEL_CAUSES.map((cause) => `・${CAUSE_LABEL[cause]}: ${rate.byReason[cause].counted} 件 / ${rate.byReason[cause].excluded} 件`),
  ];
  if (rate.topItems.length > 0) lines.push('', '■ キャンセルの多い商品', ...rate.topItems.map(itemLine));
  if (facts.sellerFaultItems.length > 0) lines.push('', '■ 販売店都合のキャンセルが出ている商品', ...facts.sellerFaultItems.map(itemLine));

  const deadline = facts.nextWindowDeadline ? `最も早い期限は ${formatJst(facts.nextWindowDeadline)}（日本時間）です。` : '';
  lines.push(
    '',
    '■ 今すぐできること',
    `1. 未発送で在庫のある注文へのキャンセル要請は、すぐに承認してください。注文から${rate.exclusionHours}時間以内に` +
      `完了したキャンセルは率に算入されません。いま${rate.exclusionHours}時間以内の保留中の要請は ${facts.pendingInWindow} 件です。${deadline}`,
    '2. 荷物を運送会社に渡したら、その場で追跡番号をQoo10に登録してください。配送中になった注文にはキャンセル要請が届かなくなります。',
    '3. 販売店都合のキャンセルが出ている商品は、在庫連携の遅れや在庫数のずれを直し、安全在庫を持たせてください。',
    '4. 購入者に「キャンセルしてください」とお願いすることはQoo10の規約で禁止されています。販売店都合のキャンセルは必ず販売店側で処理してください。',
    '',
    `率の定義: ${definitionJa(rate)}`,
  );
  return { subject, body: lines.join('\n') };
}

/** The quarterly tiers that raise an alert (domain.md: over 10 %, over 15 %, over 15 % twice in a row). */
export type QuarterAlertLevel = 'mega_wari_barred' | 'listing_limited' | 'sales_blocked';

const QUARTER_CONSEQUENCE: Record<QuarterAlertLevel, string> = {
  mega_wari_barred: 'メガ割に参加できなくなります',
  listing_limited: '出品できる商品が500件までに制限されます',
  sales_blocked: 'すべての販売が停止され、精算も止まります',
};

function quarterLabel(period: string): string {
  const first = (Number(period.slice(6)) - 1) * 3 + 1;
  return `${period.slice(0, 4)}年${first}〜${first + 2}月`;
}

/** Subject and body (Japanese, plain text) of a quarterly penalty alert. */
export function quarterAlertEmail(facts: { level: QuarterAlertLevel; shopName: string; quarter: QuarterlyRate; asOf: Date }): {
  subject: string;
  body: string;
} {
  const { quarter: q, level, shopName } = facts;
  const label = quarterLabel(q.period);
  const line = level === 'mega_wari_barred' ? '10 %' : '15 %';
  const subject =
    level === 'sales_blocked'
      ? `【緊急】2四半期続けてキャンセル率が15 %を超えています（${shopName}・${label}）`
      : `【${level === 'listing_limited' ? '緊急' : '警告'}】四半期のキャンセル率が${line}を超えています（${shopName}・${label}）`;
  const lead =
    level === 'sales_blocked'
      ? `前の四半期（${quarterLabel(q.previous.period)}）に続き、${label}のキャンセル率も ${percent(q.rate)} で15 %を超えています。` +
        `このまま集計日（${formatJst(q.periodEnd)}）を迎えると、${QUARTER_CONSEQUENCE[level]}。`
      : `${label}のキャンセル率が ${percent(q.rate)} になり、${line}を超えています。このまま集計日（${formatJst(q.periodEnd)}）を迎えると、` +
        `${QUARTER_CONSEQUENCE[level]}。`;
  const lines = [
    lead,
    '',
    `■ 四半期の数値（${formatJst(facts.asOf)} 日本時間 時点）`,
    `・キャンセル率: ${percent(q.rate)}（販売店都合のみ: ${percent(q.sellerFaultRate)}）`,
    `・算入されるキャンセル: ${q.countedCancels} 件 / 算入されないキャンセル: ${q.excludedCancels} 件`,
    `・注文数: ${q.orders} 件`,
    `・10 %を超えずに受けられるキャンセル: あと ${q.headroom10} 件、15 %まで: あと ${q.headroom15} 件`,
    `・四半期末の見込みキャンセル率（今のペース）: ${percent(q.projectedRate)}`,
    `・前の四半期（${quarterLabel(q.previous.period)}）: ${percent(q.previous.rate)}（注文 ${q.previous.orders} 件、算入 ${q.previous.countedCancels} 件）`,
  ];
  if (q.smallShop) lines.push('・注文が10件未満の四半期は、キャンセル率が50 %を超えた場合だけペナルティの対象になります。');
  lines.push(
    '',
    '■ 今すぐできること',
    '1. 未発送で在庫のある注文へのキャンセル要請は、注文から6時間以内に承認すると率に算入されません。',
    '2. 荷物を渡したらすぐに追跡番号を登録し、キャンセル要請が届かない状態にしてください。',
    '3. 在庫切れによるキャンセルが出ている商品は、在庫数を見直し、安全在庫を持たせてください。',
    '',
    'Qoo10は四半期（1〜3月、4〜6月、7〜9月、10〜12月）のキャンセル率を1/1、4/1、7/1、10/1に集計します。',
  );
  return { subject, body: lines.join('\n') };
}
