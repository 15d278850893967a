// The paragraphs a seller-fault message adds: the plain admission of the shop's fault, and the
// optional offers (alternative item, restock date, back-order, apology coupon). An offer whose
// settings are unusable is left out and named in `notes` for the seller: saying nothing is safe,
// promising a wrong date or a broken coupon is not.
import { jstDateOf } from '../jst-calendar';
import type { Order, SellerFaultCause } from '../types';
import { addJstDays, addJstMonths, formatJstDate, formatYen, isJstDate, itemLabel } from './format-values';
import type { Language } from './message-types';
import { DEFAULT_RESTOCK_MARGIN_DAYS, type ShopMessageSettings } from './shop-message-settings';

// Each cause owns the fault in the shop's name; none points at a system, a supplier or a maker.
const FAULT: Record<SellerFaultCause, Record<Language, string>> = {
  out_of_stock: {
    ja: 'ご注文をお受けした時点で、当店にはお送りできる在庫がございませんでした。在庫の数を正しく管理できていなかった当店の落ち度です。',
    en: 'When your order came in, we no longer had the item in stock. Our stock count was wrong, and that is our mistake.',
  },
  defect: {
    ja: '発送前の検品で商品に不良が見つかり、代わりにお送りできる良品を当店でご用意できませんでした。良品を確保できていなかった当店の落ち度です。',
    en: 'Our inspection before shipping found a defect, and we had no sound unit to send instead. That is our mistake.',
  },
  undeliverable_area: {
    ja: 'お届け先が当店から配送できない地域であることを、ご注文の前にお知らせできておりませんでした。配送できる地域をきちんとご案内していなかった当店の落ち度です。',
    en: 'We cannot deliver to your address, and we failed to make that clear before you ordered. That is our mistake.',
  },
  shipping_delay: {
    ja: 'お約束した発送期限までに商品を発送できませんでした。発送の段取りを守れなかった当店の落ち度です。',
    en: 'We did not ship the item by the shipping date we promised. That is our mistake.',
  },
};

export function faultExplanation(cause: SellerFaultCause, language: Language): string {
  return FAULT[cause][language];
}

/** An alternative or a restock date cannot help a buyer the shop cannot deliver to at all. */
function itemOffersApply(cause: SellerFaultCause): boolean {
  return cause !== 'undeliverable_area';
}

function quoted(text: string, language: Language): string {
  return language === 'ja' ? `「${text}」` : `“${text}”`;
}

export function alternativeOffer(
  lines: readonly Order[],
  cause: SellerFaultCause,
  settings: ShopMessageSettings,
  language: Language,
  notes: string[],
): string {
  if (!itemOffersApply(cause)) return '';
  const offers: string[] = [];
  for (const line of lines) {
    const alternative = line.sellerItemCode ? settings.alternatives?.[line.sellerItemCode] : undefined;
    const original = itemLabel(line, language);
    if (!alternative || original === null) continue;
    if (alternative.itemTitle.trim() === '') {
      notes.push(`alternative for ${line.sellerItemCode} has no item title; not offered`);
      continue;
    }
    const note = alternative.note?.trim()
      ? language === 'ja'
        ? alternative.note.trim()
        : ` ${alternative.note.trim()}`
      : '';
    offers.push(
      (language === 'ja'
        ? `${quoted(original, language)}の代わりに、同等以上の仕様の${quoted(alternative.itemTitle.trim(), language)}をお届けすることができます。${note}`
        : `Instead of ${quoted(original, language)}, we can send ${quoted(alternative.itemTitle.trim(), language)}, of equal or better specification.${note}`) +
        (alternative.url?.trim() ? `\n${alternative.url.trim()}` : ''),
    );
  }
  if (offers.length === 0) return '';
  return language === 'ja'
    ? [
        '■ 代わりの商品のご提案',
        ...offers,
        'ご希望の場合は、このメッセージにご返信ください。すぐに手配いたします。',
      ].join('\n')
    : [
        'An alternative',
        ...offers,
        'If you would like it, just reply to this message and we will arrange it right away.',
      ].join('\n');
}

function marginDays(settings: ShopMessageSettings, notes: string[]): number {
  const margin = settings.restockMarginDays;
  if (margin === undefined) return DEFAULT_RESTOCK_MARGIN_DAYS;
  if (Number.isSafeInteger(margin) && margin >= 0) return margin;
  notes.push(`restock margin ${String(margin)} is not a whole number of days; ${DEFAULT_RESTOCK_MARGIN_DAYS} used`);
  return DEFAULT_RESTOCK_MARGIN_DAYS;
}

/**
 * Restock dates are told with the shop's margin added and as "around", because a supplier's date
 * slips more often than not. A date already past is stale and left out rather than repeated.
 */
export function restockOffer(
  lines: readonly Order[],
  cause: SellerFaultCause,
  settings: ShopMessageSettings,
  now: Date,
  language: Language,
  notes: string[],
): string {
  if (!itemOffersApply(cause)) return '';
  const today = jstDateOf(now);
  const margin = marginDays(settings, notes);
  const dated: string[] = [];
  for (const line of lines) {
    const code = line.sellerItemCode;
    const date = code ? settings.restockDates?.[code] : undefined;
    const label = itemLabel(line, language);
    if (date === undefined || label === null) continue;
    if (!isJstDate(date)) {
      notes.push(`restock date "${date}" for ${code} is not a YYYY-MM-DD date; not mentioned`);
    } else if (date < today) {
      notes.push(`restock date ${date} for ${code} is in the past; not mentioned`);
    } else {
      const around = formatJstDate(addJstDays(date, margin), language);
      dated.push(
        language === 'ja'
          ? `${quoted(label, language)}は${around}頃に再入荷する見込みです。`
          : `We expect ${quoted(label, language)} to be back in stock around ${around}.`,
      );
    }
  }
  const backOrder = settings.offerBackOrder === true;
  if (dated.length === 0 && !backOrder) return '';
  const lead = language === 'ja' ? '■ 再入荷について' : 'Restock';
  const hold =
    language === 'ja'
      ? 'ご希望であれば、入荷した分からお客様の分を確保し、お届けの準備が整い次第ご連絡いたします。'
      : 'If you like, we will set one aside for you from the next delivery and contact you as soon as it is ready to ship.';
  if (dated.length === 0) {
    return [
      lead,
      language === 'ja'
        ? `入荷の時期はまだ決まっておりませんが、${hold}`
        : `We do not have a restock date yet. ${hold}`,
    ].join('\n');
  }
  return [lead, ...dated, ...(backOrder ? [hold] : [])].join('\n');
}

/** A coupon is offered only when every part of it is usable; its validity is counted in months. */
export function couponOffer(settings: ShopMessageSettings, now: Date, language: Language, notes: string[]): string {
  const coupon = settings.coupon;
  if (!coupon) return '';
  const hasAmount = coupon.amountYen !== undefined;
  const hasPercent = coupon.percent !== undefined;
  const amount = hasAmount && (coupon.amountYen as number) > 0 ? formatYen(coupon.amountYen as number, language) : null;
  const percent = coupon.percent;
  const percentOk = typeof percent === 'number' && Number.isSafeInteger(percent) && percent >= 1 && percent <= 100;
  const value = hasAmount && !hasPercent ? amount : hasPercent && !hasAmount && percentOk ? `${percent}%` : null;
  const months = coupon.validityMonths;
  if (coupon.code.trim() === '' || value === null || !Number.isSafeInteger(months) || months < 1) {
    notes.push(
      'apology coupon needs a code, exactly one of a yen amount or a whole percent, and a validity of at least one whole month; not offered',
    );
    return '';
  }
  const until = formatJstDate(addJstMonths(jstDateOf(now), months), language);
  return language === 'ja'
    ? [
        '■ お詫びのクーポン',
        `ささやかではございますが、次回のお買い物でお使いいただける${value}の割引クーポンをお送りいたします。`,
        `クーポンコード：${coupon.code.trim()}`,
        `有効期限：${until}まで（本日から${months}か月間）`,
      ].join('\n')
    : [
        'Apology coupon',
        `As a small apology, here is a coupon for ${value} off your next order.`,
        `Coupon code: ${coupon.code.trim()}`,
        `Valid until: ${until} (${months} ${months === 1 ? 'month' : 'months'} from today)`,
      ].join('\n');
}
