// Public surface of the buyer messages (issue 8): pure builders, no I/O; the caller passes `now`.
export {
  ASSUMED_CAUSE_RULE,
  CROSSING_WINDOW_HOURS,
  buildBuyerMessage,
  requestFromDecision,
  shippingTimingOf,
  templateKeyOf,
} from './build-buyer-message';
export type { ShippingTiming } from './build-buyer-message';
export type { BuildOptions } from './build-buyer-message';
export { callFirst, isGiftOrder, GIFT_WORDS } from './call-first';
export type { CallFirstAdvice, CallReason } from './call-first';
export {
  CASE_LOG_CSV_HEADER,
  CONTACT_CHANNELS,
  EMPTY_CASE_NOTES,
  OFFER_KINDS,
  caseLogCsv,
  caseLogEntry,
  itemKeyOf,
  sellerFaultItemReport,
} from './case-log';
export type {
  CaseCause,
  CaseLogEntry,
  CaseNotes,
  ContactChannel,
  OfferKind,
  SellerFaultItemReport,
  SellerFaultItemRow,
} from './case-log';
export { UNKNOWN_CARRIER_EN, englishCarrierName } from './english-names';
export { QSM_MAX_CHARS, qsmText } from './qsm-text';
export type { QsmText } from './qsm-text';
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
  hasJapanese,
  normalizePaymentMethod,
  paymentFamilyOf,
  paymentMethodLabel,
  paymentPartsOf,
  refundRouteOf,
  refundTimingText,
} from './refund-routes';
export type { PaymentMethodRoute, PaymentPart, RefundRouteKind } from './refund-routes';
export { DEFAULT_CALL_FIRST_YEN, DEFAULT_RESTOCK_MARGIN_DAYS } from './shop-message-settings';
export type {
  AlternativeItem,
  ApologyCoupon,
  CallFirstSettings,
  EnglishIdentity,
  ShopMessageSettings,
} from './shop-message-settings';
export { renderTemplate, validateTemplate } from './template-engine';
export type { RenderResult, TemplateProblem, TemplateProblemCode, TemplateValidation } from './template-engine';
