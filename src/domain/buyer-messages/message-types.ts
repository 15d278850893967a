// Shapes shared by the buyer-message modules. Words follow ../shared/domain.md ("Talking to the buyer").
import type { Order, SellerFaultCause, TrackingInfo } from '../types';

/** Japanese is the default; English is for cross-border buyers. */
export type Language = 'ja' | 'en';
export const LANGUAGES: readonly Language[] = ['ja', 'en'];

/** Which kind of news the message carries; 'call-summary' is the written follow-up to a phone call. */
export type MessageOutcome = 'refused-shipped' | 'accepted' | 'seller-fault' | 'partial-cancel' | 'call-summary';

/**
 * One template per key. A partial cancel has two keys because a buyer-requested one needs no apology
 * while a seller-fault one must say お詫び in its subject; 'call-summary' is the written follow-up
 * after a phone call.
 */
export const TEMPLATE_KEYS = [
  'refused-shipped',
  'accepted',
  'seller-fault',
  'partial-accepted',
  'partial-seller-fault',
  'call-summary',
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/** Shop-editable text with {{placeholder}} slots; the subject is one line. */
export interface MessageTemplate {
  subject: string;
  body: string;
}

/** Who caused a partial cancel: the buyer asked for it, or the shop could not deliver. */
export type PartialCancelCause = 'buyer' | SellerFaultCause;

export type BuyerMessageRequest =
  /**
   * Refused because the parcel is already with the carrier; tracking defaults to the order's.
   * `requestedAt` (when the buyer asked) against the order's shippedAt decides whether the text may
   * say the two crossed; without both times it says neither.
   */
  | { outcome: 'refused-shipped'; order: Order; tracking?: TrackingInfo | null; requestedAt?: Date | null }
  | { outcome: 'accepted'; order: Order }
  /**
   * cause null: the shop's fault with no known reason (no reason is stated). buyerRequested: the
   * buyer had asked to cancel, and the message acknowledges it.
   */
  | { outcome: 'seller-fault'; order: Order; cause: SellerFaultCause | null; buyerRequested?: boolean }
  /** Lines of one cart (same packNo): some cancelled, the rest still shipping. */
  | { outcome: 'partial-cancel'; cancelled: Order[]; continuing: Order[]; cause: PartialCancelCause | null }
  /** What was agreed on the phone (one point per entry), sent in writing after the call at `calledAt`. */
  | { outcome: 'call-summary'; order: Order; calledAt: Date; agreedPoints: string[] };

export interface BuyerMessage {
  ok: true;
  subject: string;
  body: string;
  language: Language;
  templateKey: TemplateKey;
  /** Optional offers left out because their settings were unusable (English, for the seller, never sent). */
  notes: string[];
}

/** A required fact is missing or the shop's template is broken: a person writes this one. */
export interface NeedsPerson {
  ok: false;
  needsPerson: true;
  /** Placeholder names whose value is missing, e.g. ['trackingNo', 'shopName']. */
  missing: string[];
  /** Anything else that stops the message (broken shop template, lines from different carts). */
  problems: string[];
}

export type BuyerMessageResult = BuyerMessage | NeedsPerson;
