// Domain types shared by every layer. Words follow ../shared/domain.md.
// All instants are JS Dates (UTC inside); JST appears only in the calendar module and at the edges.
// Money is integer yen.

/** Qoo10 ShippingStatus codes (GetShippingInfo_v3). */
export const ShippingStatus = {
  AwaitingPayment: 1,
  /** 配送要請: paid, seller has not confirmed or set a ship date; the buyer can cancel instantly. */
  AwaitingConfirmation: 2,
  /** 配送準備: seller confirmed / ship date set; the buyer can only send a cancel request. */
  Preparing: 3,
  /** 配送中: tracking entered; no cancel possible any more, only a return request. */
  InDelivery: 4,
  /** 配送完了 */
  Delivered: 5,
} as const;
export type ShippingStatusCode = (typeof ShippingStatus)[keyof typeof ShippingStatus];

/** Qoo10 ClaimStat codes (GetClaimInfo_V3). Only the ones the product acts on are named. */
export const ClaimStatus = {
  /** キャンセル要請 */
  CancelRequested: 1,
  /** キャンセル中 */
  Cancelling: 2,
  /** キャンセル完了 */
  Cancelled: 3,
  /** 返品要請 */
  ReturnRequested: 4,
  Returning: 5,
  Returned: 6,
  UnpaidCancel: 16,
} as const;
export type ClaimStatusCode = number;

/** One Qoo10 order line (OrderNo). A cart (PackNo) holds one or more lines. */
export interface Order {
  orderNo: string;
  packNo: string;
  orderedAt: Date;
  paidAt: Date | null;
  /** 発送期限: the date the seller promised to ship (EstimatedShippingDate), JST day start as an instant. */
  shippingDeadline: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  shippingStatus: ShippingStatusCode | null;
  itemNo: string;
  sellerItemCode: string | null;
  itemTitle: string;
  itemOption: string | null;
  quantity: number;
  /** Integer yen. */
  unitPriceYen: number;
  /** Integer yen, the line total the buyer paid. */
  totalYen: number;
  paymentMethod: string | null;
  carrier: string | null;
  trackingNo: string | null;
  /** Buyer personal data: stored for buyer messages, never logged. */
  buyerName: string | null;
  buyerEmail: string | null;
  /** Buyer's phone when Qoo10 gives it (for call-first cases); personal data, never logged. */
  buyerPhone?: string | null;
  /** Delivery country as Qoo10 gives it ('JP', 'Japan'...); a foreign one means an English message. */
  buyerCountry?: string | null;
}

/** A claim row as Qoo10 reports it (cancel request, cancel completed, return...). */
export interface Claim {
  orderNo: string;
  packNo: string;
  claimStatus: ClaimStatusCode;
  /** Free text reason Qoo10 gives (buyer's words or Qoo10's label). */
  reason: string | null;
  requestedAt: Date;
  /** When the cancel/refund completed (ClaimStat 3), else null. */
  completedAt: Date | null;
  orderedAt: Date | null;
  itemNo: string;
  sellerItemCode: string | null;
  itemTitle: string;
  quantity: number;
  paymentAmountYen: number;
  carrier: string | null;
  trackingNo: string | null;
}

/** A fresh read of one order (GetShippingAndClaimInfoByOrderNo_V2), taken right before acting. */
export interface OrderSnapshot {
  orderNo: string;
  packNo: string | null;
  shippingStatus: ShippingStatusCode | null;
  orderedAt: Date | null;
  shippedAt: Date | null;
  carrier: string | null;
  trackingNo: string | null;
  claimStatus: ClaimStatusCode | null;
  claimReason: string | null;
  claimRequestedAt: Date | null;
}

/** What the four decision kinds are called everywhere (config AUTO_DECISIONS uses the same words). */
export const DECISION_KINDS = ['accept', 'refuse', 'seller-fault', 'review'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** Why a cancel is the seller's fault; maps to Qoo10 CancelReason in the client's one mapping place. */
export type SellerFaultCause = 'out_of_stock' | 'undeliverable_area' | 'shipping_delay' | 'defect';

export interface TrackingInfo {
  carrier: string;
  trackingNo: string;
}

/** Facts the shop knows locally that Qoo10 does not. `null` means unknown (a reason to ask a person). */
export interface DecisionFacts {
  /** Units available for the order's seller item code; null when the shop has no stock record. */
  stockAvailable: number | null;
  madeToOrder: boolean;
  /** 発送準備済み: picked and packed, not yet handed to the carrier. */
  packed: boolean;
  /** Handed to the carrier (the shop says so), with or without a tracking number yet. */
  handedToCarrier: boolean;
  /** Tracking the shop knows for this order (label software, API, manual), submitted or not. */
  tracking: TrackingInfo | null;
  /** A defect found at inspection, or another shop fault the seller declared. */
  shopFault: SellerFaultCause | null;
}

export interface DecisionPolicy {
  /** What to do with a request on an order already packed: Qoo10 allows refusing; the shop chooses. */
  packedOrders: 'refuse' | 'accept' | 'review';
  /** Refuse cancel requests on made-to-order items once production may have started. */
  refuseMadeToOrder: boolean;
  /** JST time of day ("HH:MM") by which a refusal's tracking must be in Qoo10. */
  sameDayCutoffJst: string;
  /** What the shop's stock figure means (see StockMeaning); decides when an order is a stock-out. */
  stockMeaning: StockMeaning;
}

/**
 * What a stock figure the shop feeds (import-stock, the API) counts:
 * - `on_hand`: units on the shelf, this order's units still among them → stock-out when stock < quantity;
 * - `available`: units free to sell, this order's units already deducted (many OMS report this) →
 *   stock-out only when stock < 0 (the shop is short even after counting this order).
 */
export type StockMeaning = 'on_hand' | 'available';
export const STOCK_MEANINGS: readonly StockMeaning[] = ['on_hand', 'available'];

export interface RuleStep {
  /** Stable rule id, e.g. "shipped-with-tracking". */
  rule: string;
  /** One plain sentence (English, for the log and the dashboard's detail view). */
  note: string;
}

export interface Decision {
  kind: DecisionKind;
  /** Stable snake_case code of the deciding rule, e.g. "unshipped_in_stock". */
  code: string;
  /** Why, in one sentence a seller understands. */
  reason: string;
  trail: RuleStep[];
  /** For refuse: the tracking to submit for every line of the cart. */
  tracking?: TrackingInfo;
  /** For seller-fault: the cause to book. */
  sellerFaultCause?: SellerFaultCause;
  /** For review: what the rules would suggest, if anything. */
  suggested?: Exclude<DecisionKind, 'review'>;
  /** For refuse (and review of shipped-without-tracking): tracking must be in Qoo10 before this instant. */
  trackingDeadline?: Date;
}

/** A Qoo10 shop the service works for. The seller authorization key never appears here. */
export interface Shop {
  id: string;
  name: string;
  isDemo: boolean;
  active: boolean;
  /** 'undecryptable': the stored key cannot be decrypted with the current CREDENTIALS_SECRET. */
  keyStatus: 'unknown' | 'ok' | 'rejected' | 'expired' | 'undecryptable';
  keyExpiresAt: Date | null;
  policy: ShopPolicy;
  /** Our carrier + service key (e.g. "yamato:宅急便") -> the ShippingCorp name set in QSM. */
  carrierNames: Record<string, string>;
}

export interface ShopPolicy extends DecisionPolicy {
  /** Decision kinds executed without a person; the rest wait in the review queue. */
  autoDecisions: DecisionKind[];
}

/**
 * Carriers whose tracking numbers and label exports the product understands. 'other' is any further
 * carrier (Fukuyama, Seino, DHL...): its numbers are only held to Qoo10's own limit.
 */
export const CARRIER_IDS = ['yamato', 'sagawa', 'japanpost', 'other'] as const;
export type CarrierId = (typeof CARRIER_IDS)[number];
