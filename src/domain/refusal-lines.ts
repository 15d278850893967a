// Which lines of a cart a refusal's tracking number is submitted for. Qoo10 wants ship-confirm on every line
// of the cart that ships in the parcel (qoo10-api.md), but a cart can ship in several parcels: a refusal must
// never overwrite a number already registered on another line, nor mark a line shipped that may not be in
// this parcel. Pure.
import { normaliseTrackingNo } from './decide-rules';

export interface CartLine {
  orderNo: string;
  /** The tracking number Qoo10 shows on the line (from polls and fresh reads), if any. */
  qoo10TrackingNo: string | null;
  /** Tracking numbers the shop holds for the line (label files, API, manual), any state. */
  knownTrackingNos: readonly string[];
}

export interface RefusalLines {
  send: string[];
  skipped: Array<{ orderNo: string; why: string }>;
}

export function refusalLines(refusedOrderNo: string, cart: readonly CartLine[], trackingNo: string): RefusalLines {
  const ours = normaliseTrackingNo(trackingNo);
  const numbersOf = (line: CartLine) =>
    [line.qoo10TrackingNo, ...line.knownTrackingNos].filter((n): n is string => typeof n === 'string' && n.trim() !== '').map(normaliseTrackingNo);
  const hasOther = (line: CartLine) => numbersOf(line).some((n) => n !== ours) && !numbersOf(line).includes(ours);
  const onQoo10Other = (line: CartLine) => line.qoo10TrackingNo !== null && line.qoo10TrackingNo.trim() !== '' && normaliseTrackingNo(line.qoo10TrackingNo) !== ours;
  const split = cart.some(hasOther);
  const result: RefusalLines = { send: [], skipped: [] };
  const lines = cart.some((line) => line.orderNo === refusedOrderNo) ? cart : [{ orderNo: refusedOrderNo, qoo10TrackingNo: null, knownTrackingNos: [] }, ...cart];
  for (const line of lines) {
    if (onQoo10Other(line)) {
      result.skipped.push({ orderNo: line.orderNo, why: 'another tracking number is already registered on Qoo10 for this line' });
    } else if (line.orderNo === refusedOrderNo || numbersOf(line).includes(ours)) {
      result.send.push(line.orderNo);
    } else if (hasOther(line)) {
      result.skipped.push({ orderNo: line.orderNo, why: 'the shop holds another tracking number for this line (another parcel)' });
    } else if (split) {
      result.skipped.push({ orderNo: line.orderNo, why: 'the cart ships in several parcels and nothing ties this line to this one' });
    } else {
      result.send.push(line.orderNo);
    }
  }
  return result;
}
