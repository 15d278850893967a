import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

// A fixed namespace for shop locks; the second key is derived from the shop id.
const SHOP_LOCK_NAMESPACE = 7_310_422;

export type LockResult<T> = { locked: true; value: T } | { locked: false };

/**
 * One holder at a time works on a shop's outbox and requests. Two ways in, excluding each other
 * through one row per shop in `shop_leases` (expires_at renewed while the holder works):
 *
 * - withLease (queued poll jobs): one short statement takes the lease, a timer renews it; no
 *   connection is held, so it works behind PgBouncer in transaction mode. A holder that dies stops
 *   renewing and the lease lapses after `leaseMs`, so whoever takes it knows any action still marked
 *   'sending' was left by a dead run.
 * - withLock (people's actions, `poll --once`): a PostgreSQL session advisory lock on a dedicated
 *   connection, as before, plus the lease. Holding the session lock proves the previous session
 *   holder is gone, so its leftover 'session' lease row is taken over at once (a SIGKILLed
 *   `poll --once` never blocks the next one). Needs a direct or session-mode connection.
 */
export class ShopLock {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leaseMs: number = 30_000,
  ) {}

  /**
   * Runs `work` holding the shop's session lock and its lease. `waitMs` 0: give up at once when
   * another holder has the shop (returns { locked: false }); otherwise wait up to that long.
   */
  async withLock<T>(shopId: string, waitMs: number, work: () => Promise<T>): Promise<LockResult<T>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const deadline = Date.now() + waitMs;
      let holder: string | null = null;
      for (;;) {
        const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [SHOP_LOCK_NAMESPACE, shopId]);
        if (locked) {
          holder = await this.takeLease(shopId, 'session');
          if (holder) break;
          await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SHOP_LOCK_NAMESPACE, shopId]);
        }
        if (Date.now() >= deadline) return { locked: false };
        await new Promise((done) => setTimeout(done, 100));
      }
      try {
        return { locked: true, value: await this.holding(shopId, holder, () => work()) };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SHOP_LOCK_NAMESPACE, shopId]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Runs `work` holding the shop's lease only (no connection held); { locked: false } at once when
   * another holder has the shop. `lost` is raised when a renewal finds the lease gone (this holder
   * stalled longer than the lease): the work should stop as soon as it can.
   */
  async withLease<T>(shopId: string, work: (lost: AbortSignal) => Promise<T>): Promise<LockResult<T>> {
    const holder = await this.takeLease(shopId, 'lease');
    if (!holder) return { locked: false };
    return { locked: true, value: await this.holding(shopId, holder, work) };
  }

  /** The lease row, if free, lapsed, or (for a session-lock holder) left by a gone session holder. */
  private async takeLease(shopId: string, kind: 'lease' | 'session'): Promise<string | null> {
    const holder = randomUUID();
    const rows: Array<{ holder: string }> = await this.dataSource.query(
      `WITH taken AS (
         INSERT INTO shop_leases (shop_id, holder, kind, expires_at)
         VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (shop_id) DO UPDATE SET holder = EXCLUDED.holder, kind = EXCLUDED.kind, expires_at = EXCLUDED.expires_at
         WHERE shop_leases.expires_at < now() OR (EXCLUDED.kind = 'session' AND shop_leases.kind = 'session')
         RETURNING holder)
       SELECT holder FROM taken`,
      [shopId, holder, kind, this.leaseMs],
    );
    return rows.length > 0 ? holder : null;
  }

  private async holding<T>(shopId: string, holder: string, work: (lost: AbortSignal) => Promise<T>): Promise<T> {
    const lost = new AbortController();
    const renew = setInterval(() => {
      this.dataSource
        .query(
          `WITH renewed AS (UPDATE shop_leases SET expires_at = now() + $3 * interval '1 millisecond' WHERE shop_id = $1 AND holder = $2 RETURNING 1)
           SELECT 1 FROM renewed`,
          [shopId, holder, this.leaseMs],
        )
        .then((rows: unknown[]) => {
          if (rows.length === 0) lost.abort(new Error('shop lease lost'));
        })
        .catch(() => undefined); // a failed renewal is retried on the next beat; the lease lapses only after leaseMs
    }, Math.max(200, Math.floor(this.leaseMs / 3)));
    try {
      return await work(lost.signal);
    } finally {
      clearInterval(renew);
      await this.dataSource.query('DELETE FROM shop_leases WHERE shop_id = $1 AND holder = $2', [shopId, holder]).catch(() => undefined);
    }
  }
}
