import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export type LockResult<T> = { locked: true; value: T } | { locked: false };

/** How often a holder waiting in withLock tries the lease again. */
const RETRY_MS = 200;

/**
 * One holder at a time works on a shop's outbox and requests: one row per shop in `shop_leases`
 * (holder, expires_at). The lease is taken in one short statement and renewed by a timer while the
 * holder works; no connection and no session state is held in between, so it works behind PgBouncer
 * in transaction mode (ADR 0021). A holder that dies stops renewing and its lease lapses after
 * `leaseMs`; whoever takes the shop after that knows any action still marked 'sending' was left by a
 * dead run (ADR 0004). A holder whose renewal finds the lease gone (it stalled longer than `leaseMs`)
 * is told through the `lost` signal and should stop as soon as it can.
 *
 * A released lease keeps its row, expired ('-infinity'), and the next holder takes it by updating the
 * row: no row is inserted or deleted per job (each insert also checked the shops foreign key, and each
 * delete left a dead row and index entries behind). Holder and expiry are in no index, so taking and
 * releasing are HOT updates when the page has room (the table's fillfactor leaves it). A live lease is a
 * row whose expires_at is in the future.
 *
 * - withLease (queued poll jobs): take it or move on.
 * - withLock (people's actions, a tracking send, verify-live, `poll --once`): wait up to `waitMs` for it.
 */
export class ShopLock {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leaseMs: number = 30_000,
  ) {}

  /**
   * Runs `work` holding the shop's lease. `waitMs` 0: give up at once when another holder has the shop
   * (returns { locked: false }); otherwise try again until the lease is free or lapsed, for at most
   * `waitMs` (a lease left by a process that died is free `leaseMs` after its last renewal).
   */
  async withLock<T>(shopId: string, waitMs: number, work: (lost: AbortSignal) => Promise<T>): Promise<LockResult<T>> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const holder = await this.takeLease(shopId);
      if (holder) return { locked: true, value: await this.holding(shopId, holder, work) };
      const left = deadline - Date.now();
      if (left <= 0) return { locked: false };
      await new Promise((done) => setTimeout(done, Math.min(RETRY_MS, left)));
    }
  }

  /** Runs `work` holding the shop's lease; { locked: false } at once when another holder has the shop. */
  withLease<T>(shopId: string, work: (lost: AbortSignal) => Promise<T>): Promise<LockResult<T>> {
    return this.withLock(shopId, 0, work);
  }

  /** The lease row, when it is free or lapsed: the new holder's id, else null. */
  private async takeLease(shopId: string): Promise<string | null> {
    const holder = randomUUID();
    const rows: Array<{ holder: string }> = await this.dataSource.query(
      `WITH taken AS (
         INSERT INTO shop_leases (shop_id, holder, expires_at)
         VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (shop_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE shop_leases.expires_at < now()
         RETURNING holder)
       SELECT holder FROM taken`,
      [shopId, holder, this.leaseMs],
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
      // Committed without waiting for the disk (ADR 0026): a release lost in a database crash leaves the lease
      // to lapse after leaseMs, exactly as when its holder dies.
      await this.dataSource
        .query(
          `WITH no_flush AS (SELECT set_config('synchronous_commit', 'off', true))
           UPDATE shop_leases SET expires_at = '-infinity' FROM no_flush WHERE shop_id = $1 AND holder = $2`,
          [shopId, holder],
        )
        .catch(() => undefined);
    }
  }
}
