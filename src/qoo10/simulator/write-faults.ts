// "Apply, then lose the answer": faults on Qoo10's write methods that leave the caller not knowing what
// happened, and the write log that records every write attempt as ground truth for the chaos harness.
//
// Qoo10 has no idempotency keys, so a write whose answer is lost may have been applied. These faults make
// that happen on purpose (SimulatorFaults.lostAnswers):
// - `http5xx`: the write is applied, then the answer is an HTTP 5xx with a text body;
// - `drop`: the write is applied, then the connection is destroyed without any answer;
// - `scalar_success`: the write is applied and the answer is a success whose ResultObject is a plain
//   value (`0`, `"OK"`), a shape real gateways send and a client must read as success.
// With `apply: false` the write is lost on the way in instead (http5xx or drop, nothing applied): a write
// outage while reads still work.
//
// Every write call adds one WriteAttempt per order it names (one per row of SetSendingInfoBulk), whatever
// became of it: lost on the way in, refused by the simulator (-10004 …), applied, or applied with its
// answer lost. `shippedBefore` / `cancelledBefore` are the order's state when the call arrived, before
// the simulator changed anything (shipBetweenReadAndWrite ships an order later, inside the handler).
import type { Random } from './prng';
import type { SimulatorState } from './sim-state';

export const WRITE_METHODS = [
  'Claim.SetCancelProcess',
  'ShippingBasic.SetSendingInfo',
  'ShippingBasic.SetSendingInfoBulk',
  'ShippingBasic.SetSellerCheckYN_V2',
] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];

export type LostAnswerKind = 'http5xx' | 'drop' | 'scalar_success';
export const LOST_ANSWER_KINDS: readonly LostAnswerKind[] = ['http5xx', 'drop', 'scalar_success'];

export interface LostAnswerFault {
  kind: LostAnswerKind;
  /** Write methods it hits; default every write method. */
  methods?: WriteMethod[];
  /** Only writes naming one of these orders (any row, for the bulk method); default any order. */
  orderNos?: string[];
  /** Share [0, 1] of matching writes hit; default 1. */
  rate?: number;
  /** Hit at most this many writes, then stop; default unlimited. */
  times?: number;
  /** false: the write is lost before it is applied (http5xx or drop only). Default true. */
  apply?: boolean;
  /** The status of `http5xx`, 500–599; default 503. */
  httpStatus?: number;
  /** The ResultObject of `scalar_success`; default 0. */
  resultObject?: number | string | boolean;
}

/** What the caller received for a write. */
export type WriteAnswer = 'answered' | 'timeout' | 'http500' | 'malformed' | 'error_code_shape' | LostAnswerKind;

export type WriteKind = 'cancel' | 'tracking' | 'confirm';

export interface WriteAttempt {
  /** The `seq` of the call in the simulator's call record. */
  callSeq: number;
  /** Simulated time of the call. */
  at: Date;
  method: WriteMethod;
  kind: WriteKind;
  shopName: string | null;
  orderNo: string;
  /** The tracking number sent (tracking writes only). */
  trackingNo: string | null;
  /** Whether the simulator's world changed because of this attempt. */
  applied: boolean;
  /** The ResultCode (result_cd of the row, for the bulk method) the simulator produced; null when never handled. */
  resultCode: number | null;
  /** What the caller got back. */
  answer: WriteAnswer;
  /** The order had shipped (ShippingStatus 4/5) when the call arrived. */
  shippedBefore: boolean;
  /** The order was already cancelled when the call arrived. */
  cancelledBefore: boolean;
}

/** A write call, parsed from its (lower-cased) form fields. */
export interface WriteCall {
  method: WriteMethod;
  kind: WriteKind;
  rows: Array<{ orderNo: string; trackingNo: string | null }>;
}

const KIND: Record<WriteMethod, WriteKind> = {
  'Claim.SetCancelProcess': 'cancel',
  'ShippingBasic.SetSendingInfo': 'tracking',
  'ShippingBasic.SetSendingInfoBulk': 'tracking',
  'ShippingBasic.SetSellerCheckYN_V2': 'confirm',
};

/** The write call a request makes, or null for reads and unknown methods. */
export function parseWriteCall(methodName: string, params: Record<string, string>): WriteCall | null {
  const method = WRITE_METHODS.find((m) => m.toLowerCase() === methodName.toLowerCase());
  if (!method) return null;
  const orderNo = (text: unknown) => String(text ?? '').trim();
  const trackingOf = (text: unknown) => (text === undefined || text === null ? null : String(text).trim());
  switch (method) {
    case 'Claim.SetCancelProcess':
      return { method, kind: KIND[method], rows: [{ orderNo: orderNo(params.contrno), trackingNo: null }] };
    case 'ShippingBasic.SetSendingInfo':
      return { method, kind: KIND[method], rows: [{ orderNo: orderNo(params.orderno), trackingNo: trackingOf(params.trackingno) }] };
    case 'ShippingBasic.SetSellerCheckYN_V2':
      return { method, kind: KIND[method], rows: [{ orderNo: orderNo(params.orderno), trackingNo: null }] };
    case 'ShippingBasic.SetSendingInfoBulk': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(params.shippinginfojson ?? '');
      } catch {
        parsed = [];
      }
      const rows = Array.isArray(parsed) ? (parsed as Array<Record<string, unknown> | null>) : [];
      return { method, kind: KIND[method], rows: rows.map((r) => ({ orderNo: orderNo(r?.OrderNo), trackingNo: trackingOf(r?.TrackingNo) })) };
    }
  }
}

/** Throws a readable error when `faults` is not a valid lostAnswers list. */
export function validateLostAnswers(faults: unknown): void {
  if (faults === undefined) return;
  if (!Array.isArray(faults)) throw new Error('fault lostAnswers must be a list');
  faults.forEach((f: Partial<LostAnswerFault>, i) => {
    const at = `fault lostAnswers[${i}]`;
    if (!f || !LOST_ANSWER_KINDS.includes(f.kind as LostAnswerKind)) throw new Error(`${at}.kind must be one of ${LOST_ANSWER_KINDS.join(', ')}`);
    if (f.rate !== undefined && !(f.rate >= 0 && f.rate <= 1)) throw new Error(`${at}.rate must be within [0, 1]`);
    if (f.times !== undefined && !(Number.isInteger(f.times) && f.times >= 0)) throw new Error(`${at}.times must be a whole number ≥ 0`);
    if (f.methods !== undefined && !(Array.isArray(f.methods) && f.methods.every((m) => (WRITE_METHODS as readonly string[]).includes(m)))) {
      throw new Error(`${at}.methods must list write methods: ${WRITE_METHODS.join(', ')}`);
    }
    if (f.orderNos !== undefined && !(Array.isArray(f.orderNos) && f.orderNos.every((o) => typeof o === 'string'))) {
      throw new Error(`${at}.orderNos must be a list of order numbers`);
    }
    if (f.httpStatus !== undefined && !(Number.isInteger(f.httpStatus) && f.httpStatus >= 500 && f.httpStatus <= 599)) {
      throw new Error(`${at}.httpStatus must be 500–599`);
    }
    if (f.apply === false && f.kind === 'scalar_success') throw new Error(`${at}: a success answer needs the write applied (apply: true)`);
  });
}

/** Draws lost-answer faults; `times` counts the writes actually hit. Reset whenever faults are set. */
export class LostAnswerDraw {
  private readonly used: number[];

  constructor(
    private readonly faults: readonly LostAnswerFault[],
    private readonly random: () => number,
  ) {
    this.used = faults.map(() => 0);
  }

  /** The first fault matching this write (and drawn by its rate), or null; does not use up `times`. */
  draw(call: WriteCall): { fault: LostAnswerFault; index: number } | null {
    for (const [index, fault] of this.faults.entries()) {
      if (fault.times !== undefined && this.used[index]! >= fault.times) continue;
      if (fault.methods && !fault.methods.includes(call.method)) continue;
      if (fault.orderNos && !call.rows.some((r) => fault.orderNos!.includes(r.orderNo))) continue;
      const rate = fault.rate ?? 1;
      if (rate < 1 && !(this.random() < rate)) continue;
      return { fault, index };
    }
    return null;
  }

  /** The fault took effect on a write. */
  use(index: number): void {
    this.used[index] = (this.used[index] ?? 0) + 1;
  }
}

export function newLostAnswerDraw(faults: readonly LostAnswerFault[] | undefined, random: Random): LostAnswerDraw {
  return new LostAnswerDraw(faults ?? [], random);
}

/** One WriteAttempt per row of the call, with the orders' state on arrival; added to `log`. */
export function beginWriteAttempts(call: WriteCall, callSeq: number, at: Date, shopName: string | null, state: SimulatorState, log: WriteAttempt[]): WriteAttempt[] {
  const attempts = call.rows.map((row): WriteAttempt => {
    const order = state.order(row.orderNo);
    return {
      callSeq,
      at,
      method: call.method,
      kind: call.kind,
      shopName,
      orderNo: row.orderNo,
      trackingNo: row.trackingNo,
      applied: false,
      resultCode: null,
      answer: 'answered',
      shippedBefore: (order?.shippingStatus ?? 0) >= 4,
      cancelledBefore: Boolean(order?.cancelledAt),
    };
  });
  log.push(...attempts);
  return attempts;
}

/** Fills in what the simulator did with each row, from the answer it produced. Returns whether any row was applied. */
export function settleWriteAttempts(attempts: WriteAttempt[], envelope: Record<string, unknown>): boolean {
  const code = typeof envelope.ResultCode === 'number' ? envelope.ResultCode : typeof envelope.ErrorCode === 'number' ? envelope.ErrorCode : null;
  const rowResults = Array.isArray(envelope.ResultObject) ? (envelope.ResultObject as Array<{ OrderNo?: string; result_cd?: number }>) : null;
  attempts.forEach((attempt, i) => {
    if (attempt.method === 'ShippingBasic.SetSendingInfoBulk' && code === 0 && rowResults) {
      const rowCode = rowResults[i]?.result_cd;
      attempt.resultCode = typeof rowCode === 'number' ? rowCode : null;
    } else {
      attempt.resultCode = code;
    }
    attempt.applied = attempt.resultCode === 0;
  });
  return attempts.some((a) => a.applied);
}
