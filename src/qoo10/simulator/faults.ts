// Fault injection for the simulator, switchable per run (setFaults) and deterministic: every random draw
// comes from a PRNG seeded with `seed`, reset whenever faults are set. Transport faults are decided before
// a call is handled, so a faulted write is never applied (the request is "lost" on the way in).
import { seededRandom, type Random } from './prng';
import { newLostAnswerDraw, validateLostAnswers, type LostAnswerDraw, type LostAnswerFault, type WriteCall } from './write-faults';

export type MalformedKind = 'truncated_json' | 'html' | 'no_result_code' | 'result_object_scalar';

export interface SimulatorFaults {
  /** Added to every answer, ms. */
  latencyMs?: number;
  /** Share of calls [0, 1] never answered (the client times out). */
  timeoutRate?: number;
  /** Share of calls answered HTTP 500 with a text body. */
  http500Rate?: number;
  /** Share of calls answered HTTP 200 with a body that is not a valid envelope. */
  malformedRate?: number;
  /** Which malformed body; default: drawn from all kinds. */
  malformedKind?: MalformedKind;
  /** Share of calls answered `{ErrorCode, ErrorMsg}`. */
  errorCodeShapeRate?: number;
  /** The ErrorCode of those answers; default -90001 (no such API). */
  errorCodeShapeCode?: number;
  /** Every call with a seller key answers -90004 (key expired). */
  expiredKey?: boolean;
  /** Share of SetSendingInfoBulk rows failing with result_cd -10005 (partial success). */
  bulkPartialFailureRate?: number;
  /**
   * When a GetShippingAndClaimInfoByOrderNo_V2 read shows an unshipped order, the seller ships it (out of
   * band) right before the next write on that order, as if the parcel left between read and write.
   */
  shipBetweenReadAndWrite?: boolean;
  /** How long an unanswered call is held before the connection is dropped, ms. Default 30 000. */
  timeoutHoldMs?: number;
  /** "Apply, then lose the answer" on write methods (write-faults.ts); the first matching entry wins. */
  lostAnswers?: LostAnswerFault[];
  /** PRNG seed; default 1. */
  seed?: number;
}

export type TransportFault =
  | { kind: 'timeout' }
  | { kind: 'http500' }
  | { kind: 'malformed'; variant: MalformedKind }
  | { kind: 'error_code_shape'; code: number };

const MALFORMED_KINDS: readonly MalformedKind[] = ['truncated_json', 'html', 'no_result_code', 'result_object_scalar'];

/** The result_cd of a row failed by bulkPartialFailureRate. */
export const BULK_ROW_FAILURE_CODE = -10005;

export class FaultInjector {
  private faults: SimulatorFaults = {};
  private random: Random = seededRandom(1);
  private lostAnswers: LostAnswerDraw = newLostAnswerDraw([], this.random);

  constructor(faults: SimulatorFaults = {}) {
    this.set(faults);
  }

  set(faults: SimulatorFaults): void {
    for (const key of ['timeoutRate', 'http500Rate', 'malformedRate', 'errorCodeShapeRate', 'bulkPartialFailureRate'] as const) {
      const rate = faults[key];
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new Error(`fault ${key} must be within [0, 1]`);
    }
    validateLostAnswers(faults.lostAnswers);
    this.faults = { ...faults };
    this.random = seededRandom(faults.seed ?? 1);
    this.lostAnswers = newLostAnswerDraw(faults.lostAnswers, this.random);
  }

  get current(): Readonly<SimulatorFaults> {
    return this.faults;
  }

  /** Draws the transport fault of one call, if any (at most one per call). */
  nextTransportFault(): TransportFault | null {
    const f = this.faults;
    if (this.hit(f.timeoutRate)) return { kind: 'timeout' };
    if (this.hit(f.http500Rate)) return { kind: 'http500' };
    if (this.hit(f.malformedRate)) {
      const variant = f.malformedKind ?? MALFORMED_KINDS[Math.floor(this.random() * MALFORMED_KINDS.length)];
      return { kind: 'malformed', variant };
    }
    if (this.hit(f.errorCodeShapeRate)) return { kind: 'error_code_shape', code: f.errorCodeShapeCode ?? -90001 };
    return null;
  }

  /** The lost-answer fault of one write call, if any (see write-faults.ts). */
  nextLostAnswer(call: WriteCall): ReturnType<LostAnswerDraw['draw']> {
    return this.lostAnswers.draw(call);
  }

  /** A drawn lost-answer fault took effect (counts towards its `times`). */
  lostAnswerUsed(index: number): void {
    this.lostAnswers.use(index);
  }

  bulkRowFails(): boolean {
    return this.hit(this.faults.bulkPartialFailureRate);
  }

  private hit(rate: number | undefined): boolean {
    if (!rate) return false;
    return this.random() < rate;
  }
}

/** The body of a malformed answer (always HTTP 200, like Qoo10). */
export function malformedBody(kind: MalformedKind): { contentType: string; body: string } {
  switch (kind) {
    case 'truncated_json':
      return { contentType: 'application/json', body: '{"ResultCode":0,"ResultMsg":"SUCCESS","ResultObject":[{"orderNo":' };
    case 'html':
      return { contentType: 'text/html', body: '<html><body><h1>Service Unavailable</h1></body></html>' };
    case 'no_result_code':
      return { contentType: 'application/json', body: '{"Result":"OK","Data":[]}' };
    case 'result_object_scalar':
      return { contentType: 'application/json', body: '{"ResultCode":0,"ResultMsg":"SUCCESS","ResultObject":0}' };
  }
}
