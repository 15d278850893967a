// The fixed, documented set of {{placeholders}} a template may use, per template key. The
// descriptions are what a shop sees when it edits its own wording.
import type { TemplateKey } from './message-types';

export const PLACEHOLDER_NAMES = [
  'buyerName',
  'orderNo',
  'packNo',
  'orderDate',
  'itemTitle',
  'carrier',
  'trackingNo',
  'shippingTiming',
  'requestNote',
  'paymentMethod',
  'refundAmount',
  'refundTiming',
  'faultExplanation',
  'alternativeOffer',
  'restockOffer',
  'couponOffer',
  'cancelledItems',
  'continuingItems',
  'callDate',
  'agreedPoints',
  'shopName',
  'signature',
] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

export interface PlaceholderDoc {
  ja: string;
  en: string;
  /**
   * 'inline': a few words, allowed in the subject. 'paragraph': one or more sentences or a list,
   * body only. 'optional-paragraph': may be empty, and then its whole line disappears.
   */
  shape: 'inline' | 'paragraph' | 'optional-paragraph';
}

export const PLACEHOLDER_DOCS: Record<PlaceholderName, PlaceholderDoc> = {
  buyerName: {
    ja: 'お客様のお名前に「様」を付けたもの（不明なときは「お客様」）。後ろに「様」を書かないでください',
    en: 'The buyer\'s name ("Customer" when unknown); in Japanese it already ends in 様',
    shape: 'inline',
  },
  orderNo: { ja: '注文番号', en: 'Qoo10 order number', shape: 'inline' },
  packNo: { ja: 'カート番号（まとめて購入されたご注文の番号）', en: 'Qoo10 cart number (PackNo)', shape: 'inline' },
  orderDate: { ja: 'ご注文日（日本時間）', en: 'Order date (Japan time)', shape: 'inline' },
  itemTitle: {
    ja: '商品名（オプションがあれば括弧書きで続きます）',
    en: 'Item title, with the chosen option in brackets',
    shape: 'inline',
  },
  carrier: { ja: '配送業者名', en: 'Carrier name', shape: 'inline' },
  trackingNo: { ja: '追跡番号（送り状番号）', en: 'Tracking number', shape: 'inline' },
  shippingTiming: {
    ja: '発送とキャンセルのご依頼の前後関係（発送時刻から分かる場合だけ「行き違い」と書きます）',
    en: 'How the shipment and the request relate in time ("crossed" only when the shipping time shows it)',
    shape: 'paragraph',
  },
  requestNote: {
    ja: 'お客様からキャンセルのご依頼があった場合の、そのことへの一文',
    en: "A sentence acknowledging the buyer's own cancel request, when there was one",
    shape: 'optional-paragraph',
  },
  paymentMethod: { ja: 'お支払い方法', en: 'Payment method', shape: 'inline' },
  refundAmount: { ja: 'ご返金額（例：1,980円）', en: 'Refund amount (e.g. ¥1,980)', shape: 'inline' },
  refundTiming: {
    ja: 'お支払い方法ごとの返金の経路と時期の説明',
    en: 'How and when the refund arrives, by payment method',
    shape: 'paragraph',
  },
  faultExplanation: {
    ja: '当店の責任の説明（原因が分かっている場合は原因ごとの文）',
    en: "The shop's fault, in one or two sentences per cause",
    shape: 'paragraph',
  },
  alternativeOffer: {
    ja: '同等以上の代替商品のご提案（設定がある場合）',
    en: 'Alternative item of equal or better spec, if set',
    shape: 'optional-paragraph',
  },
  restockOffer: {
    ja: '再入荷の見込み・お取り置きのご案内（設定がある場合）',
    en: 'Restock date with margin / back-order offer, if set',
    shape: 'optional-paragraph',
  },
  couponOffer: {
    ja: 'お詫びクーポンのご案内（設定がある場合）',
    en: 'Apology coupon, if set',
    shape: 'optional-paragraph',
  },
  cancelledItems: { ja: 'キャンセルになった商品の一覧', en: 'List of the cancelled lines', shape: 'paragraph' },
  continuingItems: {
    ja: '引き続きお届けする商品の一覧',
    en: 'List of the lines still being shipped',
    shape: 'paragraph',
  },
  callDate: { ja: 'お電話した日（日本時間）', en: 'Date of the phone call (Japan time)', shape: 'inline' },
  agreedPoints: {
    ja: 'お電話で決まったことの箇条書き',
    en: 'Bullet list of what was agreed on the phone',
    shape: 'paragraph',
  },
  shopName: { ja: 'ショップ名', en: 'Shop name', shape: 'inline' },
  signature: { ja: '署名（未設定ならショップ名）', en: 'Signature (the shop name when not set)', shape: 'inline' },
};

export interface TemplateSlots {
  allowed: readonly PlaceholderName[];
  /** Facts a template for this key may not drop: validation rejects a template without them. */
  mustAppear: readonly PlaceholderName[];
}

const ANY_MESSAGE: readonly PlaceholderName[] = ['buyerName', 'shopName', 'signature', 'orderDate'];
const ONE_LINE: readonly PlaceholderName[] = [...ANY_MESSAGE, 'orderNo', 'itemTitle'];
const REFUND: readonly PlaceholderName[] = ['paymentMethod', 'refundAmount', 'refundTiming'];
const CART: readonly PlaceholderName[] = [...ANY_MESSAGE, 'packNo', 'cancelledItems', 'continuingItems', ...REFUND];
const FAULT: readonly PlaceholderName[] = ['faultExplanation', 'alternativeOffer', 'restockOffer', 'couponOffer'];
const FAULT_EXTRA: readonly PlaceholderName[] = ['requestNote'];

// Seller-fault templates must keep every offer slot: an empty offer vanishes, but a missing slot
// would silently drop a coupon or alternative the shop has set up.
export const TEMPLATE_SLOTS: Record<TemplateKey, TemplateSlots> = {
  'refused-shipped': {
    allowed: [...ONE_LINE, 'carrier', 'trackingNo', 'shippingTiming'],
    mustAppear: ['orderNo', 'itemTitle', 'carrier', 'trackingNo'],
  },
  accepted: {
    allowed: [...ONE_LINE, ...REFUND],
    mustAppear: ['orderNo', 'itemTitle', 'refundAmount', 'refundTiming'],
  },
  'seller-fault': {
    allowed: [...ONE_LINE, ...REFUND, ...FAULT, ...FAULT_EXTRA],
    mustAppear: ['orderNo', 'itemTitle', 'refundAmount', 'refundTiming', ...FAULT],
  },
  'partial-accepted': {
    allowed: CART,
    mustAppear: ['cancelledItems', 'continuingItems', 'refundAmount', 'refundTiming'],
  },
  'partial-seller-fault': {
    allowed: [...CART, ...FAULT, ...FAULT_EXTRA],
    mustAppear: ['cancelledItems', 'continuingItems', 'refundAmount', 'refundTiming', ...FAULT],
  },
  'call-summary': {
    allowed: [...ONE_LINE, 'callDate', 'agreedPoints'],
    mustAppear: ['orderNo', 'agreedPoints'],
  },
};

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDER_NAMES as readonly string[]).includes(name);
}
