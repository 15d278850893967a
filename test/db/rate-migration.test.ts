// The count tables migration on a database that already holds orders and cancels: the counts are
// filled from the rows, and the report equals a recount afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logger';
import { MIGRATIONS_DIR, runMigrations } from '../../src/persistence/migrations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { rateWorld } from './rate-fixtures';

const THIS_MIGRATION = '20261201104000';
const NOW = new Date('2026-11-20T03:00:00Z');

describe('migrating a database with cancels to the count tables', () => {
  let db: TestDatabase;
  let earlier: string;
  let shopId: string;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
    earlier = mkdtempSync(join(tmpdir(), 'cg-migrations-'));
    for (const file of readdirSync(MIGRATIONS_DIR).filter((name) => name.endsWith('.sql') && name.slice(0, 14) < THIS_MIGRATION)) {
      copyFileSync(join(MIGRATIONS_DIR, file), join(earlier, file));
    }
    await runMigrations(db.dataSource, silentLogger(), earlier);
    const [shop] = await db.dataSource.query(`INSERT INTO shops (name) VALUES ('既存の店') RETURNING id`);
    shopId = shop.id;
    // 30 November orders (the last 3 unpaid, one paid on Dec 1 JST), as the old code stored them.
    await db.dataSource.query(
      `INSERT INTO orders (shop_id, order_no, pack_no, ordered_at, order_month, paid_at, item_no, item_title)
       SELECT $1, 'M' || g, 'M' || g, timestamptz '2026-11-10T01:00:00Z' + g * interval '1 hour', '2026-11',
         CASE WHEN g > 27 THEN NULL WHEN g = 27 THEN timestamptz '2026-11-30T15:30:00Z' ELSE timestamptz '2026-11-10T01:05:00Z' + g * interval '1 hour' END,
         'I' || (g % 3), 'Item ' || (g % 3)
       FROM generate_series(1, 30) AS g`,
      [shopId],
    );
    await db.dataSource.query(
      `INSERT INTO monthly_order_counts (shop_id, month, orders_placed, orders_paid) VALUES ($1, '2026-11', 30, 27)`,
      [shopId],
    );
    // Six cancels: four counted, two excluded (< 6 h); two booked by our action.
    await db.dataSource.query(
      `INSERT INTO cancels (shop_id, order_no, ordered_at, cancelled_at, order_month, cancel_month, cause, counted, item_key, item_title, source)
       SELECT $1, o.order_no, o.ordered_at, o.ordered_at + (CASE WHEN g <= 4 THEN 10 ELSE 2 END) * interval '1 hour', '2026-11', '2026-11',
         CASE WHEN g % 2 = 0 THEN 'seller_fault' ELSE 'buyer' END, g <= 4, o.item_no, o.item_title, CASE WHEN g <= 2 THEN 'action' ELSE 'qoo10' END
       FROM generate_series(1, 6) AS g JOIN orders o ON o.shop_id = $1 AND o.order_no = 'M' || g`,
      [shopId],
    );
    await runMigrations(db.dataSource, silentLogger());
  });
  after(async () => {
    await db.drop();
    rmSync(earlier, { recursive: true, force: true });
  });

  test('fills the counts from the rows: the report equals a recount, for each definition', async () => {
    for (const settings of [{}, { denominator: 'orders_paid' as const }, { cohort: 'paid_cohort' as const }]) {
      const rates = rateWorld(db.dataSource, () => NOW, { settings }).rates;
      for (const period of ['2026-11', '2026-12', '2026-Q4']) {
        const recount = await rates.recountFromScratch(shopId, period);
        assert.deepEqual(recount.differences, [], `${JSON.stringify(settings)} ${period}: ${recount.differences.join('; ')}`);
      }
    }
    const report = await rateWorld(db.dataSource, () => NOW).rates.monthlyRate(shopId, '2026-11');
    assert.deepEqual([report.orders, report.countedCancels, report.excludedCancels], [30, 4, 2]);
    const cohort = await rateWorld(db.dataSource, () => NOW, { settings: { cohort: 'paid_cohort' } }).rates.monthlyRate(shopId, '2026-11');
    assert.equal(cohort.orders, 26, 'orders paid in November by payment time (one was paid on Dec 1 JST)');
  });

  test('marks what our action booked as our cause and our send time, the rest as Qoo10’s', async () => {
    const rows: Array<{ source: string; time_source: string; cause_source: string }> = await db.dataSource.query(
      `SELECT DISTINCT source, time_source, cause_source FROM cancels WHERE shop_id = $1 ORDER BY source`,
      [shopId],
    );
    assert.deepEqual(rows, [
      { source: 'action', time_source: 'sent', cause_source: 'decision' },
      { source: 'qoo10', time_source: 'qoo10', cause_source: 'qoo10' },
    ]);
  });
});
