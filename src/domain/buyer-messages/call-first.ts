// Which orders merit a phone call before any written message: high-value carts and gifts, where a
// cold notice costs the most goodwill. The outline is for the shop's staff; after the call the
// agreed points go to the buyer in writing (buildBuyerMessage with outcome 'call-summary').
import type { Order } from '../types';
import { sumYen } from './format-values';
import type { Language, MessageOutcome } from './message-types';
import { DEFAULT_CALL_FIRST_YEN, type ShopMessageSettings } from './shop-message-settings';

export type CallReason = 'high_value' | 'gift';

export interface CallFirstAdvice {
  call: boolean;
  reasons: CallReason[];
  /** Integer yen over the lines given; null when a line's amount is unusable. */
  cartTotalYen: number | null;
  /** Points to cover on the phone, in order; empty when no call is advised. */
  outline: string[];
}

/** Built-in words that mark gift handling in Qoo10 option text (ラッピング:あり, のし:希望, Gift wrap...). */
export const GIFT_WORDS: readonly string[] = ['ギフト', 'ラッピング', '熨斗', 'プレゼント', '贈答', 'gift', 'wrapping'];

// 'のし' alone is also a fragment of ordinary words (たのしい), so it counts only when no other
// hiragana comes right before it.
const NOSHI = /(?<![\u3041-\u3096])のし/;
// The option often names the service and then declines it: 'ラッピング:なし', 'のし不要', 'Gift wrap: no'.
const DECLINED = /(なし|無し|不要|いらない|要らない|希望しない|\bno\b|\bnone\b|not needed)/i;
const SEGMENT_SEPARATORS = /[/／,、，;；|\n]+/;

/** True when any option segment asks for gift handling and does not decline it. */
export function isGiftOrder(order: Pick<Order, 'itemOption'>, extraWords: readonly string[] = []): boolean {
  const words = [...GIFT_WORDS, ...extraWords].map((w) => w.normalize('NFKC').toLowerCase()).filter((w) => w !== '');
  const segments = (order.itemOption ?? '').normalize('NFKC').toLowerCase().split(SEGMENT_SEPARATORS);
  return segments.some(
    (segment) => (NOSHI.test(segment) || words.some((w) => segment.includes(w))) && !DECLINED.test(segment),
  );
}

type Outline = Record<Language, string>;

const OPENING: Record<MessageOutcome, Outline> = {
  'refused-shipped': {
    ja: '名乗ったうえで注文番号と商品名を伝え、発送とキャンセルのご依頼が重なり、配送中のためキャンセルできなかったことをお詫びする',
    en: 'Say who you are, the order number and item; apologise that the shipment and the request crossed and that the parcel, already on its way, could not be cancelled',
  },
  accepted: {
    ja: '名乗ったうえで注文番号と商品名を伝え、キャンセルを承ったことをお知らせする',
    en: 'Say who you are, the order number and item, and confirm the cancellation is done',
  },
  'seller-fault': {
    ja: '名乗ったらすぐに、注文番号と商品名、お届けできなくなったことを伝え、当店の落ち度として言い訳をせずにお詫びする',
    en: 'Right after saying who you are, give the order number and item, say it cannot be delivered, and apologise for the shop’s mistake without excuses',
  },
  'partial-cancel': {
    ja: '名乗ったうえで、どの商品がキャンセルになり、どの商品が引き続き届くのかをはっきり伝える',
    en: 'Say who you are, then state clearly which items are cancelled and which are still coming',
  },
  'call-summary': {
    ja: '名乗ったうえで注文番号と商品名を伝え、用件を最初に伝える',
    en: 'Say who you are, the order number and item, and the reason for the call first',
  },
};

const OPTIONS: Outline = {
  ja: 'ご希望を伺う：全額返金、同等以上の代替品、再入荷後のお届けのどれがよいか',
  en: 'Ask what the buyer prefers: a full refund, an alternative of equal or better spec, or delivery after restock',
};
const REFUND: Outline = {
  ja: 'ご返金の経路と、お支払い方法ごとの反映時期（カードは明細の締め日次第など）を説明する',
  en: 'Explain how the refund travels and when it arrives for their payment method (card: depends on the statement cycle)',
};
const RETURN: Outline = {
  ja: 'ご不要であれば、到着後にQoo10の注文履歴から返品要請を送っていただく流れを説明し、手伝えることを伝える',
  en: 'If they do not want the item, explain the return request (返品要請) from the Qoo10 order history after delivery, and offer help',
};
const GIFT: Outline = {
  ja: '贈り物の予定（必要な日付や贈り先）を伺い、間に合う手段を一緒に考える',
  en: 'Ask about the gift (the date it is needed, the recipient) and look for a way to make it in time together',
};
const CLOSE: Outline = {
  ja: '決まったことを復唱し、同じ内容を書面でお送りすると伝える（電話の後すぐに送付）',
  en: 'Repeat what was agreed and say a written summary follows (send it right after the call)',
};
const NO_ANSWER: Outline = {
  ja: 'つながらない場合は、注文の件で連絡したことだけを留守番電話に残し、すぐにメッセージでもお知らせする',
  en: 'If nobody answers, leave only a short voicemail that you called about the order, and send the written message at once',
};

function outlineFor(outcome: MessageOutcome, reasons: CallReason[], language: Language): string[] {
  const middle: Outline[] =
    outcome === 'refused-shipped'
      ? [RETURN]
      : outcome === 'seller-fault' || outcome === 'partial-cancel'
        ? [OPTIONS, REFUND]
        : [REFUND];
  return [OPENING[outcome], ...middle, ...(reasons.includes('gift') ? [GIFT] : []), CLOSE, NO_ANSWER].map(
    (point) => point[language],
  );
}

/**
 * Whether to phone the buyer before writing, and what to cover. `lines` is the cart (or one line);
 * the high-value check compares the cart total with the shop's threshold, inclusive.
 */
export function callFirst(
  lines: Order | readonly Order[],
  settings: Pick<ShopMessageSettings, 'callFirst'>,
  outcome: MessageOutcome = 'seller-fault',
  language: Language = 'ja',
): CallFirstAdvice {
  const cart: readonly Order[] = Array.isArray(lines) ? lines : [lines as Order];
  const total = sumYen(cart);
  const set = settings.callFirst?.highValueYen;
  const threshold = set === undefined ? DEFAULT_CALL_FIRST_YEN : set;
  const reasons: CallReason[] = [];
  if (
    typeof threshold === 'number' &&
    Number.isSafeInteger(threshold) &&
    threshold >= 0 &&
    total !== null &&
    total >= threshold
  ) {
    reasons.push('high_value');
  }
  if (cart.some((line) => isGiftOrder(line, settings.callFirst?.extraGiftWords))) reasons.push('gift');
  const call = reasons.length > 0;
  return { call, reasons, cartTotalYen: total, outline: call ? outlineFor(outcome, reasons, language) : [] };
}
