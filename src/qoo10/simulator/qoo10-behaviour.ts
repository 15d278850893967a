// How the simulated Qoo10 behaves where the real one is not confirmed (README, "What is not confirmed about
// Qoo10"). Each shop has its own behaviour, so tests and `cancel-guard verify-live` can meet each unknown both
// ways; scenarios set it per shop (`qoo10Behaviour`), the demo and a shell change it at run time
// (POST /__sim/behaviour). The defaults are what qoo10-api.md documents or, where it says nothing, our guess.
//
// Also here: the QSM actions a person does by hand (キャンセル拒否), so tests can play the seller answering in QSM.

export interface Qoo10Behaviour {
  /**
   * Whether ShippingBasic.SetSendingInfo ends a pending cancel request (ClaimStat 1).
   * false (default, what Qoo10 documents): the order moves to 配送中 (4) but the request stays ClaimStat 1 until
   * the seller presses キャンセル拒否 in QSM. true: the request is gone at once (it no longer shows in
   * GetClaimInfo_V3, and the fresh read shows no claim).
   */
  shipConfirmEndsRequest: boolean;
}

export const DEFAULT_QOO10_BEHAVIOUR: Readonly<Qoo10Behaviour> = Object.freeze({
  shipConfirmEndsRequest: false,
});

const BOOLEAN_FIELDS = ['shipConfirmEndsRequest'] as const;

/** The full behaviour from a partial one (scenario or admin input). */
export function qoo10Behaviour(partial: Partial<Qoo10Behaviour> = {}): Qoo10Behaviour {
  return { ...DEFAULT_QOO10_BEHAVIOUR, ...partial };
}

/** Problems of a behaviour given as JSON, each with its path; empty when it is valid. */
export function behaviourIssues(input: unknown, path: string): string[] {
  if (input === undefined) return [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [`${path}: must be an object`];
  const issues: string[] = [];
  const known = new Set<string>(BOOLEAN_FIELDS);
  for (const [key, value] of Object.entries(input)) {
    if (!known.has(key)) issues.push(`${path}.${key}: is not a behaviour (known: ${[...known].join(', ')})`);
    else if (typeof value !== 'boolean') issues.push(`${path}.${key}: must be true or false`);
  }
  return issues;
}

/** Checks a behaviour given as JSON and returns it, or throws with every problem. */
export function parseBehaviour(input: unknown, path = 'behaviour'): Partial<Qoo10Behaviour> {
  const issues = behaviourIssues(input, path);
  if (issues.length > 0) throw new Error(issues.join('; '));
  return (input ?? {}) as Partial<Qoo10Behaviour>;
}
