// The simulator's scenario file: shops with their orders and claims, as JSON. Dates are either Qoo10's
// own `YYYY-MM-DD HH:MM:SS` (read as JST) or ISO 8601 with an explicit offset. validateScenario turns
// unknown JSON into a Scenario or throws ScenarioValidationError listing every problem with its path.
import { parseJstDateTime } from '../qoo10-dates';
import { behaviourIssues, type Qoo10Behaviour } from './qoo10-behaviour';

export interface ScenarioOrder {
  /** Digits; unique across all shops (Qoo10 order numbers are global). */
  orderNo: string;
  /** The cart; defaults to orderNo (a one-line cart). */
  packNo?: string;
  orderedAt: string;
  paidAt?: string | null;
  /** 発送期限, a JST day `YYYY-MM-DD` (a date-time is accepted; its day counts). */
  estimatedShipDate?: string | null;
  shippedAt?: string | null;
  deliveredAt?: string | null;
  /** 1 awaiting payment, 2 配送要請, 3 配送準備, 4 配送中, 5 配送完了. */
  shippingStatus: 1 | 2 | 3 | 4 | 5;
  itemNo: string;
  sellerItemCode?: string | null;
  itemTitle: string;
  option?: string | null;
  quantity: number;
  /** Integer yen. */
  unitPriceYen: number;
  paymentMethod: string;
  carrier?: string | null;
  trackingNo?: string | null;
  buyerName?: string | null;
  buyerEmail?: string | null;
}

export interface ScenarioClaim {
  orderNo: string;
  /** 1 キャンセル要請, 2 キャンセル中, 3 キャンセル完了 (the order is then cancelled), 4 返品要請 ... */
  claimStatus: number;
  reason?: string | null;
  requestedAt: string;
  /** Required for ClaimStat 3. */
  completedAt?: string | null;
  /** The CancelReason a seller cancel was booked with: "" 在庫なし, "1", "2", "3"; absent for buyer cancels. */
  cancelReason?: string | null;
}

/** Facts the shop knows and Qoo10 does not. The simulator ignores them; the demo seeds the service with them. */
export interface ScenarioLocalFacts {
  stock?: Array<{ sellerItemCode: string; available: number }>;
  /** Parcels handed to the carrier whose tracking is not in Qoo10 yet. */
  knownTracking?: Array<{ orderNo: string; carrier: string; trackingNo: string }>;
  /** Picked and packed (発送準備済み), not yet handed over. */
  packedOrderNos?: string[];
  madeToOrderSellerItemCodes?: string[];
}

export interface ScenarioShop {
  /** The seller authorization key the simulator accepts for this shop. */
  sellerAuthKey: string;
  name: string;
  /** What CreateCertificationKey accepts for this shop. */
  credentials?: { apiKey: string; userId: string; password: string };
  /** Calls with this shop's key answer -90004. */
  keyExpired?: boolean;
  orders: ScenarioOrder[];
  claims: ScenarioClaim[];
  local?: ScenarioLocalFacts;
  /** Where Qoo10's behaviour is unconfirmed, how it behaves for this shop (qoo10-behaviour.ts); defaults apply. */
  qoo10Behaviour?: Partial<Qoo10Behaviour>;
}

export interface Scenario {
  shops: ScenarioShop[];
}

export class ScenarioValidationError extends Error {
  readonly code = 'scenario_invalid';
  constructor(readonly issues: string[]) {
    super(`invalid scenario:\n  ${issues.slice(0, 20).join('\n  ')}${issues.length > 20 ? `\n  … ${issues.length - 20} more` : ''}`);
    this.name = 'ScenarioValidationError';
  }
}

/** A scenario date: `YYYY-MM-DD HH:MM:SS` (JST) or ISO 8601 with Z or an offset; undefined otherwise. */
export function parseScenarioDate(text: string): Date | undefined {
  if (/T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return parseJstDateTime(text);
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems instead of stopping at the first, so one run shows them all. */
class Checker {
  readonly issues: string[] = [];

  fail(path: string, problem: string): void {
    this.issues.push(`${path}: ${problem}`);
  }

  string(o: Obj, key: string, path: string, opts: { optional?: boolean; pattern?: RegExp; hint?: string } = {}): void {
    const v = o[key];
    if (v === undefined || v === null) {
      if (!opts.optional) this.fail(`${path}.${key}`, 'is required');
      return;
    }
    if (typeof v !== 'string' || (!opts.optional && v.trim() === '')) {
      this.fail(`${path}.${key}`, 'must be a non-empty string');
      return;
    }
    if (opts.pattern && v !== '' && !opts.pattern.test(v)) this.fail(`${path}.${key}`, `must be ${opts.hint}`);
  }

  date(o: Obj, key: string, path: string, optional: boolean): void {
    const v = o[key];
    if (v === undefined || v === null) {
      if (!optional) this.fail(`${path}.${key}`, 'is required');
      return;
    }
    if (typeof v !== 'string' || parseScenarioDate(v) === undefined) {
      this.fail(`${path}.${key}`, 'must be "YYYY-MM-DD HH:MM:SS" (JST) or ISO 8601 with an offset');
    }
  }

  integer(o: Obj, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${path}.${key}`, `must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
    }
  }
}

const DIGITS = /^\d+$/;

function checkOrder(c: Checker, order: unknown, path: string): void {
  if (!isObj(order)) return c.fail(path, 'must be an object');
  c.string(order, 'orderNo', path, { pattern: DIGITS, hint: 'digits' });
  c.string(order, 'packNo', path, { optional: true, pattern: DIGITS, hint: 'digits' });
  c.date(order, 'orderedAt', path, false);
  for (const key of ['paidAt', 'estimatedShipDate', 'shippedAt', 'deliveredAt']) c.date(order, key, path, true);
  c.integer(order, 'shippingStatus', path, 1, 5);
  c.string(order, 'itemNo', path);
  c.string(order, 'itemTitle', path);
  c.integer(order, 'quantity', path, 1);
  c.integer(order, 'unitPriceYen', path, 0);
  c.string(order, 'paymentMethod', path);
  for (const key of ['sellerItemCode', 'option', 'carrier', 'trackingNo', 'buyerName', 'buyerEmail']) {
    c.string(order, key, path, { optional: true });
  }
  const status = order.shippingStatus;
  if (typeof status === 'number' && status >= 4 && (!order.trackingNo || !order.carrier || !order.shippedAt)) {
    c.fail(path, 'an order in 配送中/配送完了 (4/5) needs carrier, trackingNo and shippedAt');
  }
}

function checkClaim(c: Checker, claim: unknown, path: string, orders: Map<string, Obj>): void {
  if (!isObj(claim)) return c.fail(path, 'must be an object');
  c.string(claim, 'orderNo', path, { pattern: DIGITS, hint: 'digits' });
  c.integer(claim, 'claimStatus', path, 1, 16);
  c.date(claim, 'requestedAt', path, false);
  c.date(claim, 'completedAt', path, true);
  c.string(claim, 'reason', path, { optional: true });
  c.string(claim, 'cancelReason', path, { optional: true, pattern: /^[123]?$/, hint: '"", "1", "2" or "3"' });
  const order = typeof claim.orderNo === 'string' ? orders.get(claim.orderNo) : undefined;
  if (!order) return c.fail(`${path}.orderNo`, 'is not an order of this shop');
  if (claim.claimStatus === 3 && !claim.completedAt) c.fail(path, 'a completed cancel (3) needs completedAt');
  if (claim.claimStatus === 1 && order.shippingStatus !== 3) {
    c.fail(path, 'a cancel request (1) exists only on an order in 配送準備 (3); before that the buyer cancels at once');
  }
  if (claim.claimStatus === 4 && typeof order.shippingStatus === 'number' && order.shippingStatus < 4) {
    c.fail(path, 'a return request (4) needs a shipped order (4 or 5)');
  }
}

function checkShop(c: Checker, shop: unknown, path: string, seenOrderNos: Set<string>): void {
  if (!isObj(shop)) return c.fail(path, 'must be an object');
  c.string(shop, 'sellerAuthKey', path);
  c.string(shop, 'name', path);
  if (shop.credentials !== undefined) {
    if (!isObj(shop.credentials)) c.fail(`${path}.credentials`, 'must be an object');
    else for (const key of ['apiKey', 'userId', 'password']) c.string(shop.credentials, key, `${path}.credentials`);
  }
  c.issues.push(...behaviourIssues(shop.qoo10Behaviour, `${path}.qoo10Behaviour`));
  if (!Array.isArray(shop.orders)) c.fail(`${path}.orders`, 'must be an array');
  if (!Array.isArray(shop.claims)) c.fail(`${path}.claims`, 'must be an array');
  const orders = new Map<string, Obj>();
  (Array.isArray(shop.orders) ? shop.orders : []).forEach((order: unknown, i: number) => {
    checkOrder(c, order, `${path}.orders[${i}]`);
    if (isObj(order) && typeof order.orderNo === 'string') {
      if (seenOrderNos.has(order.orderNo)) c.fail(`${path}.orders[${i}].orderNo`, `duplicates ${order.orderNo}`);
      seenOrderNos.add(order.orderNo);
      orders.set(order.orderNo, order);
    }
  });
  const open = new Set<string>();
  (Array.isArray(shop.claims) ? shop.claims : []).forEach((claim: unknown, i: number) => {
    checkClaim(c, claim, `${path}.claims[${i}]`, orders);
    if (isObj(claim) && typeof claim.orderNo === 'string' && claim.claimStatus !== 3 && claim.claimStatus !== 6) {
      if (open.has(claim.orderNo)) c.fail(`${path}.claims[${i}]`, `order ${claim.orderNo} already has an open claim`);
      open.add(claim.orderNo);
    }
  });
}

/** Checks a parsed JSON value and returns it typed, or throws ScenarioValidationError. */
export function validateScenario(input: unknown): Scenario {
  const c = new Checker();
  if (!isObj(input)) throw new ScenarioValidationError(['scenario: must be a JSON object with "shops"']);
  if (!Array.isArray(input.shops)) throw new ScenarioValidationError(['scenario.shops: must be an array']);
  const seenOrderNos = new Set<string>();
  const keys = new Set<string>();
  input.shops.forEach((shop: unknown, i: number) => {
    checkShop(c, shop, `shops[${i}]`, seenOrderNos);
    if (isObj(shop) && typeof shop.sellerAuthKey === 'string') {
      if (keys.has(shop.sellerAuthKey)) c.fail(`shops[${i}].sellerAuthKey`, 'is used by another shop');
      keys.add(shop.sellerAuthKey);
    }
  });
  if (c.issues.length > 0) throw new ScenarioValidationError(c.issues);
  return input as unknown as Scenario;
}
