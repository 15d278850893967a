// The decision's guards against an untrusted fresh read (issue 13, defect 3). Kept out of
// decision-service.ts so its flow stays readable: the service calls these at two points.
import type { Decision, OrderSnapshot } from '../domain/types';
import { isSettled } from '../domain/decide';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import { Qoo10MalformedResponseError } from '../qoo10/errors';
import { REOPENED_OUTCOME, type CancelRequestRecord } from '../persistence/cancel-request-repository';

/**
 * The fresh read, or the fault when Qoo10 answered with a row the service cannot read (a missing or
 * unknown claimStatus, a field of the wrong type). A transport failure still throws: the cycle fails
 * and the request is decided again next time, as before.
 */
export async function readFreshOrder(
  client: Qoo10Client,
  orderNo: string,
  signal?: AbortSignal,
): Promise<{ snapshot: OrderSnapshot | null; fault: string | null }> {
  try {
    return { snapshot: await client.getOrderSnapshot(orderNo, signal), fault: null };
  } catch (error) {
    if (error instanceof Qoo10MalformedResponseError) return { snapshot: null, fault: error.message };
    throw error;
  }
}

/** An unreadable fresh read means "unknown": a person decides, with the fault as the reason; never closed. */
export function unreadableFreshRead(decision: Decision, fault: string): Decision {
  return {
    ...decision,
    kind: 'review',
    code: 'fresh_read_unreadable',
    reason: `Qoo10's fresh read of this order could not be understood (${fault}); whether the request is still pending is unknown. Check it in QSM.`,
    suggested: decision.kind === 'review' ? decision.suggested : decision.kind,
    trail: [...decision.trail, { rule: 'fresh-read-readable', note: fault }],
  };
}

/**
 * A request reopened because Qoo10's list shows it pending again, while the fresh read still says it
 * is not: the two disagree, so a person looks instead of the request being closed (and reopened)
 * every cycle.
 */
export function reopenedConflict(request: CancelRequestRecord, decision: Decision): Decision {
  if (request.outcome !== REOPENED_OUTCOME || !isSettled(decision)) return decision;
  return {
    ...decision,
    kind: 'review',
    code: 'pending_state_conflict',
    reason:
      "Qoo10's request list shows this cancel request as pending, but a fresh read of the order says it is not. " +
      'It was closed once and listed again; check it in QSM and answer it there if it is still open.',
    trail: [...decision.trail, { rule: 'listed-again-as-pending', note: 'Reopened: the request list shows it pending again.' }],
  };
}
