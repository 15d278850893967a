// The Qoo10 client as the rest of the service sees it: domain types in, domain types out, typed errors
// (errors.ts). HttpQoo10Client is the one implementation; tests of other layers write a fake against it.
import type { Claim, ClaimStatusCode, Order, OrderSnapshot, ShippingStatusCode } from '../domain/types';
import type { CancelCause, SendingInfoRow } from './decision-mapping';
import type { BulkRowResult, RowFault } from './mappers';

export type { BulkRowResult, CancelCause, RowFault, SendingInfoRow };

/** GetClaimInfo_V3 search_condition: which date the window applies to. */
export const ClaimSearchCondition = {
  OrderDate: 1,
  RequestDate: 2,
  /** Cancel/refund completion date. */
  CompletedDate: 3,
} as const;
export type ClaimSearchConditionCode = (typeof ClaimSearchCondition)[keyof typeof ClaimSearchCondition];

/** GetShippingInfo_v3 SearchCondition. */
export const OrderSearchCondition = {
  OrderDate: 1,
  PaymentDate: 2,
  ShippingDate: 3,
  DeliveredDate: 4,
} as const;
export type OrderSearchConditionCode = (typeof OrderSearchCondition)[keyof typeof OrderSearchCondition];

/** SetSellerCheckYN_V2 DelayType. */
export const DelayType = {
  Preparing: 1,
  MadeToOrder: 2,
  CustomerRequest: 3,
  Other: 4,
} as const;
export type DelayTypeCode = (typeof DelayType)[keyof typeof DelayType];

export interface ClaimQuery {
  /** One ClaimStat per call (1 = キャンセル要請). */
  claimStatus: ClaimStatusCode;
  /** Inclusive instants; ranges over 90 days are split into several calls. */
  from: Date;
  to: Date;
  condition: ClaimSearchConditionCode;
  /** When given, an unreadable row is reported here and skipped instead of failing the whole list. */
  onRowFault?: (fault: RowFault) => void;
}

export interface OrderQuery {
  /** One ShippingStatus per call; omitted = Qoo10's default (statuses 1–3). */
  shippingStatus?: ShippingStatusCode;
  from: Date;
  to: Date;
  condition: OrderSearchConditionCode;
  /** When given, an unreadable row is reported here and skipped instead of failing the whole list. */
  onRowFault?: (fault: RowFault) => void;
}

export interface CancelOrderInput {
  orderNo: string;
  /** Mapped to Qoo10's CancelReason in decision-mapping.ts. */
  cause: CancelCause;
  /** SellerMemo, at most 1000 characters. */
  memo: string;
}

export interface ConfirmOrderInput {
  orderNo: string;
  /** The promised ship day; sent as its JST date (yyyyMMdd). */
  estimatedShipDate: Date;
  delayType: DelayTypeCode;
  memo: string;
}

export interface CertificationInput {
  /** The API key Qoo10 issued to the seller; goes in the GiosisCertificationKey header of this call only. */
  apiKey: string;
  /** QSM login. */
  userId: string;
  password: string;
}

export interface Qoo10Client {
  /** Claims with one ClaimStat in [from, to]; merged and de-duplicated across 90-day windows. */
  getClaims(query: ClaimQuery, signal?: AbortSignal): Promise<Claim[]>;
  /** Orders in [from, to]; cancelled orders are not in this list (Qoo10 drops them). */
  getOrders(query: OrderQuery, signal?: AbortSignal): Promise<Order[]>;
  /**
   * The same orders handed to `take` in batches while they are read (a large answer is cut into rows as it
   * arrives and never held whole, ADR 0024); answers how many were listed. A read that fails after some
   * batches and is retried hands them over again, so `take` must be idempotent; row faults are reported
   * once, after the whole answer has been read.
   */
  readOrders(query: OrderQuery, take: (orders: Order[]) => Promise<void>, signal?: AbortSignal): Promise<number>;
  /** A fresh read of one order right before acting; null when Qoo10 does not know it for this shop. */
  getOrderSnapshot(orderNo: string, signal?: AbortSignal): Promise<OrderSnapshot | null>;
  /** Registers tracking on one line; moves it to 配送中 (4). */
  setSendingInfo(row: SendingInfoRow, signal?: AbortSignal): Promise<void>;
  /** Registers tracking on many lines (chunks of 500); one result per input row, in input order. */
  setSendingInfoBulk(rows: readonly SendingInfoRow[], signal?: AbortSignal): Promise<BulkRowResult[]>;
  /** Cancels one order line (Claim.SetCancelProcess). -10004 → Qoo10WrongStateError. */
  cancelOrder(input: CancelOrderInput, signal?: AbortSignal): Promise<void>;
  /** Confirms an order and sets its ship date (SetSellerCheckYN_V2). */
  confirmOrder(input: ConfirmOrderInput, signal?: AbortSignal): Promise<void>;
  /** Exchanges API key + QSM login for a seller authorization key. */
  createCertificationKey(input: CertificationInput, signal?: AbortSignal): Promise<string>;
}
