// How the money goes back, by payment method. Qoo10 reports the payment method as free text
// ('クレジットカード', 'Qoo10ポイント', 'PayPay'...), so it is matched against a table of fragments
// and mapped to a refund-route kind; every kind has one wording per language.
import type { Language } from './message-types';

export const REFUND_ROUTE_KINDS = [
  'card',
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
 * 'PayPayポイント' must reach e-wallet before 'ポイント' reaches qoo10-balance, 'auかんたん決済'
 * (phone bill) before 'aupay' (wallet), and 'コンビニ後払い' must count as pay-later, not as a
 * convenience-store payment.
 */
export const PAYMENT_METHOD_ROUTES: readonly PaymentMethodRoute[] = [
  ...fragments('qoo10-balance', [
    'qoo10ポイント',
    'qポイント',
    'qpoint',
    'qcash',
    'qキャッシュ',
    'qoo10キャッシュ',
    'メガポ',
  ]),
  ...fragments('deferred', [
    'atone',
    'アトネ',
    'paidy',
    'ペイディ',
    'np後払い',
    '後払い',
    'あと払い',
    'paylater',
    'bnpl',
  ]),
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
  ...fragments('card', [
    'クレジット',
    'デビット',
    'カード',
    'credit',
    'debit',
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

/** The refund route for a Qoo10 payment-method text; null, blank or unrecognised text is 'unknown'. */
export function refundRouteOf(paymentMethod: string | null | undefined): RefundRouteKind {
  if (typeof paymentMethod !== 'string') return 'unknown';
  const text = normalizePaymentMethod(paymentMethod);
  if (text === '') return 'unknown';
  return PAYMENT_METHOD_ROUTES.find((route) => text.includes(route.match))?.kind ?? 'unknown';
}

/** Whose fault the cancel is changes one promise: only a shop-caused bank refund is fee-free for sure. */
export type RefundContext = 'buyer-reason' | 'seller-fault';

type Wording = Record<Language, string>;

// Timings are told as ranges the buyer can check against, never as promises the shop cannot keep:
// card reversals follow the card company's billing cycle, not the shop's.
const WORDING: Record<Exclude<RefundRouteKind, 'bank-transfer'>, Wording> = {
  card: {
    ja:
      'クレジットカードでのお支払いは、カード会社を通じてご請求を取り消します。' +
      'カード会社の請求の締め日次第では、取り消しがご利用明細に載るのが次回、または次々回のご請求分になることがございます。',
    en:
      'For a card payment, the charge is reversed through your card company. Depending on its billing cycle, ' +
      'the reversal may only show on your next statement or the one after.',
  },
  'qoo10-balance': {
    ja: 'Qoo10ポイント・Qcashでお支払いいただいた分は、Qoo10のアカウントに戻ります。通常はキャンセル完了後まもなく反映され、すぐに次のお買い物でお使いいただけます。',
    en: 'Amounts paid with Qoo10 points or Qcash go back to your Qoo10 account, usually shortly after the cancellation completes, ready for your next purchase.',
  },
  'carrier-billing': {
    ja:
      '携帯電話会社の決済（キャリア決済）でのお支払いは、携帯電話料金と合わせたご請求が取り消されます。' +
      'すでに請求が締められていた場合は、翌月以降のご請求で差し引かれることがございます。',
    en:
      'For a payment charged to your mobile phone bill, the charge is cancelled by the phone company. ' +
      'If the bill had already closed, the amount is deducted from a later bill.',
  },
  'e-wallet': {
    ja: 'スマホ決済（PayPayなど）でのお支払いは、お支払いに使われたアカウントの残高へ返金されます。反映まで数日かかることがございます。',
    en: 'For a payment app or wallet (such as PayPay), the money goes back to the balance of the account you paid with; this can take a few days.',
  },
  deferred: {
    ja: '後払い（atoneなど）をご利用の場合は、後払いサービスからのご請求が取り消されます。すでにお支払い済みの場合は、後払いサービスの手続きに沿って返金されます。',
    en: 'For a pay-later service (such as atone), its invoice is cancelled; if you have already paid it, the service refunds you through its own procedure.',
  },
  unknown: {
    ja: 'ご返金は、ご注文時のお支払い方法に戻す形で行われます。反映までの日数はお支払い方法によって異なりますので、しばらくしても確認できない場合はお知らせください。',
    en: 'The refund goes back through the payment method used for the order; how long it takes depends on that method. If you cannot see it after a while, please let us know.',
  },
};

const BANK: Record<RefundContext, Wording> = {
  'seller-fault': {
    ja:
      '銀行振込・コンビニ決済でのお支払いは、お客様の口座へのお振込みで返金いたします。' +
      '振込手数料をお客様にご負担いただくことはございません。お振込先の確認が必要な場合は、別途ご案内いたします。',
    en:
      'For a bank transfer or convenience-store payment, the refund is paid into your bank account, ' +
      'with no transfer fee to you. If we need your account details, we will ask separately.',
  },
  'buyer-reason': {
    ja: '銀行振込・コンビニ決済でのお支払いは、お客様の口座へのお振込みで返金されます。お振込先の確認が必要な場合は、別途ご案内いたします。',
    en: 'For a bank transfer or convenience-store payment, the refund is paid into your bank account. If your account details are needed, you will be asked separately.',
  },
};

/** The sentence(s) telling the buyer how and when the refund reaches them. */
export function refundTimingText(kind: RefundRouteKind, language: Language, context: RefundContext): string {
  return kind === 'bank-transfer' ? BANK[context][language] : WORDING[kind][language];
}
