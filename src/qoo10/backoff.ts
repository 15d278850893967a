/**
 * Capped exponential backoff with full jitter: a uniform wait in [0, min(cap, base · 2^attempt)) ms.
 * `attempt` counts from 0 for the wait after the first failure. Full jitter spreads retries of many shops
 * that failed together (a Qoo10 outage) instead of having them return in lockstep.
 */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
