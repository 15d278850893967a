// How the simulated Qoo10 behaves where the real one is not confirmed (README, "What is not confirmed about
// Qoo10"). Each shop has its own behaviour, so tests and `cancel-guard verify-live` can meet each unknown both
// ways; scenarios set it per shop (`qoo10Behaviour`), the demo and a shell change it at run time
// (POST /__sim/behaviour). The defaults are what qoo10-api.md documents or, where it says nothing, our guess.
// sim-state, sim-api and the row shapers below apply it; nothing else in the simulator needs to know.
import { jstDayStart, type RequestDate } from '../qoo10-dates';
import { CLAIM_STATUS_LABELS } from './sim-rows';

/** How GetClaimInfo_V3 writes claimStatus: a label ending in (N), a bare code, or a label with no code. */
export type ClaimStatusShape = 'label' | 'code' | 'label_without_code';

export interface SimThrottle {
  /** At most this many answered calls per shop within `perSeconds` of simulated time; the rest are refused. */
  maxCalls: number;
  perSeconds: number;
}

export interface Qoo10Behaviour {
  /**
   * Whether ShippingBasic.SetSendingInfo ends a pending cancel request (ClaimStat 1).
   * false (default, what Qoo10 documents): the order moves to 配送中 (4) but the request stays ClaimStat 1 until
   * the seller presses キャンセル拒否 in QSM. true: the request is gone at once (it no longer shows in
   * GetClaimInfo_V3, and the fresh read shows no claim).
   */
  shipConfirmEndsRequest: boolean;
  /**
   * Whether Claim.SetCancelProcess on a buyer's request keeps the buyer's reason text (default true: the
   * method page says the reason is not updated for buyer-initiated cancels). false: the reason becomes the
   * label of the CancelReason sent (注文変更 for "1").
   */
  acceptKeepsBuyerReason: boolean;
  /** Whether search dates `yyyyMMddHHmmss` are honoured to the second (default true); false: only the day counts. */
  searchDatesToSecond: boolean;
  /** claimStatus in GetClaimInfo_V3 rows (default 'label'); the fresh read always gives a bare code. */
  claimStatusShape: ClaimStatusShape;
  /** Whether GetClaimInfo_V3 rows carry cancelRefundDate for completed cancels (default true); false: empty. */
  completionTimeFields: boolean;
  /** Fields GetShippingAndClaimInfoByOrderNo_V2 leaves out of its row (default none). */
  freshReadOmits: string[];
  /** The longest search window both list reads accept, in days (default 90); null: no limit. */
  maxSearchDays: number | null;
  /** Calls beyond this rate answer THROTTLED_ENVELOPE (default null: never). */
  throttle: SimThrottle | null;
}

export const DEFAULT_QOO10_BEHAVIOUR: Readonly<Qoo10Behaviour> = Object.freeze({
  shipConfirmEndsRequest: false,
  acceptKeepsBuyerReason: true,
  searchDatesToSecond: true,
  claimStatusShape: 'label',
  completionTimeFields: true,
  freshReadOmits: [],
  maxSearchDays: 90,
  throttle: null,
});

/** What a throttled call answers (INF: Qoo10 publishes no rate limit, so neither the code nor the text is known). */
export const THROTTLED_ENVELOPE = Object.freeze({ ErrorCode: -90020, ErrorMsg: 'Too many requests. Please try again later.' });

/** The full behaviour from a partial one (scenario or admin input). */
export function qoo10Behaviour(partial: Partial<Qoo10Behaviour> = {}): Qoo10Behaviour {
  return { ...DEFAULT_QOO10_BEHAVIOUR, freshReadOmits: [], ...partial };
}

const BOOLEAN_FIELDS = ['shipConfirmEndsRequest', 'acceptKeepsBuyerReason', 'searchDatesToSecond', 'completionTimeFields'];
const SHAPES: readonly ClaimStatusShape[] = ['label', 'code', 'label_without_code'];
const isPositiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;

function fieldIssue(key: string, value: unknown): string | null {
  if (BOOLEAN_FIELDS.includes(key)) return typeof value === 'boolean' ? null : 'must be true or false';
  switch (key) {
    case 'claimStatusShape':
      return SHAPES.includes(value as ClaimStatusShape) ? null : `must be one of ${SHAPES.join(', ')}`;
    case 'freshReadOmits':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : 'must be an array of field names';
    case 'maxSearchDays':
      return value === null || isPositiveInt(value) ? null : 'must be a whole number of days or null';
    case 'throttle': {
      if (value === null) return null;
      const t = value as Partial<SimThrottle>;
      return typeof value === 'object' && isPositiveInt(t.maxCalls) && isPositiveInt(t.perSeconds)
        ? null
        : 'must be null or {maxCalls, perSeconds} (whole numbers)';
    }
    default:
      return `is not a behaviour (known: ${Object.keys(DEFAULT_QOO10_BEHAVIOUR).join(', ')})`;
  }
}

/** Problems of a behaviour given as JSON, each with its path; empty when it is valid. */
export function behaviourIssues(input: unknown, path: string): string[] {
  if (input === undefined) return [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [`${path}: must be an object`];
  return Object.entries(input).flatMap(([key, value]) => {
    const issue = fieldIssue(key, value);
    return issue ? [`${path}.${key}: ${issue}`] : [];
  });
}

/** Checks a behaviour given as JSON and returns it, or throws with every problem. */
export function parseBehaviour(input: unknown, path = 'behaviour'): Partial<Qoo10Behaviour> {
  const issues = behaviourIssues(input, path);
  if (issues.length > 0) throw new Error(issues.join('; '));
  return (input ?? {}) as Partial<Qoo10Behaviour>;
}

/** A search date as this shop's Qoo10 reads it: with searchDatesToSecond off, only its JST day counts. */
export function honouredSearchDate(date: RequestDate | undefined, behaviour: Qoo10Behaviour): RequestDate | undefined {
  if (!date || date.dateOnly || behaviour.searchDatesToSecond) return date;
  return { instant: jstDayStart(date.instant), dateOnly: true };
}

/** A GetClaimInfo_V3 row (sim-rows.claimRow) in this shop's shape. */
export function shapeClaimRow(row: Record<string, unknown>, code: number, behaviour: Qoo10Behaviour): Record<string, unknown> {
  const shaped = { ...row };
  if (behaviour.claimStatusShape === 'code') shaped.claimStatus = String(code);
  else if (behaviour.claimStatusShape === 'label_without_code') {
    shaped.claimStatus = (CLAIM_STATUS_LABELS[code] ?? `Claim ${code}`).replace(/\(\d+\)$/, '');
  }
  if (!behaviour.completionTimeFields) shaped.cancelRefundDate = '';
  return shaped;
}

/** A GetShippingAndClaimInfoByOrderNo_V2 row (sim-rows.snapshotRow) without the fields this shop leaves out. */
export function shapeSnapshotRow(row: Record<string, unknown>, behaviour: Qoo10Behaviour): Record<string, unknown> {
  const shaped = { ...row };
  for (const field of behaviour.freshReadOmits) delete shaped[field];
  return shaped;
}

const answeredCalls = new WeakMap<object, number[]>();

/** Whether this call of a shop is over its throttle; an answered call is counted. */
export function isThrottled(shop: { behaviour: Qoo10Behaviour }, now: Date): boolean {
  const limit = shop.behaviour.throttle;
  if (!limit) return false;
  const since = now.getTime() - limit.perSeconds * 1000;
  const recent = (answeredCalls.get(shop) ?? []).filter((t) => t > since);
  if (recent.length >= limit.maxCalls) {
    answeredCalls.set(shop, recent);
    return true;
  }
  recent.push(now.getTime());
  answeredCalls.set(shop, recent);
  return false;
}
