// How the service's decisions on a cancel request become Qoo10 API calls. THE one place for it.
//
// What is confirmed and what is not (qoo10-api.md, "How the three decisions map onto the API"):
// - accept a buyer's request (unshipped): Claim.SetCancelProcess with CancelReason "1" (注文変更).
//   INF, unconfirmed on a live account. Never blank: blank books a seller-fault stock-out (在庫なし).
//   Qoo10's method page says the reason is not updated for buyer-initiated cancels, so "1" may simply
//   be ignored there; sending it is still the safe choice.
// - refuse because shipped: ShippingBasic.SetSendingInfo with the tracking for EVERY line (OrderNo) of
//   the cart, the same JST day, then re-read the order: the request should be gone and the order in
//   配送中 (4). INF, unconfirmed on a live account: the API has no explicit "refuse" call.
// - seller fault: Claim.SetCancelProcess with CancelReason "" (在庫なし), "2" (配送不可地域) or
//   "3" (配送遅延). The call is confirmed (H); that it counts as seller fault is M.
//   'defect' has no Qoo10 reason of its own: it is booked as "" (在庫なし), the nearest seller-fault
//   reason (INF). The seller memo should say what was found.
// The codes are a table that configuration may override (HttpQoo10ClientOptions.cancelReasons), except
// that a buyer cancel may never be blank.
import type { SellerFaultCause, TrackingInfo } from '../domain/types';

/** Why an order line is cancelled: the buyer's wish, or one of the seller's faults. */
export type CancelCause = 'buyer' | SellerFaultCause;

/** Claim.SetCancelProcess CancelReason values: "" 在庫なし, "1" 注文変更, "2" 配送不可地域, "3" 配送遅延. */
export type CancelReasonCode = '' | '1' | '2' | '3';

export type CancelReasonTable = Record<CancelCause, CancelReasonCode>;

export const DEFAULT_CANCEL_REASONS: Readonly<CancelReasonTable> = Object.freeze({
  buyer: '1',
  out_of_stock: '',
  undeliverable_area: '2',
  shipping_delay: '3',
  defect: '',
});

/** Japanese labels of the CancelReason codes (for memos, logs and the simulator). */
export const CANCEL_REASON_LABELS: Readonly<Record<CancelReasonCode, string>> = Object.freeze({
  '': '在庫なし',
  '1': '注文変更',
  '2': '配送不可地域',
  '3': '配送遅延',
});

const CANCEL_REASON_CODES: readonly string[] = ['', '1', '2', '3'];

/**
 * A full table from defaults plus overrides. Refuses a blank buyer reason: it would book the buyer's
 * cancel as the shop's stock-out and raise the seller-fault count.
 */
export function cancelReasonTable(overrides: Partial<CancelReasonTable> = {}): CancelReasonTable {
  const table: CancelReasonTable = { ...DEFAULT_CANCEL_REASONS, ...overrides };
  for (const [cause, code] of Object.entries(table)) {
    if (!CANCEL_REASON_CODES.includes(code)) throw new Error(`cancel reason for ${cause} must be "", "1", "2" or "3"`);
  }
  if (table.buyer === '') throw new Error('a buyer cancel must never be sent with a blank CancelReason (在庫なし)');
  return table;
}

/** The CancelReason to send for a cause. */
export function cancelReasonFor(cause: CancelCause, table: CancelReasonTable = DEFAULT_CANCEL_REASONS): CancelReasonCode {
  return table[cause];
}

/** One SetSendingInfo call: register tracking on one order line. */
export interface SendingInfoRow {
  orderNo: string;
  carrier: string;
  trackingNo: string;
}

/**
 * Refusing a cancel request because the parcel shipped = SetSendingInfo for every line of the cart with
 * the same tracking. `cartOrderNos` must hold every OrderNo sharing the request's PackNo.
 */
export function refusalSendingRows(cartOrderNos: readonly string[], tracking: TrackingInfo): SendingInfoRow[] {
  const unique = [...new Set(cartOrderNos)];
  if (unique.length === 0) throw new Error('a refusal needs at least one order line');
  return unique.map((orderNo) => ({ orderNo, carrier: tracking.carrier, trackingNo: tracking.trackingNo }));
}
