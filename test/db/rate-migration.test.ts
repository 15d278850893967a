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
    // 30 November orders (the last 3 unpaid, one paid on Dec 1 JST), as the old code stored them, in
    // carts P0 (M1), P1 (M2, M3), ..., P15 (M30).
    await db.dataSource.query(
      `INSERT INTO orders (shop_id, order_no, pack_no, ordered_at, order_month, paid_at, item_no, item_title)
       SELECT $1, 'M' || g, 'P' || (g / 2), timestamptz '2026-11-10T01:00:00Z' + g * interval '1 hour', '2026-11',
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
    // Two open requests: M10's (no cancel) and M3's (its cancel is booked).
    await db.dataSource.query(
      `INSERT INTO cancel_requests (shop_id, order_no, requested_at, status) VALUES ($1, 'M10', '2026-11-19T00:00:00Z', 'pending'),
         ($1, 'M3', '2026-11-19T00:00:00Z', 'review')`,
      [shopId],
    );
    await runMigrations(db.dataSource, silentLogger());
  });
  after(async () => {
    await db.drop();
    rmSync(earlier, { recursive: true, force: true });
  });

  test('fills the counts from the rows: the report equals a recount, for each definition', async () => {
    const definitions = [{}, { denominator: 'orders_paid' as const }, { cohort: 'paid_cohort' as const }];
    for (const settings of [...definitions, ...definitions.map((d) => ({ ...d, countingUnit: 'cart' as const }))]) {
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
    // By cart: 16 carts; P0 (M1) and P1 (M2, M3) counted, P2 (M4 counted, M5 excluded) counted, P3 (M6) excluded.
    const carts = await rateWorld(db.dataSource, () => NOW, { settings: { countingUnit: 'cart' } }).rates.monthlyRate(shopId, '2026-11');
    assert.deepEqual([carts.orders, carts.countedCancels, carts.excludedCancels], [16, 3, 1]);
  });

  test("keeps the order's facts on the open requests, and which ones have a cancel booked", async () => {
    const rows: Array<{ order_no: string; ordered_at: Date; item_key: string; pack_no: string; cancel_booked: boolean }> = await db.dataSource.query(
      `SELECT order_no, ordered_at, item_key, pack_no, cancel_booked FROM cancel_requests WHERE shop_id = $1 ORDER BY order_no`,
      [shopId],
    );
    assert.deepEqual(
      rows.map((row) => [row.order_no, row.ordered_at.toISOString(), row.item_key, row.pack_no, row.cancel_booked]),
      [
        ['M10', '2026-11-10T11:00:00.000Z', 'I1', 'P5', false],
        ['M3', '2026-11-10T04:00:00.000Z', 'I0', 'P1', true],
      ],
    );
    const report = await rateWorld(db.dataSource, () => NOW).rates.monthlyRate(shopId, '2026-11');
    assert.equal(report.pending.total, 1);
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
