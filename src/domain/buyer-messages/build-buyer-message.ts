// Builds the message a buyer receives after a cancel decision, from the order and the shop's
// settings. A required fact that is missing (no tracking number on a shipped message, no shop
// name...) turns the whole message into "needs a person" instead of half-filled text.
import { isValidInstant, jstDateOf } from '../jst-calendar';
import type { Decision, Order, SellerFaultCause } from '../types';
import { templateFor } from './default-templates';
import { buyerNameText, formatJstDate, formatYen, itemLabel, itemList, sumYen, textOrNull } from './format-values';
import type { BuyerMessageRequest, BuyerMessageResult, Language, TemplateKey } from './message-types';
import { englishCarrierName } from './english-names';
import { alternativeOffer, couponOffer, faultExplanation, restockOffer } from './offer-blocks';
import { TEMPLATE_SLOTS, type PlaceholderName } from './placeholders';
import { hasJapanese, paymentMethodLabel, refundTimingText } from './refund-routes';
import type { ShopMessageSettings } from './shop-message-settings';
import { renderTemplate } from './template-engine';

export interface BuildOptions {
  /** The moment the message is written: dates the coupon's expiry and screens stale restock dates. */
  now: Date;
  /** 'ja' unless the buyer is cross-border. */
  language?: Language;
}

type Values = Partial<Record<PlaceholderName, string>>;

export function templateKeyOf(request: BuyerMessageRequest): TemplateKey {
  if (request.outcome !== 'partial-cancel') return request.outcome;
  return request.cause === 'buyer' ? 'partial-accepted' : 'partial-seller-fault';
}

/**
 * A decision-trail step with this rule means the seller-fault cause was filled in only because Qoo10
 * needs one (a person chose "seller fault" without naming why): the buyer is not told that reason.
 */
export const ASSUMED_CAUSE_RULE = 'seller-fault-cause-assumed';

/**
 * The message request a decision calls for, or null for a review (a person decides first). Every
 * decision here answers the buyer's own cancel request, which the seller-fault message acknowledges;
 * a cause that was assumed, or none, is not stated. A refusal always carries its tracking
 * (decide.ts guarantees it); `requestedAt` lets the text say whether the shipment and request crossed.
 */
export function requestFromDecision(
  decision: Pick<Decision, 'kind' | 'tracking' | 'sellerFaultCause'> & { trail?: Decision['trail'] },
  order: Order,
  context: { requestedAt?: Date | null } = {},
): BuyerMessageRequest | null {
  switch (decision.kind) {
    case 'refuse':
      return { outcome: 'refused-shipped', order, tracking: decision.tracking ?? null, requestedAt: context.requestedAt ?? null };
    case 'accept':
      return { outcome: 'accepted', order };
    case 'seller-fault': {
      const assumed = (decision.trail ?? []).some((step) => step.rule === ASSUMED_CAUSE_RULE);
      return { outcome: 'seller-fault', order, cause: assumed ? null : (decision.sellerFaultCause ?? null), buyerRequested: true };
    }
    case 'review':
      return null;
  }
}

/** Within this many hours either side, a shipment and a cancel request are "about the same time". */
export const CROSSING_WINDOW_HOURS = 12;
const HOUR_MS = 3_600_000;

export type ShippingTiming = 'crossed' | 'shipped-after-request' | 'shipped-before-request' | 'unknown';

/** What the shipping and request times allow the refusal to say; 'unknown' claims no timing. */
export function shippingTimingOf(shippedAt: Date | null | undefined, requestedAt: Date | null | undefined): ShippingTiming {
  if (!isValidInstant(shippedAt) || !isValidInstant(requestedAt)) return 'unknown';
  const diff = shippedAt.getTime() - requestedAt.getTime();
  if (Math.abs(diff) <= CROSSING_WINDOW_HOURS * HOUR_MS) return 'crossed';
  return diff > 0 ? 'shipped-after-request' : 'shipped-before-request';
}

const SHIPPING_TIMING: Record<ShippingTiming, Record<Language, string>> = {
  crossed: {
    ja: 'ご依頼をいただいたのとほぼ同じ頃に当店から商品を発送しており、行き違いとなってしまいました。',
    en: 'We shipped the item at about the same time as your request arrived, so the two crossed.',
  },
  'shipped-after-request': {
    ja: 'ご依頼を確認する前に当店で発送の手続きを進めてしまい、行き違いとなってしまいました。',
    en: 'We went ahead with shipping before we had seen your request, so the two crossed.',
  },
  'shipped-before-request': {
    ja: 'ご依頼をいただいた時点で、商品はすでに配送業者へお渡ししておりました。',
    en: 'By the time your request arrived, the parcel had already been handed to the carrier.',
  },
  unknown: {
    ja: 'ご依頼を確認いたしました時点で、商品はすでに配送業者へお渡ししておりました。',
    en: 'When we saw your request, the parcel was already with the carrier.',
  },
};

const REQUEST_NOTE: Record<Language, string> = {
  ja: 'キャンセルのご依頼をいただきました件につきまして、ご報告とお詫びを申し上げます。',
  en: 'We have received your request to cancel, and we are writing to explain what happened.',
};

/** Sets a value only when it could be stated; an absent key is what renderTemplate reports as missing. */
function put(values: Values, name: PlaceholderName, value: string | null): void {
  if (value !== null) values[name] = value;
}

function orderDate(orders: readonly Order[], language: Language): string | null {
  const instants = orders.map((o) => o.orderedAt);
  if (instants.length === 0 || !instants.every(isValidInstant)) return null;
  const earliest = new Date(Math.min(...instants.map((d) => d.getTime())));
  return formatJstDate(jstDateOf(earliest), language);
}

function refundValues(values: Values, lines: readonly Order[], language: Language): void {
  const method = lines.map((line) => textOrNull(line.paymentMethod)).find((m) => m !== null) ?? null;
  const total = sumYen(lines);
  put(values, 'paymentMethod', paymentMethodLabel(method, language));
  put(values, 'refundAmount', total === null ? null : formatYen(total, language));
  put(values, 'refundTiming', refundTimingText(method, language));
}

function faultValues(
  values: Values,
  lines: readonly Order[],
  cause: SellerFaultCause | null,
  settings: ShopMessageSettings,
  now: Date,
  language: Language,
  notes: string[],
  buyerRequested: boolean,
): void {
  if (cause === null) notes.push('the cause is not known, so no reason is given: add one in your own words if you know it');
  put(values, 'requestNote', buyerRequested ? REQUEST_NOTE[language] : '');
  put(values, 'faultExplanation', faultExplanation(cause, language));
  put(values, 'alternativeOffer', alternativeOffer(lines, cause, settings, language, notes));
  put(values, 'restockOffer', restockOffer(lines, cause, settings, now, language, notes));
  put(values, 'couponOffer', couponOffer(settings, now, language, notes));
}

function bulletList(points: readonly string[], language: Language): string | null {
  const kept = points.map((p) => p.trim()).filter((p) => p !== '');
  if (kept.length === 0) return null;
  return kept.map((p) => (language === 'ja' ? `・${p}` : `- ${p}`)).join('\n');
}

function singleOrderValues(values: Values, order: Order, language: Language): void {
  put(values, 'orderNo', textOrNull(order.orderNo));
  put(values, 'itemTitle', itemLabel(order, language));
}

/**
 * Who signs. English messages carry no Japanese script: the shop's English name and signature when
 * set, else the Japanese ones only if they are already Latin; otherwise the name is missing and a
 * person completes the settings.
 */
function identityValues(
  values: Values,
  settings: ShopMessageSettings,
  language: Language,
  notes: string[],
  problems: string[],
): void {
  const latin = (text: string | null | undefined) => {
    const value = textOrNull(text);
    return value !== null && !hasJapanese(value) ? value : null;
  };
  if (language === 'ja') {
    const shopName = textOrNull(settings.shopName);
    put(values, 'shopName', shopName);
    put(values, 'signature', textOrNull(settings.signature) ?? shopName);
    return;
  }
  const shopName = latin(settings.english?.shopName) ?? latin(settings.shopName);
  if (shopName === null) problems.push('set english.shopName in the message settings: English messages carry no Japanese script');
  put(values, 'shopName', shopName);
  const signature = latin(settings.english?.signature) ?? latin(settings.signature);
  if (signature === null && textOrNull(settings.english?.signature ?? settings.signature) !== null) {
    notes.push('the signature is in Japanese; set english.signature so English messages carry your contact lines');
  }
  // Without a name the message goes to a person anyway; only the name is reported missing.
  put(values, 'signature', signature ?? shopName ?? (shopName === null ? '' : null));
}

function valuesFor(
  request: BuyerMessageRequest,
  settings: ShopMessageSettings,
  now: Date,
  language: Language,
  notes: string[],
  problems: string[],
): Values {
  const values: Values = {};
  identityValues(values, settings, language, notes, problems);
  switch (request.outcome) {
    case 'refused-shipped': {
      const { order } = request;
      singleOrderValues(values, order, language);
      put(values, 'buyerName', buyerNameText(order.buyerName, language));
      put(values, 'orderDate', orderDate([order], language));
      const carrier = textOrNull(request.tracking?.carrier ?? order.carrier);
      put(values, 'carrier', carrier === null ? null : language === 'ja' ? carrier : englishCarrierName(carrier));
      put(values, 'trackingNo', textOrNull(request.tracking?.trackingNo ?? order.trackingNo));
      put(values, 'shippingTiming', SHIPPING_TIMING[shippingTimingOf(order.shippedAt, request.requestedAt)][language]);
      break;
    }
    case 'accepted':
    case 'seller-fault': {
      const { order } = request;
      singleOrderValues(values, order, language);
      put(values, 'buyerName', buyerNameText(order.buyerName, language));
      put(values, 'orderDate', orderDate([order], language));
      refundValues(values, [order], language);
      if (request.outcome === 'seller-fault')
        faultValues(values, [order], request.cause, settings, now, language, notes, request.buyerRequested === true);
      break;
    }
    case 'partial-cancel': {
      const lines = [...request.cancelled, ...request.continuing];
      const packs = new Set(lines.map((line) => line.packNo));
      if (packs.size > 1) problems.push(`the lines belong to different carts (${[...packs].join(', ')})`);
      const first = lines[0];
      put(values, 'packNo', packs.size === 1 && first ? textOrNull(first.packNo) : null);
      put(
        values,
        'buyerName',
        buyerNameText(
          lines.map((l) => textOrNull(l.buyerName)).find((n) => n !== null),
          language,
        ),
      );
      put(values, 'orderDate', orderDate(lines, language));
      put(values, 'cancelledItems', itemList(request.cancelled, language));
      put(values, 'continuingItems', itemList(request.continuing, language));
      refundValues(values, request.cancelled, language);
      if (request.cause !== 'buyer') faultValues(values, request.cancelled, request.cause, settings, now, language, notes, false);
      break;
    }
    case 'call-summary': {
      const { order } = request;
      singleOrderValues(values, order, language);
      put(values, 'buyerName', buyerNameText(order.buyerName, language));
      put(values, 'orderDate', orderDate([order], language));
      put(
        values,
        'callDate',
        isValidInstant(request.calledAt) ? formatJstDate(jstDateOf(request.calledAt), language) : null,
      );
      put(values, 'agreedPoints', bulletList(request.agreedPoints, language));
      break;
    }
  }
  return values;
}

export function buildBuyerMessage(
  request: BuyerMessageRequest,
  settings: ShopMessageSettings,
  options: BuildOptions,
): BuyerMessageResult {
  const language = options.language ?? 'ja';
  const notes: string[] = [];
  const problems: string[] = [];
  const values = valuesFor(request, settings, options.now, language, notes, problems);
  const key = templateKeyOf(request);
  const rendered = renderTemplate(key, templateFor(settings, language, key), values);

  // The sender must always be named, whatever the template uses; a broken template still reports
  // which required facts are missing so the person sees everything at once.
  const templateNeeds: readonly PlaceholderName[] = rendered.ok
    ? []
    : rendered.problems.length > 0
      ? TEMPLATE_SLOTS[key].mustAppear
      : rendered.missing;
  const missing = [...new Set(['shopName' as const, ...templateNeeds])].filter((name) => values[name] === undefined);
  if (rendered.ok && missing.length === 0 && problems.length === 0) {
    return { ok: true, subject: rendered.subject, body: rendered.body, language, templateKey: key, notes };
  }
  const templateProblems = rendered.ok ? [] : rendered.problems.map((p) => `${language} ${key} template: ${p.message}`);
  return { ok: false, needsPerson: true, missing, problems: [...problems, ...templateProblems] };
}
