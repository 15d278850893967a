import type { DataSource } from 'typeorm';

/**
 * Child processes in the crash and chaos harnesses hold shop leases this long. A SIGKILLed run's lease is
 * not released: it lapses this long after its last renewal (ADR 0021), so the harness waits for that.
 */
export const HARNESS_SHOP_LEASE_SECONDS = '3';

/**
 * Waits until no shop lease is live any more (a SIGKILLed process's leases lapse by themselves), so the
 * next run finds its shops free instead of skipping them. Bounded generously: a lease that never lapses
 * fails the test with a clear message instead of hanging it.
 */
export async function leasesLapsed(dataSource: DataSource, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ live }] = await dataSource.query(`SELECT count(*)::int AS live FROM shop_leases WHERE expires_at >= now()`);
    if (live === 0) return;
    if (Date.now() > deadline) throw new Error(`${live} shop lease(s) still live after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
