// Shapes of Qoo10 QAPI responses as they arrive (see /work/shared/qoo10-api.md). Everything is
// optional and loosely typed on purpose: numbers may come as strings, dates are JST strings without an
// offset, statuses may be labels like "Seller confirm(3)". mappers.ts turns these into domain types.

export type RawScalar = string | number | null | undefined;

/** The normal envelope. Success iff ResultCode === 0 (possibly the string "0"). */
export interface RawResultEnvelope {
  ResultCode: number | string;
  ResultMsg?: string | null;
  /** null, [], one object, an array of objects, or (CreateCertificationKey) a string. Writes may omit it. */
  ResultObject?: unknown;
}

/** Routing/auth failures: `{"ErrorCode": -90001, "ErrorMsg": "..."}`. */
export interface RawErrorEnvelope {
  ErrorCode: number | string;
  ErrorMsg?: string | null;
}

/** One row of ShippingBasic.GetClaimInfo_V3 (camelCase). */
export interface RawClaimRow {
  orderNo?: RawScalar;
  packNo?: RawScalar;
  /** A bare code (1, "1") or a label ending in "(1)". */
  claimStatus?: RawScalar;
  reason?: RawScalar;
  requestDate?: RawScalar;
  cancelRefundDate?: RawScalar;
  orderDate?: RawScalar;
  PaymentDate?: RawScalar;
  shippingDate?: RawScalar;
  itemCode?: RawScalar;
  sellerItemCode?: RawScalar;
  itemTitle?: RawScalar;
  orderQty?: RawScalar;
  paymentAmount?: RawScalar;
  currency?: RawScalar;
  deliveryCompany?: RawScalar;
  trackingNo?: RawScalar;
  [buyerOrReceiverField: string]: unknown;
}

/** One row of ShippingBasic.GetShippingInfo_v3 (PascalCase). */
export interface RawShippingRow {
  OrderNo?: RawScalar;
  PackNo?: RawScalar;
  RelatedOrder?: RawScalar;
  OrderDate?: RawScalar;
  PaymentDate?: RawScalar;
  EstimatedShippingDate?: RawScalar;
  ShippingDate?: RawScalar;
  DeliveredDate?: RawScalar;
  /** A label with the code in parentheses, e.g. "Seller confirm(3)"; a bare code is accepted too. */
  ShippingStatus?: RawScalar;
  ItemNo?: RawScalar;
  SellerItemCode?: RawScalar;
  ItemTitle?: RawScalar;
  Option?: RawScalar;
  OrderQty?: RawScalar;
  OrderPrice?: RawScalar;
  Total?: RawScalar;
  PaymentMethod?: RawScalar;
  DeliveryCompany?: RawScalar;
  TrackingNo?: RawScalar;
  /** Buyer field names are INF (not in the contract); camelCase variants are accepted too. */
  Buyer?: RawScalar;
  BuyerEmail?: RawScalar;
  [receiverField: string]: unknown;
}

/** The one row of ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2 (camelCase). */
export interface RawOrderSnapshotRow {
  orderNo?: RawScalar;
  packNo?: RawScalar;
  shippingStatus?: RawScalar;
  orderDate?: RawScalar;
  shippingDate?: RawScalar;
  deliveryCompany?: RawScalar;
  trackingNo?: RawScalar;
  /** Empty when the order has no claim. */
  claimStatus?: RawScalar;
  reason?: RawScalar;
  requestDate?: RawScalar;
  [otherField: string]: unknown;
}

/** One per-order result of ShippingBasic.SetSendingInfoBulk. Field spelling beyond result_cd is INF. */
export interface RawBulkResultRow {
  OrderNo?: RawScalar;
  orderNo?: RawScalar;
  result_cd?: RawScalar;
  result_msg?: RawScalar;
  ResultCode?: RawScalar;
  ResultMsg?: RawScalar;
}

/** One row of ShippingBasic.SetSendingInfoBulk's `ShippingInfoJson` request parameter. */
export interface RawBulkSendingRow {
  OrderNo: string;
  ShippingCorp: string;
  TrackingNo: string;
}
