// Builds the message a buyer receives after a cancel decision, from the order and the shop's
// settings. A required fact that is missing (no tracking number on a shipped message, no shop
// name...) turns the whole message into "needs a person" instead of half-filled text.
import { isValidInstant, jstDateOf } from '../jst-calendar';
import type { Decision, Order, SellerFaultCause } from '../types';
import { templateFor } from './default-templates';
import { buyerNameText, formatJstDate, formatYen, itemLabel, itemList, sumYen, textOrNull } from './format-values';
import type { BuyerMessageRequest, BuyerMessageResult, Language, TemplateKey } from './message-types';
import { alternativeOffer, couponOffer, faultExplanation, restockOffer } from './offer-blocks';
import { TEMPLATE_SLOTS, type PlaceholderName } from './placeholders';
import { refundRouteOf, refundTimingText, type RefundContext } from './refund-routes';
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
 * The message request a decision calls for, or null when no message can be written without a person:
 * a review, or a seller-fault decision that names no cause (the admission must say what went wrong).
 * A refusal always carries its tracking (decide.ts guarantees it).
 */
export function requestFromDecision(decision: Decision, order: Order): BuyerMessageRequest | null {
  switch (decision.kind) {
    case 'refuse':
      return { outcome: 'refused-shipped', order, tracking: decision.tracking ?? null };
    case 'accept':
      return { outcome: 'accepted', order };
    case 'seller-fault':
      return decision.sellerFaultCause ? { outcome: 'seller-fault', order, cause: decision.sellerFaultCause } : null;
    case 'review':
      return null;
  }
}

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

function refundValues(values: Values, lines: readonly Order[], context: RefundContext, language: Language): void {
  const method = lines.map((line) => textOrNull(line.paymentMethod)).find((m) => m !== null) ?? null;
  const total = sumYen(lines);
  put(
    values,
    'paymentMethod',
    method ?? (language === 'ja' ? 'ご注文時にお選びいただいた方法' : 'the one used for the order'),
  );
  put(values, 'refundAmount', total === null ? null : formatYen(total, language));
  put(values, 'refundTiming', refundTimingText(refundRouteOf(method), language, context));
}

function faultValues(
  values: Values,
  lines: readonly Order[],
  cause: SellerFaultCause,
  settings: ShopMessageSettings,
  now: Date,
  language: Language,
  notes: string[],
): void {
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

function valuesFor(
  request: BuyerMessageRequest,
  settings: ShopMessageSettings,
  now: Date,
  language: Language,
  notes: string[],
  problems: string[],
): Values {
  const values: Values = {};
  const shopName = textOrNull(settings.shopName);
  put(values, 'shopName', shopName);
  put(values, 'signature', textOrNull(settings.signature) ?? shopName);
  switch (request.outcome) {
    case 'refused-shipped': {
      const { order } = request;
      singleOrderValues(values, order, language);
      put(values, 'buyerName', buyerNameText(order.buyerName, language));
      put(values, 'orderDate', orderDate([order], language));
      put(values, 'carrier', textOrNull(request.tracking?.carrier ?? order.carrier));
      put(values, 'trackingNo', textOrNull(request.tracking?.trackingNo ?? order.trackingNo));
      break;
    }
    case 'accepted':
    case 'seller-fault': {
      const { order } = request;
      singleOrderValues(values, order, language);
      put(values, 'buyerName', buyerNameText(order.buyerName, language));
      put(values, 'orderDate', orderDate([order], language));
      refundValues(values, [order], request.outcome === 'accepted' ? 'buyer-reason' : 'seller-fault', language);
      if (request.outcome === 'seller-fault')
        faultValues(values, [order], request.cause, settings, now, language, notes);
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
      refundValues(values, request.cancelled, request.cause === 'buyer' ? 'buyer-reason' : 'seller-fault', language);
      if (request.cause !== 'buyer')
        faultValues(values, request.cancelled, request.cause, settings, now, language, notes);
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
