// How the money goes back, by payment method. On Qoo10 the refund is made by Qoo10, not by the shop
// (the cancel itself triggers it), so every sentence says what Qoo10 does and where the buyer can
// follow it; where Qoo10's own rule for a method is not published, the text says so neutrally
// instead of guessing a route or a number of days. Qoo10 reports the payment method as free text
// ('クレジットカード', 'Qポイント', 'PayPay', 'クレジットカード＋Qポイント'...), so the text is split into
// its parts and each part is matched against a table of fragments.
import type { Language } from './message-types';

export const REFUND_ROUTE_KINDS = [
  'credit-card',
  'debit-card',
  'qoo10-balance',
  'bank-transfer',
  'carrier-billing',
  'e-wallet',
  'deferred',
  'unknown',
] as const;
export type RefundRouteKind = (typeof REFUND_ROUTE_KINDS)[number];

export interface PaymentMethodRoute {
  /** A fragment of the normalised method text (NFKC, lower case, no spaces). */
  match: string;
  kind: RefundRouteKind;
}

/**
 * First match wins, so specific names come before the generic words they contain:
 * 'デビットカード' before 'カード', 'PayPayポイント' before 'ポイント', 'auかんたん決済' (phone bill)
 * before 'aupay' (wallet), and 'コンビニ後払い' must count as pay-later, not as a convenience-store payment.
 */
export const PAYMENT_METHOD_ROUTES: readonly PaymentMethodRoute[] = [
  ...fragments('debit-card', ['デビット', 'debit']),
  ...fragments('qoo10-balance', [
    'qoo10ポイント',
    'qポイント',
    'qpoint',
    'qcash',
    'qキャッシュ',
    'qoo10キャッシュ',
    'メガポ',
    'qmoney',
    'qマネー',
  ]),
  ...fragments('deferred', ['atone', 'アトネ', 'paidy', 'ペイディ', 'np後払い', '後払い', 'あと払い', 'paylater', 'bnpl']),
  ...fragments('carrier-billing', [
    'キャリア決済',
    'ドコモ払い',
    'docomo払い',
    'spモード',
    'auかんたん決済',
    'ソフトバンクまとめて支払い',
    'ワイモバイルまとめて支払い',
    'まとめて支払い',
    'carrierbilling',
  ]),
  ...fragments('e-wallet', [
    'paypay',
    'd払い',
    '楽天ペイ',
    'linepay',
    'メルペイ',
    'aupay',
    'amazonpay',
    'paypal',
    'alipay',
    'wechat',
    'スマホ決済',
    '電子マネー',
    'ewallet',
  ]),
  ...fragments('bank-transfer', [
    '銀行振込',
    '振込',
    'ペイジー',
    'payeasy',
    'ネットバンキング',
    'コンビニ',
    'atm',
    'banktransfer',
    'convenience',
    'konbini',
  ]),
  ...fragments('credit-card', [
    'クレジット',
    'カード',
    'credit',
    'card',
    'visa',
    'mastercard',
    'jcb',
    'amex',
    'applepay',
    'googlepay',
  ]),
  // Last: bare 'ポイント' most likely means Qoo10's own points when nothing more specific matched.
  ...fragments('qoo10-balance', ['ポイント', 'point']),
];

function fragments(kind: RefundRouteKind, matches: string[]): PaymentMethodRoute[] {
  return matches.map((match) => ({ match, kind }));
}

export function normalizePaymentMethod(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_・-]+/g, '');
}

/** The refund route for one payment-method text; null, blank or unrecognised text is 'unknown'. */
export function refundRouteOf(paymentMethod: string | null | undefined): RefundRouteKind {
  if (typeof paymentMethod !== 'string') return 'unknown';
  const text = normalizePaymentMethod(paymentMethod);
  if (text === '') return 'unknown';
  return PAYMENT_METHOD_ROUTES.find((route) => text.includes(route.match))?.kind ?? 'unknown';
}

// '+', '＋', '&', ',', '、', '/', '・' and 'and' between words join the parts of a mixed payment
// ('クレジットカード＋Qポイント', 'カード・Qポイント併用').
const PART_SEPARATORS = /\s*(?:[+＋&＆,，、/／・]|\band\b)\s*/;
const MIXED_WORDS = /(併用|の組み合わせ|combined)$/;

/** One part of the payment as the buyer sees it, with its refund route. */
export interface PaymentPart {
  text: string;
  kind: RefundRouteKind;
}

/**
 * The parts of a payment, one per refund route, in the order Qoo10 wrote them. A part that names
 * no known method is kept as 'unknown' (its refund is described neutrally), never guessed.
 */
export function paymentPartsOf(paymentMethod: string | null | undefined): PaymentPart[] {
  if (typeof paymentMethod !== 'string' || paymentMethod.trim() === '') return [{ text: '', kind: 'unknown' }];
  const whole = refundRouteOf(paymentMethod);
  const pieces = paymentMethod
    .normalize('NFKC')
    .split(PART_SEPARATORS)
    .map((piece) => piece.trim().replace(MIXED_WORDS, '').trim())
    .filter((piece) => piece !== '');
  const parts: PaymentPart[] = [];
  for (const piece of pieces) {
    const kind = refundRouteOf(piece);
    if (!parts.some((part) => part.kind === kind)) parts.push({ text: piece, kind });
  }
  // '銀行振込・ペイジー' or 'Visa/Master' are one route written in two words: one part.
  if (parts.length <= 1) return [{ text: paymentMethod.trim(), kind: whole }];
  return parts;
}

/** True when the text holds Japanese script (kana, kanji, full-width forms): kept out of English messages. */
export function hasJapanese(text: string): boolean {
  return /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uff61-\uff9f]/.test(text);
}

const ENGLISH_LABEL: Record<RefundRouteKind, string> = {
  'credit-card': 'credit card',
  'debit-card': 'debit card',
  'qoo10-balance': 'Qoo10 points / Qcash',
  'bank-transfer': 'bank transfer / convenience store payment',
  'carrier-billing': 'mobile phone bill (carrier billing)',
  'e-wallet': 'payment app',
  deferred: 'pay-later service',
  unknown: 'the payment method chosen at checkout',
};

/**
 * The payment method as the message names it: Qoo10's own words in Japanese; in English the words
 * when they are already Latin (PayPay, Visa), else the route's English name.
 */
export function paymentMethodLabel(paymentMethod: string | null | undefined, language: Language): string {
  const parts = paymentPartsOf(paymentMethod);
  if (language === 'ja') {
    const text = typeof paymentMethod === 'string' ? paymentMethod.trim() : '';
    if (text === '') return 'ご注文時にお選びいただいたお支払い方法';
    // Qoo10's own Japanese words as written; a Latin-only text ('credit card') reads better translated.
    return hasJapanese(text) || parts.some((part) => part.kind === 'unknown')
      ? text
      : parts.map((part) => (/^[a-z\s-]+$/i.test(part.text) && part.kind !== 'e-wallet' ? JAPANESE_LABEL[part.kind] : part.text)).join('＋');
  }
  return parts.map((part) => (part.text !== '' && !hasJapanese(part.text) && part.kind !== 'unknown' ? part.text : ENGLISH_LABEL[part.kind])).join(' + ');
}

const JAPANESE_LABEL: Record<RefundRouteKind, string> = {
  'credit-card': 'クレジットカード',
  'debit-card': 'デビットカード',
  'qoo10-balance': 'Qoo10ポイント・Qcash',
  'bank-transfer': '銀行振込・コンビニ払い',
  'carrier-billing': 'キャリア決済',
  'e-wallet': 'スマホ決済',
  deferred: '後払い',
  unknown: 'ご注文時にお選びいただいたお支払い方法',
};

type Wording = Record<Language, (name: string) => string>;

// One sentence per route, told from what Qoo10 does. Qoo10 is a third party to the shop, so its
// actions are told in plain polite or passive forms, never in the shop's humble いたします. Only card timings are stated, and only as
// what the card company's cycle allows; every other route defers to Qoo10's rules.
const WORDING: Record<RefundRouteKind, Wording> = {
  'credit-card': {
    ja: (name) =>
      `${name}でお支払いの分は、Qoo10がカード会社を通じてご請求を取り消します。` +
      'カード会社の締め日によっては、取り消しがご利用明細に載るのが翌月以降のご請求分になる場合がございます。',
    en: (name) =>
      `For the amount paid by ${name}, Qoo10 cancels the charge through your card company. ` +
      "Depending on the card company's closing date, the cancellation may only appear on a later statement.",
  },
  'debit-card': {
    ja: (name) =>
      `${name}でお支払いの分は、Qoo10が取り消しの手続きを行ったのち、カード発行会社からご利用の口座へ戻されます。` +
      'デビットカードはクレジットカードと仕組みが異なり、口座に戻るまで1か月ほどかかる場合がございます。',
    en: (name) =>
      `For the amount paid by ${name}, Qoo10 cancels the payment and your card issuer then returns the money to your bank account. ` +
      'Debit cards work differently from credit cards: this can take about a month.',
  },
  'qoo10-balance': {
    ja: (name) => `${name}でお支払いの分は、Qoo10より、お客様のQoo10アカウントへ戻されます。反映の時期はQoo10の定めによります。`,
    en: (name) => `The amount paid with ${name} goes back to your Qoo10 account; when it shows follows Qoo10's rules.`,
  },
  'bank-transfer': {
    ja: (name) =>
      `${name}でお支払いの分は、Qoo10より返金されます。返金の方法と時期はQoo10の定めによります。` +
      '当店からお客様の口座情報をお伺いすることはございません。',
    en: (name) =>
      `For the amount paid by ${name}, the refund is made by Qoo10; how and when follows Qoo10's rules. ` +
      'We will never ask you for your bank details.',
  },
  'carrier-billing': {
    ja: (name) =>
      `${name}でお支払いの分は、Qoo10が携帯電話会社を通じてご請求を取り消します。反映の時期はQoo10と携帯電話会社の定めによります。`,
    en: (name) =>
      `For the amount charged to your ${name}, Qoo10 cancels it through your phone company; when it shows follows the rules of Qoo10 and the phone company.`,
  },
  'e-wallet': {
    ja: (name) => `${name}でお支払いの分は、Qoo10より決済サービスを通じて返金されます。反映の時期はQoo10と決済サービスの定めによります。`,
    en: (name) =>
      `For the amount paid by ${name}, Qoo10 refunds it through that payment service; when it shows follows the rules of Qoo10 and the service.`,
  },
  deferred: {
    ja: (name) =>
      `${name}をご利用の分は、Qoo10が後払いサービスへのご請求を取り消します。すでにお支払い済みの場合の返金は、後払いサービスの定めに沿って行われます。`,
    en: (name) =>
      `For the amount on ${name}, Qoo10 cancels the pay-later invoice; if you have already paid it, the service refunds you under its own rules.`,
  },
  unknown: {
    ja: () => 'ご返金はQoo10が、ご注文時のお支払い方法に応じて行います。返金の方法と時期はQoo10の定めによります。',
    en: () => "Qoo10 makes the refund according to the payment method used for the order; how and when follows Qoo10's rules.",
  },
};

const WHERE_TO_SEE: Record<Language, string> = {
  ja: '返金の状況は、MyQoo10の「購入履歴」（キャンセル/払い戻し）でご確認いただけます。',
  en: 'You can follow the refund in My Qoo10 under your order history (Cancel/Refund).',
};

/** The sentences telling the buyer who refunds, how, and where to follow it: one per payment part. */
export function refundTimingText(paymentMethod: string | null | undefined, language: Language): string {
  const parts = paymentPartsOf(paymentMethod);
  const name = (part: PaymentPart) => paymentMethodLabel(part.text, language);
  const lines = parts.map((part) => WORDING[part.kind][language](name(part)));
  const lead =
    parts.length > 1
      ? language === 'ja'
        ? [`今回のお支払いは${parts.map((p) => name(p)).join('と')}の併用のため、それぞれ次のとおり返金されます。`]
        : [`You paid with ${parts.map((p) => name(p)).join(' and ')}; each part is refunded as follows.`]
      : [];
  const bullets = parts.length > 1 ? lines.map((line) => (language === 'ja' ? `・${line}` : `- ${line}`)) : lines;
  return [...lead, ...bullets, WHERE_TO_SEE[language]].join('\n');
}

/** The refund family of a payment text, for snapshots and reports: one kind, or 'mixed'. */
export function paymentFamilyOf(paymentMethod: string | null | undefined): RefundRouteKind | 'mixed' {
  const parts = paymentPartsOf(paymentMethod);
  return parts.length > 1 ? 'mixed' : (parts[0]?.kind ?? 'unknown');
}
