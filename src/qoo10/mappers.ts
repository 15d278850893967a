// Pure mappers from raw Qoo10 rows (raw-types.ts) to domain types. Tolerant of what Qoo10 is known to
// vary (numbers as strings, status labels, JST dates without offset, a single object instead of an
// array) and strict about the rest: a row that cannot be read throws Qoo10MalformedResponseError rather
// than being skipped, because a silently dropped row is a cancel request nobody answers.
import type { Claim, Order, OrderSnapshot, ShippingStatusCode } from '../domain/types';
import { AnswerRows } from './answer-rows';
import { Qoo10MalformedResponseError } from './errors';
import { jstDayStart, parseJstDateTime } from './qoo10-dates';
import type { RawBulkResultRow, RawClaimRow, RawOrderSnapshotRow, RawShippingRow } from './raw-types';
import { cleanText, TEXT_LIMITS, type TextKind } from './sanitise';

type Row = Record<string, unknown>;

/** The per-order outcome of a bulk write; `code` is Qoo10's result_cd (0 = ok), null if no row came back. */
export interface BulkRowResult {
  orderNo: string;
  ok: boolean;
  code: number | null;
  message: string;
}

function malformed(method: string, what: string): Qoo10MalformedResponseError {
  return new Qoo10MalformedResponseError(`${method}: ${what}`, { method });
}

export function isPlainObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The rows of a ResultObject: null/absent and [] are "no rows", one object is one row, an array must hold
 * only objects. Anything else (a string, a number, an array of numbers) is malformed.
 */
export function resultRows(resultObject: unknown, method: string): Row[] {
  if (resultObject instanceof AnswerRows) return [...eachResultRow(resultObject, method)];
  if (resultObject === null || resultObject === undefined) return [];
  if (Array.isArray(resultObject)) {
    resultObject.forEach((row, i) => {
      if (!isPlainObject(row)) throw malformed(method, `ResultObject[${i}] is not an object`);
    });
    return resultObject as Row[];
  }
  if (isPlainObject(resultObject)) return [resultObject];
  throw malformed(method, `ResultObject is a ${typeof resultObject}, expected an array, an object or null`);
}

/**
 * The rows of a ResultObject one at a time, checked as resultRows checks them. A large answer read row by
 * row (answer-rows.ts) parses each row only when it is reached, so mapping it holds one row's tree at a time.
 */
export function eachResultRow(resultObject: unknown, method: string): Iterable<Row> {
  if (!(resultObject instanceof AnswerRows)) return resultRows(resultObject, method);
  const rows = resultObject;
  return (function* () {
    let index = 0;
    for (const row of rows) {
      if (!isPlainObject(row)) throw malformed(method, `ResultObject[${index}] is not an object`);
      index += 1;
      yield row;
    }
  })();
}

/**
 * A status code from a bare number ("3", 3) or a label ending in "(N)" ("Seller confirm(3)").
 * null for empty; undefined when the value has neither form.
 */
export function parseStatusCode(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return null;
  if (/^-?\d{1,9}$/.test(text)) return Number(text);
  const label = /\((\d{1,9})\)\s*$/.exec(text);
  return label ? Number(label[1]) : undefined;
}

/**
 * An integer from a number or a numeric string ("1,980", "1980.00"); null for empty, undefined for
 * anything else. Strict: a fraction that is not zero ("1.5", "0.4") is not an integer and is never
 * rounded (a quantity of 1.5 is an error, not 2; a ResultCode of 0.4 is not success). Thousands
 * separators must group by three.
 */
export function parseInteger(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return null;
  if (!/^-?(\d{1,3}(,\d{3})+|\d+)(\.0+)?$/.test(text)) return undefined;
  const n = Number(text.replace(/,/g, '').replace(/\.0+$/, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Text of a field (numbers become their decimal text), cleaned for storage (sanitise.ts: no control
 * characters, no lone surrogates, at most the kind's length); null when absent or blank.
 */
export function optionalText(value: unknown, kind: TextKind = 'name'): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const text = cleanText(value, TEXT_LIMITS[kind]);
  return text === '' ? null : text;
}

/**
 * An order number kept as a string: 10+ digit numbers must not pass through floating point. A JSON number
 * beyond 2^53 has already lost digits, so it is refused.
 */
export function parseOrderNo(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return /^\d{1,20}$/.test(text) ? text : undefined;
}

/** Qoo10's "no date" sentinels (.NET defaults) read as null. */
function isSentinelDate(date: Date): boolean {
  return date.getUTCFullYear() <= 1900;
}

/** A JST response date; null when absent, blank or a sentinel; undefined when unreadable. */
export function parseResponseDate(value: unknown): Date | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return undefined;
  if (value.trim() === '') return null;
  const date = parseJstDateTime(value);
  if (!date) return undefined;
  return isSentinelDate(date) ? null : date;
}

/** Field readers bound to one method, so every failure names the method and the field. */
function reader(method: string, raw: object, index: number) {
  const row = raw as Row;
  const where = (field: string) => `row ${index} field ${field}`;
  return {
    orderNo(field: string): string {
      const no = parseOrderNo(row[field]);
      if (no === undefined) throw malformed(method, `${where(field)} is not an order number`);
      return no;
    },
    optionalOrderNo(field: string): string | null {
      if (optionalText(row[field]) === null) return null;
      return this.orderNo(field);
    },
    date(field: string): Date | null {
      const date = parseResponseDate(row[field]);
      if (date === undefined) throw malformed(method, `${where(field)} is not a JST date`);
      return date;
    },
    requiredDate(field: string, fallbackField?: string): Date {
      const date = this.date(field) ?? (fallbackField ? this.date(fallbackField) : null);
      if (!date) throw malformed(method, `${where(field)} is missing`);
      return date;
    },
    integer(field: string): number | null {
      const n = parseInteger(row[field]);
      if (n === undefined) throw malformed(method, `${where(field)} is not a number`);
      return n;
    },
    status(field: string): number | null {
      const code = parseStatusCode(row[field]);
      if (code === undefined) throw malformed(method, `${where(field)} is not a status code or label`);
      return code;
    },
    text(kind: TextKind, ...fields: string[]): string | null {
      for (const field of fields) {
        const text = optionalText(row[field], kind);
        if (text !== null) return text;
      }
      return null;
    },
  };
}

function shippingStatusOf(code: number | null, method: string): ShippingStatusCode | null {
  if (code === null) return null;
  if (code >= 1 && code <= 5) return code as ShippingStatusCode;
  // 0 means "no status" in some answers; other values are outside the contract.
  if (code === 0) return null;
  throw malformed(method, `ShippingStatus ${code} is outside 1-5`);
}

/** ShippingBasic.GetClaimInfo_V3 row → Claim. A missing requestDate falls back to cancelRefundDate. */
export function mapClaimRow(raw: RawClaimRow, method = 'ShippingBasic.GetClaimInfo_V3', index = 0): Claim {
  const r = reader(method, raw, index);
  const orderNo = r.orderNo('orderNo');
  const claimStatus = r.status('claimStatus');
  if (claimStatus === null) throw malformed(method, `row ${index} field claimStatus is missing`);
  return {
    orderNo,
    // A line with no PackNo is its own cart.
    packNo: r.optionalOrderNo('packNo') ?? orderNo,
    claimStatus,
    reason: r.text('reason', 'reason'),
    requestedAt: r.requiredDate('requestDate', 'cancelRefundDate'),
    completedAt: r.date('cancelRefundDate'),
    orderedAt: r.date('orderDate'),
    itemNo: r.text('code', 'itemCode', 'itemNo') ?? '',
    sellerItemCode: r.text('code', 'sellerItemCode'),
    itemTitle: r.text('title', 'itemTitle') ?? '',
    quantity: r.integer('orderQty') ?? 1,
    paymentAmountYen: r.integer('paymentAmount') ?? 0,
    carrier: r.text('name', 'deliveryCompany'),
    trackingNo: r.text('code', 'trackingNo'),
  };
}

/** ShippingBasic.GetShippingInfo_v3 row → Order. Total falls back to OrderPrice × OrderQty. */
export function mapShippingRow(raw: RawShippingRow, method = 'ShippingBasic.GetShippingInfo_v3', index = 0): Order {
  const r = reader(method, raw, index);
  const orderNo = r.orderNo('OrderNo');
  const quantity = r.integer('OrderQty') ?? 1;
  const unitPriceYen = r.integer('OrderPrice') ?? 0;
  const deadline = r.date('EstimatedShippingDate');
  return {
    orderNo,
    packNo: r.optionalOrderNo('PackNo') ?? orderNo,
    orderedAt: r.requiredDate('OrderDate'),
    paidAt: r.date('PaymentDate'),
    // 発送期限 is a day: keep the JST day start even if Qoo10 sends a time with it.
    shippingDeadline: deadline ? jstDayStart(deadline) : null,
    shippedAt: r.date('ShippingDate'),
    deliveredAt: r.date('DeliveredDate'),
    shippingStatus: shippingStatusOf(r.status('ShippingStatus'), method),
    itemNo: r.text('code', 'ItemNo') ?? '',
    sellerItemCode: r.text('code', 'SellerItemCode'),
    itemTitle: r.text('title', 'ItemTitle') ?? '',
    itemOption: r.text('title', 'Option'),
    quantity,
    unitPriceYen,
    totalYen: r.integer('Total') ?? unitPriceYen * quantity,
    paymentMethod: r.text('name', 'PaymentMethod'),
    carrier: r.text('name', 'DeliveryCompany'),
    trackingNo: r.text('code', 'TrackingNo'),
    buyerName: r.text('name', 'Buyer', 'buyer', 'BuyerName'),
    buyerEmail: r.text('email', 'BuyerEmail', 'buyerEmail'),
    // INF: buyer phone and country field names are not in the contract; these are the likely ones.
    buyerPhone: r.text('code', 'BuyerMobile', 'buyerMobile', 'BuyerTel', 'buyerTel'),
    buyerCountry: r.text('name', 'ShippingCountry', 'shippingCountry', 'DeliveryCountry', 'BuyerNation'),
  };
}

/** ClaimStat codes of the contract (qoo10-api.md); anything else is not understood. */
const KNOWN_CLAIM_STATUSES: readonly number[] = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16];

/**
 * The claim status of a fresh read. The one place that decides what "no claim" looks like (INF):
 * an empty value ('' or 0) means the order carries no claim (withdrawn). A missing field, null, an
 * unreadable value or a code outside the contract is "unknown" and throws: a fresh read that cannot
 * say whether the request is still pending must never close it (the caller hands it to a person).
 */
function snapshotClaimStatus(row: Row, method: string): number | null {
  if (!('claimStatus' in row) || row.claimStatus === null || row.claimStatus === undefined) {
    throw malformed(method, 'field claimStatus is missing, so whether the request is still pending is unknown');
  }
  const code = parseStatusCode(row.claimStatus);
  if (code === null || code === 0) return null;
  if (code === undefined || !KNOWN_CLAIM_STATUSES.includes(code)) {
    throw malformed(method, 'field claimStatus is not a claim status this service knows');
  }
  return code;
}

/**
 * The shipping status of a fresh read: it is what the last check before a cancel relies on, so a
 * missing, empty or zero status is "unknown" and throws (the caller hands the request to a person),
 * never "not shipped".
 */
function snapshotShippingStatus(code: number | null, method: string): ShippingStatusCode {
  const status = shippingStatusOf(code, method);
  if (status === null) throw malformed(method, 'field shippingStatus is missing, so whether the order has shipped is unknown');
  return status;
}

/** ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2 row → OrderSnapshot. */
export function mapSnapshotRow(
  raw: RawOrderSnapshotRow,
  method = 'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2',
): OrderSnapshot {
  const r = reader(method, raw, 0);
  const claimStatus = snapshotClaimStatus(raw as Row, method);
  return {
    orderNo: r.orderNo('orderNo'),
    packNo: r.optionalOrderNo('packNo'),
    shippingStatus: snapshotShippingStatus(r.status('shippingStatus'), method),
    orderedAt: r.date('orderDate'),
    shippedAt: r.date('shippingDate'),
    carrier: r.text('name', 'deliveryCompany'),
    trackingNo: r.text('code', 'trackingNo'),
    claimStatus,
    claimReason: r.text('reason', 'reason'),
    claimRequestedAt: r.date('requestDate'),
  };
}

/**
 * One list row that could not be read. It names the row by what could still be read of it (order
 * number, request date) and says which field failed; it never carries the row's values, which may be
 * buyer data.
 */
export interface RowFault {
  method: string;
  index: number;
  orderNo: string | null;
  requestedAt: Date | null;
  message: string;
}

/**
 * Maps one row of a list into `mapped`. Without `isolate` an unreadable row fails the whole answer; with
 * it, the row's fault (what identifies the row, if anything does) goes to `faults` and the row is skipped.
 */
export function mapRowInto<T>(
  mapped: T[],
  faults: RowFault[],
  row: Row,
  index: number,
  method: string,
  map: (row: Row, index: number) => T,
  isolate: boolean,
): void {
  try {
    mapped.push(map(row, index));
  } catch (error) {
    if (!isolate || !(error instanceof Qoo10MalformedResponseError)) throw error;
    const requestedAt = parseResponseDate(row.requestDate);
    faults.push({
      method,
      index,
      orderNo: parseOrderNo(row.orderNo ?? row.OrderNo) ?? null,
      requestedAt: requestedAt instanceof Date ? requestedAt : null,
      message: error.message,
    });
  }
}

/**
 * Maps a list's rows one by one. Without `onRowFault` the first unreadable row fails the whole answer
 * (nothing is silently dropped); with it, an unreadable row is reported and skipped, so one row in a
 * bad shape cannot stop every other row of the shop. The caller owns what happens to the fault.
 */
export function mapRowsIsolated<T>(
  rows: Iterable<Row>,
  method: string,
  map: (row: Row, index: number) => T,
  onRowFault?: (fault: RowFault) => void,
): T[] {
  const mapped: T[] = [];
  // Reported once the whole answer has been read: an answer that turns out malformed further on is
  // retried as a whole, and its rows' faults would otherwise be reported once per attempt.
  const faults: RowFault[] = [];
  let index = 0;
  for (const row of rows) {
    mapRowInto(mapped, faults, row, index, method, map, onRowFault !== undefined);
    index += 1;
  }
  faults.forEach((fault) => onRowFault?.(fault));
  return mapped;
}

/**
 * SetSendingInfoBulk results, in the order of the rows sent. Results are matched by order number; a row
 * Qoo10 did not answer for is reported as not ok (code null) so the caller retries it.
 */
export function mapBulkResults(resultObject: unknown, sentOrderNos: string[], method: string): BulkRowResult[] {
  const byOrderNo = new Map<string, BulkRowResult>();
  resultRows(resultObject, method).forEach((row, index) => {
    const raw = row as RawBulkResultRow;
    const r = reader(method, row, index);
    const orderNo = raw.OrderNo !== undefined ? r.orderNo('OrderNo') : r.orderNo('orderNo');
    const code = raw.result_cd !== undefined ? r.integer('result_cd') : r.integer('ResultCode');
    if (code === null) throw malformed(method, `row ${index} has no result_cd`);
    const message = r.text('message', 'result_msg', 'ResultMsg') ?? (code === 0 ? 'SUCCESS' : '');
    byOrderNo.set(orderNo, { orderNo, ok: code === 0, code, message });
  });
  return sentOrderNos.map(
    (orderNo) => byOrderNo.get(orderNo) ?? { orderNo, ok: false, code: null, message: 'Qoo10 returned no result for this order' },
  );
}

/** CertificationAPI.CreateCertificationKey: ResultObject is the key itself (a non-empty string). */
export function mapCertificationKey(resultObject: unknown, method: string): string {
  if (typeof resultObject === 'string' && resultObject.trim() !== '') return resultObject.trim();
  throw malformed(method, 'ResultObject is not a key string');
}
