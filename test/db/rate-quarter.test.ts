// The quarterly rate, the penalty tier, the paid cohort and the quarterly alerts, on PostgreSQL,
// written through the same repositories the poll uses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Order, Shop } from '../../src/domain/types';
import { rateReportToJson } from '../../src/services/rate-report';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, cancelOrder, rateWorld, someOrders, type RateWorld } from './rate-fixtures';

const HOUR_MS = 3_600_000;
/** 2026-11-15 12:00 JST. */
const NOW = new Date('2026-11-15T03:00:00Z');
const at = (iso: string) => new Date(iso);

describe('the quarter beside the month', () => {
  let db: TestDatabase;
  let world: RateWorld;
  let shop: Shop;
  before(async () => {
    db = await createTestDatabase();
    world = rateWorld(db.dataSource, () => NOW);
    shop = await aShop(world, 'Quarter');
    // Q3: 100 September orders, 16 counted cancels (16 %: over 15 %).
    const september = someOrders(100, at('2026-09-01T01:00:00Z'));
    // Q4 so far: 100 October and 100 November orders.
    const october = someOrders(100, at('2026-10-05T01:00:00Z'));
    const november = someOrders(100, at('2026-11-05T01:00:00Z'));
    await world.orders.upsertOrders(shop.id, [...september, ...october, ...november]);
    for (const order of september.slice(0, 16)) await cancelOrder(world, shop.id, order, 10, 'buyer');
    for (const order of october.slice(0, 5)) await cancelOrder(world, shop.id, order, 10, 'seller_fault');
    for (const order of november.slice(0, 8)) await cancelOrder(world, shop.id, order, 10, 'buyer');
    for (const order of november.slice(8, 10)) await cancelOrder(world, shop.id, order, 2, 'buyer');
  });
  after(async () => {
    await db.drop();
  });

  test('reports the quarter to date, the previous quarter and the tier in force', async () => {
    const report = await world.rates.monthlyRate(shop.id);
    const q = report.quarter;
    assert.equal(q.period, '2026-Q4');
    assert.deepEqual([q.orders, q.countedCancels, q.excludedCancels], [200, 13, 2]);
    assert.equal(q.rate, 0.065);
    assert.deepEqual([q.headroom10, q.headroom15], [7, 17]);
    assert.equal(q.sellerFaultRate, 5 / 200);
    assert.deepEqual(
      { period: q.previous.period, orders: q.previous.orders, counted: q.previous.countedCancels, tier: q.previous.tier },
      { period: '2026-Q3', orders: 100, counted: 16, tier: 'listing_limited' },
    );
    assert.equal(q.twoQuartersRisk, true);
    assert.equal(q.tier, 'ok');
    assert.equal(report.penaltyTier, 'listing_limited');
    assert.deepEqual([report.sellerFaultCancels, report.sellerFaultRate], [0, 0]);
  });

  test('rate --json and /api/cancel-rate name the fields as agreed', async () => {
    const json = rateReportToJson(await world.rates.monthlyRate(shop.id));
    assert.deepEqual(
      Object.fromEntries(['period', 'orders', 'countedCancels', 'excludedCancels', 'rate', 'headroom10', 'headroom15', 'projectedRate'].map((key) => [key, key in json.quarter])),
      { period: true, orders: true, countedCancels: true, excludedCancels: true, rate: true, headroom10: true, headroom15: true, projectedRate: true },
    );
    assert.equal(json.quarter.period, '2026-Q4');
    assert.equal(json.penaltyTier, 'listing_limited');
    assert.equal(json.sellerFaultRate, 0);
    assert.equal(json.definition.cohort, 'completed_in_period');
    assert.equal(json.definition.countingUnit, 'order_line');
    assert.match(json.definition.text, /completed in the month/);
  });

  test('the count tables equal a recount from the raw rows, for months and quarters', async () => {
    for (const period of ['2026-09', '2026-10', '2026-11', '2026-Q3', '2026-Q4']) {
      const recount = await world.rates.recountFromScratch(shop.id, period);
      assert.deepEqual(recount.differences, [], `${period}: ${recount.differences.join('; ')}`);
      assert.ok(recount.scanned.orders > 0, `${period} has orders to compare`);
    }
  });

  test('a recount notices a cancel whose counts were not kept', async () => {
    await db.dataSource.query(
      `UPDATE cancel_totals SET counted = counted - 1 WHERE shop_id = $1 AND cancel_month = '2026-10' AND cause = 'seller_fault'`,
      [shop.id],
    );
    try {
      const recount = await world.rates.recountFromScratch(shop.id, '2026-Q4');
      assert.equal(recount.consistent, false);
      assert.ok(recount.differences.includes('countedCancels: aggregate 12, scan 13'), recount.differences.join('; '));
    } finally {
      await db.dataSource.query(
        `UPDATE cancel_totals SET counted = counted + 1 WHERE shop_id = $1 AND cancel_month = '2026-10' AND cause = 'seller_fault'`,
        [shop.id],
      );
    }
  });
});

describe('the paid cohort: cancels of orders paid in the period and cancelled within it', () => {
  let db: TestDatabase;
  let shop: Shop;
  before(async () => {
    db = await createTestDatabase();
    const world = rateWorld(db.dataSource, () => NOW);
    shop = await aShop(world, 'Cohort');
    // Paid in October, cancelled in November.
    const octoberPaid = someOrders(40, at('2026-10-20T01:00:00Z'));
    // Placed 23:30 JST on Oct 31, paid 00:10 JST on Nov 1: November's paid cohort.
    const lateEvening = someOrders(10, at('2026-10-31T14:30:00Z'), { paidAt: at('2026-10-31T15:10:00Z') });
    // Placed and paid in November; 10 never paid.
    const november: Order[] = [...someOrders(50, at('2026-11-03T01:00:00Z')), ...someOrders(10, at('2026-11-04T01:00:00Z'), { paidAt: null })];
    // Seen unpaid in October, paid on Nov 2 when a later poll sees them again.
    const paidLater = someOrders(5, at('2026-10-30T01:00:00Z'), { paidAt: null });
    await world.orders.upsertOrders(shop.id, [...octoberPaid, ...lateEvening, ...november, ...paidLater]);
    await world.orders.upsertOrders(shop.id, paidLater.map((order) => ({ ...order, paidAt: at('2026-11-02T01:00:00Z') })));
    for (const order of octoberPaid.slice(0, 4)) await cancelOrder(world, shop.id, order, 24 * 14, 'buyer'); // cancelled Nov 3
    for (const order of lateEvening.slice(0, 3)) await cancelOrder(world, shop.id, order, 30, 'seller_fault');
    for (const order of november.slice(0, 5)) await cancelOrder(world, shop.id, order, 8, 'buyer');
    for (const order of november.slice(50, 52)) await cancelOrder(world, shop.id, order, 9, 'buyer'); // unpaid
  });
  after(async () => {
    await db.drop();
  });

  test('differs from cancels completed in the month, and says which it is', async () => {
    const completed = await rateWorld(db.dataSource, () => NOW).rates.monthlyRate(shop.id, '2026-11');
    // Orders placed in November: 60 (the 5 paid later were placed in October); counted cancels completed in November: 4 + 3 + 5 + 2.
    assert.deepEqual([completed.orders, completed.countedCancels], [60, 14]);
    const cohort = await rateWorld(db.dataSource, () => NOW, { settings: { cohort: 'paid_cohort' } }).rates.monthlyRate(shop.id, '2026-11');
    // Orders paid in November: 10 late-evening + 50 + 5 paid later; their cancels within November: 3 + 5.
    assert.deepEqual([cohort.orders, cohort.countedCancels], [65, 8]);
    assert.equal(cohort.cohort, 'paid_cohort');
    assert.match(cohort.definition, /paid in the period and cancelled within it/);
    const quarter = cohort.quarter;
    // The quarter's cohort: every order paid in Q4 (40 + 10 + 50 + 5), every cancel of them within Q4 (4 + 3 + 5).
    assert.deepEqual([quarter.orders, quarter.countedCancels], [105, 12]);
  });

  for (const settings of [{ cohort: 'paid_cohort' as const }, { cohort: 'completed_in_period' as const, denominator: 'orders_paid' as const }]) {
    test(`the count tables equal a recount (${JSON.stringify(settings)})`, async () => {
      const rates = rateWorld(db.dataSource, () => NOW, { settings }).rates;
      for (const period of ['2026-10', '2026-11', '2026-Q4']) {
        const recount = await rates.recountFromScratch(shop.id, period);
        assert.deepEqual(recount.differences, [], `${period}: ${recount.differences.join('; ')}`);
      }
    });
  }
});

describe('quarterly alerts and the first day of a month', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  test('one alert per tier per quarter: over 10 % once, then over 15 % once', async () => {
    let now = NOW;
    const world = rateWorld(db.dataSource, () => now);
    const shop = await aShop(world, 'Quarter alerts');
    const orders = someOrders(100, at('2026-10-10T01:00:00Z'));
    await world.orders.upsertOrders(shop.id, orders);
    for (const order of orders.slice(0, 11)) await cancelOrder(world, shop.id, order, 10);
    const quarterKeys = async () =>
      (await world.rates.checkRateAlerts(shop, now)).filter((alert) => alert.kind === 'rate_quarter').map((alert) => [alert.dedupeKey.split(':').pop(), alert.severity]);

    assert.deepEqual(await quarterKeys(), [['mega_wari_barred', 'warning']]);
    now = new Date(NOW.getTime() + HOUR_MS);
    assert.deepEqual(await quarterKeys(), [], 'the same tier is not raised again in the quarter');
    for (const order of orders.slice(11, 16)) await cancelOrder(world, shop.id, order, 10);
    assert.deepEqual(await quarterKeys(), [['listing_limited', 'critical']]);
    assert.deepEqual(await quarterKeys(), []);
    const stored = await db.dataSource.query(`SELECT dedupe_key, subject FROM alerts WHERE shop_id = $1 AND kind = 'rate_quarter' ORDER BY id`, [shop.id]);
    assert.deepEqual(stored.map((row: { dedupe_key: string }) => row.dedupe_key), [
      `quarter:${shop.id}:2026-Q4:mega_wari_barred`,
      `quarter:${shop.id}:2026-Q4:listing_limited`,
    ]);
    assert.match(stored[1].subject, /15 %/);
  });

  test('a small shop under 50 % gets no quarterly alert', async () => {
    const world = rateWorld(db.dataSource, () => NOW);
    const shop = await aShop(world, 'Small');
    const orders = someOrders(8, at('2026-10-10T01:00:00Z'));
    await world.orders.upsertOrders(shop.id, orders);
    for (const order of orders.slice(0, 3)) await cancelOrder(world, shop.id, order, 10); // 37.5 %
    const raised = await world.rates.checkRateAlerts(shop, NOW);
    assert.deepEqual(raised.filter((alert) => alert.kind === 'rate_quarter'), []);
  });

  test('late cancels of last month raise no critical alert on the 1st; real ones later that day do', async () => {
    // 2026-11-01 00:30 JST.
    let now = at('2026-10-31T15:30:00Z');
    const world = rateWorld(db.dataSource, () => now);
    const shop = await aShop(world, 'Month start');
    // October: 3,100 orders (100 a day on average).
    const october = someOrders(3100, at('2026-10-01T00:00:00Z'));
    await world.orders.upsertOrders(shop.id, october);
    // November so far: 3 orders; two October orders cancelled at 00:10 JST on Nov 1 (they count in November).
    await world.orders.upsertOrders(shop.id, someOrders(3, at('2026-10-31T15:01:00Z')));
    for (const order of october.slice(-2)) {
      await world.cancels.recordCancel(shop.id, {
        orderNo: order.orderNo, orderedAt: order.orderedAt, cancelledAt: at('2026-10-31T15:10:00Z'), cause: 'buyer',
        itemKey: order.itemNo, itemTitle: order.itemTitle, source: 'qoo10',
      });
    }
    const report = await world.rates.monthlyRate(shop.id);
    assert.equal(report.rate, 2 / 3, 'the figure itself is shown as it is');
    assert.deepEqual((await world.rates.checkRateAlerts(shop, now)).filter((alert) => alert.kind === 'rate_level'), []);

    // 12:00 JST the same day: twelve counted cancels against one average day (100 orders) is 12 %: critical.
    now = at('2026-11-01T03:00:00Z');
    for (const order of october.slice(-12, -2)) {
      await world.cancels.recordCancel(shop.id, {
        orderNo: order.orderNo, orderedAt: order.orderedAt, cancelledAt: at('2026-11-01T02:00:00Z'), cause: 'buyer',
        itemKey: order.itemNo, itemTitle: order.itemTitle, source: 'qoo10',
      });
    }
    const raised = (await world.rates.checkRateAlerts(shop, now)).filter((alert) => alert.kind === 'rate_level');
    assert.deepEqual(raised.map((alert) => [alert.dedupeKey.split(':').pop(), alert.severity]), [
      ['0.05', 'critical'],
      ['0.06', 'critical'],
      ['0.07', 'critical'],
    ]);
  });
});
