// The simulator's QAPI methods: authentication, parameter checks and the answer envelope of each method.
// Transport concerns (HTTP, latency, transport faults, recording) live in start-simulator.ts.
//
// Codes chosen where the contract gives none (INF):
// - missing key → {ErrorCode: -10000}; unknown key → {ErrorCode: -90002} (its message echoes the key, as a
//   careless gateway might: the client must scrub it); expired key → {ResultCode: -90004}.
// - bad parameters of a write → -10001; order not found → -10002; another seller's order → -10003;
//   wrong state → -10004; SetSendingInfoBulk over 500 rows → -10006; a bulk row failed by fault → -10005.
// - GetShippingInfo_v3 over 90 days → -10003, like GetClaimInfo_V3; bad dates or parameters of a read → -10002.
// - GetShippingAndClaimInfoByOrderNo_V2 for an unknown or foreign order → ResultCode 0, ResultObject null.
// - CreateCertificationKey: unknown API key → {ErrorCode: -90002}; wrong user_id/pwd → -10001.
import { DAY_MS, parseRequestDate, type RequestDate } from '../qoo10-dates';
import { BULK_ROW_FAILURE_CODE, type FaultInjector } from './faults';
import { honouredSearchDate, isThrottled, shapeClaimRow, shapeSnapshotRow, THROTTLED_ENVELOPE, type Qoo10Behaviour } from './qoo10-behaviour';
import { claimRow, rowsResult, shippingRow, snapshotRow } from './sim-rows';
import { SimRejection, type SimOrder, type SimShop, type SimulatorState } from './sim-state';

export type Envelope = Record<string, unknown>;

export interface ApiRequest {
  /** `class.method`, lower case. */
  method: string;
  /** The GiosisCertificationKey header ('' when absent). */
  key: string;
  /** Form fields with lower-case names (Qoo10 treats names case-insensitively here). */
  params: Record<string, string>;
}

export interface ApiDeps {
  state: SimulatorState;
  faults: FaultInjector;
  /** Orders read unshipped while shipBetweenReadAndWrite was on, waiting for their next write. */
  readUnshipped: Set<string>;
}

export interface ApiAnswer {
  envelope: Envelope;
  /** The shop the call reached, for the call record. */
  shop: SimShop | null;
}

type Handler = (shop: SimShop, p: Record<string, string>, deps: ApiDeps) => Envelope;

const BULK_LIMIT = 500;

const ok = (resultObject?: unknown): Envelope =>
  resultObject === undefined
    ? { ResultCode: 0, ResultMsg: 'SUCCESS' }
    : { ResultCode: 0, ResultMsg: 'SUCCESS', ResultObject: resultObject };

const reject = (code: number, message: string): never => {
  throw new SimRejection(code, message);
};

/** Answers one call; undefined when the method does not exist (the server then answers plain text). */
export function answerApiCall(request: ApiRequest, deps: ApiDeps): ApiAnswer | undefined {
  if (request.method === 'certificationapi.createcertificationkey') {
    return { envelope: createCertificationKey(request, deps.state), shop: null };
  }
  const handler = HANDLERS[request.method];
  if (!handler) return undefined;
  if (request.key === '') return { envelope: { ErrorCode: -10000, ErrorMsg: 'Please check the certification key' }, shop: null };
  const shop = deps.state.shopByKey(request.key);
  if (!shop) return { envelope: { ErrorCode: -90002, ErrorMsg: `Not authorized key: ${request.key}` }, shop: null };
  if (deps.faults.current.expiredKey || shop.keyExpired || deps.state.isRetiredKey(request.key)) {
    return { envelope: { ResultCode: -90004, ResultMsg: 'The certification key has expired', ResultObject: null }, shop };
  }
  if (isThrottled(shop, deps.state.now())) return { envelope: { ...THROTTLED_ENVELOPE }, shop };
  try {
    return { envelope: handler(shop, request.params, deps), shop };
  } catch (error) {
    if (error instanceof SimRejection) return { envelope: { ResultCode: error.qoo10Code, ResultMsg: error.message }, shop };
    throw error;
  }
}

function createCertificationKey(request: ApiRequest, state: SimulatorState): Envelope {
  const shop = state.shops.find((s) => s.credentials && s.credentials.apiKey === request.key);
  if (!shop || !shop.credentials) return { ErrorCode: -90002, ErrorMsg: 'Not authorized API key' };
  if (request.params.user_id !== shop.credentials.userId || request.params.pwd !== shop.credentials.password) {
    return { ResultCode: -10001, ResultMsg: 'Invalid user id or password' };
  }
  // An expired key is replaced by a new one, as a real renewal does.
  const key = shop.keyExpired ? state.renewKey(shop) : shop.sellerAuthKey;
  return ok(key);
}

/** A search range, checked like GetClaimInfo_V3: both dates required, at most 90 days (per shop behaviour). */
function searchRange(startText: string | undefined, endText: string | undefined, behaviour: Qoo10Behaviour): { from: Date; to: Date } {
  const start = honouredSearchDate(parseRequestDate(startText ?? ''), behaviour);
  const end = honouredSearchDate(parseRequestDate(endText ?? ''), behaviour);
  if (!start || !end) return reject(-10002, 'Invalid search date');
  const to = endOf(end);
  if (to.getTime() < start.instant.getTime()) return reject(-10002, 'Search start date is after the end date');
  const maxDays = behaviour.maxSearchDays;
  const tooLong =
    maxDays !== null &&
    (start.dateOnly && end.dateOnly
      ? end.instant.getTime() - start.instant.getTime() > maxDays * DAY_MS
      : to.getTime() - start.instant.getTime() > maxDays * DAY_MS);
  if (tooLong) return reject(-10003, `The search range cannot exceed ${maxDays} days`);
  return { from: start.instant, to };
}

/** A date-only end date includes its whole JST day. */
function endOf(date: RequestDate): Date {
  return date.dateOnly ? new Date(date.instant.getTime() + DAY_MS - 1000) : date.instant;
}

const within = (d: Date | null, range: { from: Date; to: Date }): boolean =>
  d !== null && d.getTime() >= range.from.getTime() && d.getTime() <= range.to.getTime();

function choice(text: string | undefined, allowed: number[], code: number, what: string): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !allowed.includes(n)) return reject(code, `Invalid ${what}`);
  return n;
}

function orderNoParam(text: string | undefined): string {
  if (!text || !/^\d+$/.test(text.trim())) return reject(-10001, 'Invalid order number');
  return text.trim();
}

/** shipBetweenReadAndWrite: the order read unshipped leaves the warehouse right before this write. */
function beforeWrite(orderNo: string, deps: ApiDeps): void {
  if (!deps.readUnshipped.delete(orderNo)) return;
  const order = deps.state.order(orderNo);
  if (order && !order.cancelledAt && order.shippingStatus <= 3) deps.state.shipOrder(orderNo);
}

const HANDLERS: Record<string, Handler> = {
  'shippingbasic.getclaiminfo_v3': (shop, p, { state }) => {
    const claimStat = choice(p.claimstat, [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16], -10002, 'ClaimStat');
    const range = searchRange(p.search_sdate, p.search_edate, shop.behaviour);
    const condition = choice(p.search_condition, [1, 2, 3], -10002, 'search_condition');
    const rows = shop.claims
      .filter((c) => c.withdrawnAt === null && c.claimStatus === claimStat)
      .map((c) => ({ claim: c, order: state.order(c.orderNo) as SimOrder }))
      .filter(({ claim, order }) =>
        within(condition === 1 ? order.orderedAt : condition === 2 ? claim.requestedAt : claim.completedAt, range),
      )
      .map(({ claim, order }) => shapeClaimRow(claimRow(claim, order), claim.claimStatus, shop.behaviour));
    return ok(rowsResult(rows));
  },

  'shippingbasic.getshippinginfo_v3': (shop, p) => {
    const statusText = (p.shippingstatus ?? '').trim();
    const statuses = statusText === '' || statusText === '0' ? [1, 2, 3] : [choice(statusText, [1, 2, 3, 4, 5], -10002, 'ShippingStatus')];
    const range = searchRange(p.searchstartdate, p.searchenddate, shop.behaviour);
    const condition = choice(p.searchcondition, [1, 2, 3, 4], -10002, 'SearchCondition');
    const dateOf = (o: SimOrder) => [o.orderedAt, o.paidAt, o.shippedAt, o.deliveredAt][condition - 1];
    const rows = [...shop.orders.values()]
      // Cancelled orders drop out of this list, as on Qoo10.
      .filter((o) => !o.cancelledAt && statuses.includes(o.shippingStatus) && within(dateOf(o), range))
      .map(shippingRow);
    return ok(rows);
  },

  'shippingbasic.getshippingandclaiminfobyorderno_v2': (shop, p, deps) => {
    const orderNo = orderNoParam(p.orderno);
    const order = shop.orders.get(orderNo);
    if (!order) return ok(null);
    if (deps.faults.current.shipBetweenReadAndWrite && !order.cancelledAt && order.shippingStatus <= 3) {
      deps.readUnshipped.add(orderNo);
    }
    return ok(shapeSnapshotRow(snapshotRow(order, deps.state.currentClaim(shop, orderNo)), shop.behaviour));
  },

  'shippingbasic.setsendinginfo': (shop, p, deps) => {
    const orderNo = orderNoParam(p.orderno);
    const carrier = (p.shippingcorp ?? '').trim();
    const trackingNo = (p.trackingno ?? '').trim();
    if (!carrier || carrier.length > 200) reject(-10001, 'Invalid ShippingCorp');
    if (!trackingNo || trackingNo.length > 50) reject(-10001, 'Invalid TrackingNo');
    beforeWrite(orderNo, deps);
    deps.state.setSendingInfo(shop, orderNo, carrier, trackingNo);
    return ok();
  },

  'shippingbasic.setsendinginfobulk': (shop, p, deps) => {
    let rows: unknown;
    try {
      rows = JSON.parse(p.shippinginfojson ?? '');
    } catch {
      return reject(-10001, 'ShippingInfoJson is not JSON');
    }
    if (!Array.isArray(rows)) return reject(-10001, 'ShippingInfoJson must be an array');
    if (rows.length > BULK_LIMIT) return reject(-10006, 'At most 500 rows per call');
    const results = rows.map((row: Record<string, unknown>) => {
      const orderNo = String(row?.OrderNo ?? '');
      if (deps.faults.bulkRowFails()) {
        return { OrderNo: orderNo, result_cd: BULK_ROW_FAILURE_CODE, result_msg: 'Temporary failure (simulated)' };
      }
      try {
        const no = orderNoParam(orderNo);
        const carrier = String(row.ShippingCorp ?? '').trim();
        const trackingNo = String(row.TrackingNo ?? '').trim();
        if (!carrier || !trackingNo || carrier.length > 200 || trackingNo.length > 50) {
          reject(-10001, 'Invalid ShippingCorp or TrackingNo');
        }
        beforeWrite(no, deps);
        deps.state.setSendingInfo(shop, no, carrier, trackingNo);
        return { OrderNo: no, result_cd: 0, result_msg: 'SUCCESS' };
      } catch (error) {
        if (!(error instanceof SimRejection)) throw error;
        return { OrderNo: orderNo, result_cd: error.qoo10Code, result_msg: error.message };
      }
    });
    return ok(results);
  },

  'claim.setcancelprocess': (shop, p, deps) => {
    const orderNo = orderNoParam(p.contrno);
    const reason = (p.cancelreason ?? '').trim();
    if (!['', '1', '2', '3'].includes(reason)) reject(-10001, 'Invalid CancelReason');
    const memo = p.sellermemo ?? '';
    if (memo.length > 1000) reject(-10001, 'SellerMemo is too long');
    beforeWrite(orderNo, deps);
    deps.state.sellerCancel(shop, orderNo, reason, memo);
    return ok();
  },

  'shippingbasic.setsellercheckyn_v2': (shop, p, deps) => {
    const orderNo = orderNoParam(p.orderno);
    const day = parseRequestDate(p.estshipdt ?? '');
    if (!day || !day.dateOnly) reject(-10001, 'Invalid EstShipDt (yyyyMMdd)');
    choice(p.delaytype, [1, 2, 3, 4], -10001, 'DelayType');
    beforeWrite(orderNo, deps);
    deps.state.sellerCheck(shop, orderNo, (day as RequestDate).instant);
    return ok(null);
  },
};
