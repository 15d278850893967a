// The paragraphs a seller-fault message adds: the plain admission of the shop's fault, and the
// optional offers (alternative item, restock date, back-order, apology coupon). An offer whose
// settings are unusable is left out and named in `notes` for the seller: saying nothing is safe,
// promising a wrong date or a broken coupon is not.
import { jstDateOf } from '../jst-calendar';
import type { Order, SellerFaultCause } from '../types';
import { addJstDays, addJstMonths, formatJstDate, formatYen, isJstDate, itemLabel } from './format-values';
import type { Language } from './message-types';
import { hasJapanese } from './refund-routes';
import { DEFAULT_RESTOCK_MARGIN_DAYS, type AlternativeItem, type ShopMessageSettings } from './shop-message-settings';

// Each cause owns the fault in the shop's name; none points at a system, a supplier or a maker.
// When the cause is not known (a person chose "seller fault" without naming one) no reason is
// given at all: the text only takes the responsibility, it never guesses "stock miscount".
const FAULT: Record<SellerFaultCause | 'unknown', Record<Language, string>> = {
  out_of_stock: {
    ja: '当店の在庫管理に誤りがあり、ご注文をお受けした時点で、お届けできる在庫がございませんでした。',
    en: 'Our stock records were wrong: when your order came in, we had no unit left to send.',
  },
  defect: {
    ja: '発送前の検品で商品に不具合が見つかり、代わりにお届けできる良品を当店でご用意することができませんでした。',
    en: 'Our check before shipping found a defect, and we had no sound unit to send instead.',
  },
  undeliverable_area: {
    ja: 'お届け先が当店から配送できない地域でございましたが、そのことをご注文の前に十分ご案内できておりませんでした。',
    en: 'We cannot deliver to your address, and we did not make that clear before you ordered.',
  },
  shipping_delay: {
    ja: 'お約束した発送期限までに、当店が商品を発送することができませんでした。',
    en: 'We did not ship the item by the shipping date we had promised.',
  },
  unknown: {
    ja: 'ご注文をお受けしながらお届けできなくなりましたのは、ひとえに当店の不手際によるものです。',
    en: 'We accepted your order and then could not fulfil it; that is our failing alone.',
  },
};

/** The admission for a cause; null (cause not known) admits the fault without naming a reason. */
export function faultExplanation(cause: SellerFaultCause | null, language: Language): string {
  return FAULT[cause ?? 'unknown'][language];
}

/** An alternative or a restock date cannot help a buyer the shop cannot deliver to at all. */
function itemOffersApply(cause: SellerFaultCause | null): boolean {
  return cause !== 'undeliverable_area';
}

function quoted(text: string, language: Language): string {
  return language === 'ja' ? `「${text}」` : `“${text}”`;
}

export function alternativeOffer(
  lines: readonly Order[],
  cause: SellerFaultCause | null,
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
    const title = alternative.itemTitle.trim();
    if (title === '') {
      notes.push(`alternative for ${line.sellerItemCode} has no item title; not offered`);
      continue;
    }
    if (language === 'en' && hasJapanese(title) && !alternative.itemTitleEn?.trim()) {
      notes.push(`alternative for ${line.sellerItemCode} has no English title (itemTitleEn); not offered in English`);
      continue;
    }
    const shown = language === 'en' ? (alternative.itemTitleEn?.trim() || title) : title;
    const note = (language === 'en' ? alternative.noteEn : alternative.note)?.trim() ?? '';
    offers.push(
      [
        language === 'ja'
          ? `${quoted(original, language)}の代わりとして、同等以上の仕様の${quoted(shown, language)}をご用意しております。${note}`
          : `Instead of ${quoted(original, language)}, we have ${quoted(shown, language)}, of equal or better specification.${note ? ` ${note}` : ''}`,
        howToOrder(alternative, language),
      ].join('\n'),
    );
  }
  if (offers.length === 0) return '';
  // The order is already cancelled: the alternative is a new order the buyer places, never
  // something the shop "arranges right away" on the old one.
  return language === 'ja'
    ? ['■ 代わりの商品のご案内', 'キャンセルとなった商品の代わりをご希望の場合は、お手数ですが新しいご注文としてお手続きをお願いいたします。', ...offers].join('\n')
    : ['An alternative', 'A cancelled item cannot be swapped within the order, so the alternative would be a new order placed by you.', ...offers].join('\n');
}

/** How the buyer reaches the alternative: its page, its Qoo10 item number, or a reply to this message. */
function howToOrder(alternative: AlternativeItem, language: Language): string {
  const url = alternative.url?.trim();
  const code = alternative.qoo10ItemCode?.trim();
  if (url) return language === 'ja' ? `ご注文はこちらのページからお願いいたします：${url}` : `You can order it here: ${url}`;
  if (code)
    return language === 'ja'
      ? `Qoo10で商品番号「${code}」を検索していただくと、ご注文いただけます。`
      : `Search Qoo10 for item number ${code} to order it.`;
  return language === 'ja'
    ? 'ご希望の場合はこのメッセージにご返信ください。ご注文いただける商品ページをお知らせいたします。'
    : 'If you would like it, reply to this message and we will send you the page where you can order it.';
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
  cause: SellerFaultCause | null,
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
      ? 'ご希望であれば、入荷した分からお客様の分をお取り置きし、入荷しだいご連絡いたします。お届けは改めてのご注文でのお手続きとなります。'
      : 'If you like, we will set one aside for you from the next delivery and tell you when it arrives; it would then be a new order placed by you.';
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
