// What a shop sets up once for its buyer messages. Kept apart from Shop (types.ts) because only the
// message builders read it; the persistence layer maps its stored settings into this shape.
import type { Language, MessageTemplate, TemplateKey } from './message-types';

/**
 * An apology coupon. Validity is in months on purpose: a coupon that runs out within days reads as
 * a push to buy again, not as an apology. Exactly one of amountYen / percent is set.
 */
export interface ApologyCoupon {
  code: string;
  /** Integer yen off the next order. */
  amountYen?: number;
  /** Percent off, 1–100. */
  percent?: number;
  /** Whole months from the day the message is written; 3–6 reads as generous. */
  validityMonths: number;
}

/** An item of equal or better spec the shop is willing to offer in place of one it cannot ship. */
export interface AlternativeItem {
  itemTitle: string;
  /** Shown as written, e.g. "容量が500mlから600mlに増えます" (the honest difference). */
  note?: string;
  /** The item page where the buyer places a new order for it. */
  url?: string;
  /** Its Qoo10 item number, for a buyer to search when there is no URL. */
  qoo10ItemCode?: string;
  /** English title and note for cross-border buyers; without a title a Japanese-only alternative is not offered in English. */
  itemTitleEn?: string;
  noteEn?: string;
}

/** The shop as English messages name it: English messages carry no Japanese script. */
export interface EnglishIdentity {
  shopName?: string;
  signature?: string;
}

export interface CallFirstSettings {
  /**
   * Orders (cart total, integer yen) at or above this merit a phone call first; null switches it
   * off; left out, DEFAULT_CALL_FIRST_YEN applies.
   */
  highValueYen?: number | null;
  /** Extra words that mark a gift order in the option text, on top of the built-in ones. */
  extraGiftWords?: string[];
}

export interface ShopMessageSettings {
  shopName: string;
  /** Closing lines (contact, hours). Defaults to the shop name alone. */
  signature?: string;
  coupon?: ApologyCoupon | null;
  /** Seller item code → the alternative to offer when that item cannot ship. */
  alternatives?: Record<string, AlternativeItem>;
  /** Seller item code → the expected restock day as the shop believes it, JST 'YYYY-MM-DD'. */
  restockDates?: Record<string, string>;
  /**
   * Days added to a restock date before it is told to the buyer, so a late delivery from the
   * supplier does not break a second promise. Default DEFAULT_RESTOCK_MARGIN_DAYS.
   */
  restockMarginDays?: number;
  /** Offer to hold a unit from the next delivery for the buyer (取り置き). */
  offerBackOrder?: boolean;
  callFirst?: CallFirstSettings;
  /** Shop name and signature in Latin script for English messages. */
  english?: EnglishIdentity;
  /** The shop's own wording; any key left out uses the built-in default. */
  templates?: Partial<Record<Language, Partial<Record<TemplateKey, MessageTemplate>>>>;
}

export const DEFAULT_RESTOCK_MARGIN_DAYS = 7;

/**
 * A cart of 30,000 yen or more is called first unless the shop sets its own threshold: several
 * times a typical Qoo10 basket, where a cold written notice costs the most goodwill.
 */
export const DEFAULT_CALL_FIRST_YEN = 30_000;
