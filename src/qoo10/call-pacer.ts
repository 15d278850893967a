// Politeness towards Qoo10: no published rate limit, integrators space calls 100–300 ms per key.
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds; rejects when `signal` aborts. Injected in tests to skip real waiting. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  await delay(ms, undefined, { signal });
};

/**
 * Keeps at least `minIntervalMs` between the starts of two calls with the same key, also when calls are
 * made concurrently: each call books the next free slot before it waits. Share one pacer between clients
 * that use the same key. Keys are held as fingerprints only.
 */
export class CallPacer {
  private readonly nextSlotMs = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly sleep: Sleep = realSleep,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async wait(keyFingerprint: string, signal?: AbortSignal): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    const now = this.nowMs();
    const slot = Math.max(now, this.nextSlotMs.get(keyFingerprint) ?? now);
    this.nextSlotMs.set(keyFingerprint, slot + this.minIntervalMs);
    if (slot > now) await this.sleep(slot - now, signal);
  }
}
