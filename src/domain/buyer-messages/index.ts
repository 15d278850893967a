// Public surface of the buyer messages (issue 8): pure builders, no I/O; the caller passes `now`.
export { buildBuyerMessage, requestFromDecision, templateKeyOf } from './build-buyer-message';
export type { BuildOptions } from './build-buyer-message';
export { callFirst, isGiftOrder, GIFT_WORDS } from './call-first';
export type { CallFirstAdvice, CallReason } from './call-first';
export { caseLogEntry, itemKeyOf, sellerFaultItemReport } from './case-log';
export type { CaseCause, CaseLogEntry, SellerFaultItemReport, SellerFaultItemRow } from './case-log';
export { DEFAULT_TEMPLATES, templateFor } from './default-templates';
export { addJstDays, addJstMonths, buyerNameText, formatJstDate, formatYen } from './format-values';
export { LANGUAGES, TEMPLATE_KEYS } from './message-types';
export type {
  BuyerMessage,
  BuyerMessageRequest,
  BuyerMessageResult,
  Language,
  MessageOutcome,
  MessageTemplate,
  NeedsPerson,
  PartialCancelCause,
  TemplateKey,
} from './message-types';
export { faultExplanation } from './offer-blocks';
export { PLACEHOLDER_DOCS, PLACEHOLDER_NAMES, TEMPLATE_SLOTS } from './placeholders';
export type { PlaceholderDoc, PlaceholderName, TemplateSlots } from './placeholders';
export {
  PAYMENT_METHOD_ROUTES,
  REFUND_ROUTE_KINDS,
  normalizePaymentMethod,
  refundRouteOf,
  refundTimingText,
} from './refund-routes';
export type { PaymentMethodRoute, RefundContext, RefundRouteKind } from './refund-routes';
export { DEFAULT_RESTOCK_MARGIN_DAYS } from './shop-message-settings';
export type { AlternativeItem, ApologyCoupon, CallFirstSettings, ShopMessageSettings } from './shop-message-settings';
export { renderTemplate, validateTemplate } from './template-engine';
export type { RenderResult, TemplateProblem, TemplateProblemCode, TemplateValidation } from './template-engine';
