// Checks on what the client sends, done before a request leaves: Qoo10's field limits, order numbers as
// digits, and scrubbing secrets out of text that will reach an error message.
import { Qoo10InvalidRequestError } from './errors';
import { parseOrderNo } from './mappers';
import type { SendingInfoRow } from './decision-mapping';
import type { RawBulkSendingRow } from './raw-types';

const MAX_MEMO = 1000;
const MAX_CARRIER = 200;
const MAX_TRACKING = 50;

/** Order numbers are digits, sent as text (10+ digits must not pass through a float). */
export function requireOrderNo(orderNo: string): string {
  const valid = parseOrderNo(orderNo);
  if (valid === undefined) throw new Qoo10InvalidRequestError('an order number must be digits');
  return valid;
}

/** A SetSendingInfo row within Qoo10's limits (ShippingCorp ≤ 200, TrackingNo ≤ 50), trimmed. */
export function validSendingRow(row: SendingInfoRow): RawBulkSendingRow {
  const carrier = row.carrier.trim();
  const trackingNo = row.trackingNo.trim();
  if (carrier === '' || carrier.length > MAX_CARRIER) {
    throw new Qoo10InvalidRequestError(`ShippingCorp must be 1–${MAX_CARRIER} characters`);
  }
  if (trackingNo === '' || trackingNo.length > MAX_TRACKING) {
    throw new Qoo10InvalidRequestError(`TrackingNo must be 1–${MAX_TRACKING} characters`);
  }
  return { OrderNo: requireOrderNo(row.orderNo), ShippingCorp: carrier, TrackingNo: trackingNo };
}

/** SellerMemo / DelayMemo: at most 1000 characters. */
export function requireMemo(memo: string, field: string): void {
  if (memo.length > MAX_MEMO) throw new Qoo10InvalidRequestError(`${field} is over ${MAX_MEMO} characters`);
}

/** Qoo10's message text with any secret of the call replaced. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret) clean = clean.split(secret).join('[redacted]');
  }
  return clean;
}
