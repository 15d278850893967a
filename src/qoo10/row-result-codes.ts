// What a per-row result code of a Qoo10 write (SetSendingInfoBulk's result_cd) means for the row. Qoo10
// publishes no per-row code list (qoo10-api.md): the method-specific codes it documents for writes are
// -10001 bad input, -10002 not found, -10003 another seller's order, -10004 wrong order state, and the
// common ones concern the whole call (key, routing). Any other non-zero code is read as TRANSIENT (the
// row was refused for now, e.g. the simulator's -10005 "temporary failure"): UNCONFIRMED, kept here.

/**
 * applied: Qoo10 took the row. call_level: the call itself was refused (key, routing), nothing applied.
 * rejected: Qoo10 refused the row for good; only a person's correction sends it again.
 * transient: refused for now; may be sent again, a bounded number of times.
 */
export type RowResultKind = 'applied' | 'call_level' | 'rejected' | 'transient';

/** The documented method-specific refusals of a write: bad input, not found, another seller, wrong state. */
export const DEFINITE_ROW_REFUSALS: readonly number[] = [-10001, -10002, -10003, -10004];

export function classifyRowResultCode(code: number): RowResultKind {
  if (code === 0) return 'applied';
  if (code === -10000 || code <= -90000) return 'call_level';
  if (DEFINITE_ROW_REFUSALS.includes(code)) return 'rejected';
  return 'transient';
}
