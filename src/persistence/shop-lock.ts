import type { DataSource } from 'typeorm';

// A fixed namespace for shop locks; the second key is derived from the shop id.
const SHOP_LOCK_NAMESPACE = 7_310_422;

/**
 * One process at a time works on a shop's outbox and requests: a PostgreSQL session advisory lock
 * held on a dedicated connection. A process that dies loses its connection and with it the lock,
 * so whoever holds the lock knows that any action still marked 'sending' was left by a dead run.
 */
export class ShopLock {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` holding the shop's lock. `waitMs` 0: give up at once when another process holds it
   * (returns { locked: false }); otherwise wait up to that long.
   */
  async withLock<T>(shopId: string, waitMs: number, work: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [SHOP_LOCK_NAMESPACE, shopId]);
        if (locked) break;
        if (Date.now() >= deadline) return { locked: false };
        await new Promise((done) => setTimeout(done, 100));
      }
      try {
        return { locked: true, value: await work() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SHOP_LOCK_NAMESPACE, shopId]);
      }
    } finally {
      await runner.release();
    }
  }
}
