import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import type { Order, Shop } from '../../src/domain/types';
import { createDataSource } from '../../src/persistence/data-source';
import { ValidationFailedError } from '../../src/errors';
import { formatRateReport, rateReportToJson } from '../../src/services/rate-report';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, cancelOrder, rateWorld, requestCancel, someOrders, type RateWorld } from './rate-fixtures';

const HOUR_MS = 3_600_000;
/** 2026-11-15 12:00 JST. */
const NOW = new Date('2026-11-15T03:00:00Z');
/** 2026-11-01 00:00 JST, the first instant of the JST month. */
const NOVEMBER_START = new Date('2026-10-31T15:00:00Z');

describe('RateService on PostgreSQL', () => {
  let db: TestDatabase;
  let world: RateWorld;
  before(async () => {
    db = await createTestDatabase();
    world = rateWorld(db.dataSource, () => NOW);
  });
  after(async () => {
    await db.drop();
  });

  describe('running aggregates against a scan from scratch', () => {
    let shop: Shop;
    let november: Order[];
    before(async () => {
      shop = await aShop(world, 'Aggregates');
      // 200 November orders, the last 20 unpaid; 30 October orders; two at 23:30 JST on Oct 31.
      november = someOrders(200, NOVEMBER_START);
      for (const order of november.slice(180)) order.paidAt = null;
      const october = someOrders(30, new Date('2026-10-10T01:00:00Z'));
      const lastEvening = someOrders(2, new Date('2026-10-31T14:30:00Z'));
      // Polls see the same orders again: nothing may be counted twice.
      await world.orders.upsertOrders(shop.id, november.slice(0, 100));
      await world.orders.upsertOrders(shop.id, [...november, ...october, ...lastEvening]);
      // Five unpaid orders get paid later: the paid count follows, the placed count does not.
      await world.orders.upsertOrders(shop.id, november.slice(180, 185).map((order) => ({ ...order, paidAt: new Date(order.orderedAt.getTime() + HOUR_MS) })));

      for (const order of november.slice(0, 10)) await cancelOrder(world, shop.id, order, 7, 'buyer');
      for (const order of november.slice(10, 13)) await cancelOrder(world, shop.id, order, 1, 'buyer');
      for (const order of november.slice(13, 17)) await cancelOrder(world, shop.id, order, 30, 'seller_fault');
      await cancelOrder(world, shop.id, november[17]!, 6, 'shipping_delay'); // exactly 6 h: counts
      await cancelOrder(world, shop.id, october[0]!, 24 * 30, 'seller_fault'); // October order, cancelled in November
      await cancelOrder(world, shop.id, lastEvening[0]!, 40 / 60, 'buyer'); // 00:10 JST Nov 1, excluded
      await cancelOrder(world, shop.id, november[0]!, 2, 'seller_fault'); // a second report of a known cancel is ignored
    });

    test('counts the month from the maintained rows', async () => {
      const rate = await world.rates.monthlyRate(shop.id, '2026-11');
      assert.equal(rate.orders, 200);
      assert.equal(rate.countedCancels, 16);
      assert.equal(rate.excludedCancels, 4);
      assert.equal(rate.rate, 0.08);
      assert.deepEqual(rate.byReason, {
        buyer: { counted: 10, excluded: 4 },
        seller_fault: { counted: 5, excluded: 0 },
        shipping_delay: { counted: 1, excluded: 0 },
      });
      assert.equal(rate.status, 'over');
      assert.equal(rate.headroom, 0);
    });

    for (const [label, settings] of [
      ['orders placed, cancel month', { denominator: 'orders_placed' }],
      ['orders paid, cancel month', { denominator: 'orders_paid' }],
      ['orders placed, order month', { denominator: 'orders_placed', cancelMonthBasis: 'order_time' }],
      ['orders paid, order month', { denominator: 'orders_paid', cancelMonthBasis: 'order_time' }],
    ] as const) {
      test(`the aggregate equals recountFromScratch (${label})`, async () => {
        const rates = rateWorld(db.dataSource, () => NOW, { settings }).rates;
        for (const month of ['2026-10', '2026-11', '2026-12']) {
          const recount = await rates.recountFromScratch(shop.id, month);
          assert.deepEqual(recount.differences, [], `${month}: ${recount.differences.join('; ')}`);
          assert.equal(recount.consistent, true);
        }
      });
    }

    test('the paid denominator counts orders paid after their first sighting', async () => {
      const rates = rateWorld(db.dataSource, () => NOW, { settings: { denominator: 'orders_paid' } }).rates;
      assert.equal((await rates.monthlyRate(shop.id, '2026-11')).orders, 185);
      assert.equal((await rates.recountFromScratch(shop.id, '2026-11')).scanned.orders, 185);
    });

    test('under the order-month basis the late cancels of October orders count in October', async () => {
      const rates = rateWorld(db.dataSource, () => NOW, { settings: { cancelMonthBasis: 'order_time' } }).rates;
      const october = await rates.monthlyRate(shop.id, '2026-10');
      assert.equal(october.orders, 32);
      assert.equal(october.countedCancels, 1);
      assert.equal(october.excludedCancels, 1);
    });

    test('a recount notices a denominator that drifted from the orders', async () => {
      await db.dataSource.query(`UPDATE monthly_order_counts SET orders_placed = orders_placed + 1 WHERE shop_id = $1 AND month = '2026-11'`, [shop.id]);
      try {
        const recount = await world.rates.recountFromScratch(shop.id, '2026-11');
        assert.equal(recount.consistent, false);
        assert.deepEqual(recount.differences, ['orders: aggregate 201, scan 200']);
      } finally {
        await db.dataSource.query(`UPDATE monthly_order_counts SET orders_placed = orders_placed - 1 WHERE shop_id = $1 AND month = '2026-11'`, [shop.id]);
      }
    });

    test('history lists the last months oldest first, empty months as zero', async () => {
      const history = await world.rates.history(shop.id, 3);
      assert.deepEqual(
        history.map((entry) => [entry.month, entry.orders, entry.countedCancels, entry.excludedCancels]),
        [
          ['2026-09', 0, 0, 0],
          ['2026-10', 32, 0, 0],
          ['2026-11', 200, 16, 4],
        ],
      );
      assert.equal(history[2]!.rate, 0.08);
      assert.equal(history[2]!.status, 'over');
      assert.equal(history[0]!.rateDefined, false);
      assert.equal((await world.rates.history(shop.id)).length, 12);
    });

    test('the drill-down pages through every counted cancel once, newest first', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      let previous = Infinity;
      do {
        const page = await world.rates.countedCancels(shop.id, '2026-11', { limit: 5, cursor });
        pages += 1;
        for (const item of page.items) {
          assert.ok(item.cancelledAt.getTime() <= previous);
          previous = item.cancelledAt.getTime();
          assert.ok(item.hoursAfterOrder >= 6);
          seen.push(item.orderNo);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.equal(pages, 4);
      assert.equal(seen.length, 16);
      assert.equal(new Set(seen).size, 16);
    });

    test('a cursor the API did not issue is a validation error naming cursor', async () => {
      await assert.rejects(world.rates.countedCancels(shop.id, '2026-11', { cursor: 'not-a-cursor' }), (error: unknown) => {
        assert.ok(error instanceof ValidationFailedError);
        assert.match(JSON.stringify(error.details), /"field":"cursor"/);
        return true;
      });
    });
  });

  describe('the JST month boundary, whatever the time zones of the server and the database', () => {
    const originalTz = process.env.TZ;
    let shop: Shop;
    let shifted: RateWorld;
    let other: DataSource;
    before(async () => {
      // A server in California, a database session in Hawaii: neither may move the boundary.
      process.env.TZ = 'America/Los_Angeles';
      const name = new URL(db.url).pathname.slice(1);
      await db.dataSource.query(`ALTER DATABASE ${name} SET timezone TO 'Pacific/Honolulu'`);
      other = createDataSource(db.url, { poolSize: 2 });
      await other.initialize();
      shifted = rateWorld(other, () => NOW);
      shop = await aShop(shifted, 'Boundary');
    });
    after(async () => {
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
      await other.destroy();
    });

    test('an order at 23:30 JST on the last day belongs to that month', async () => {
      assert.equal(new Date('2026-12-01T00:00:00Z').getTimezoneOffset(), 480, 'the process runs on Los Angeles time');
      const [{ TimeZone }] = await other.query('SHOW TimeZone');
      assert.equal(TimeZone, 'Pacific/Honolulu', 'the database session runs on Hawaii time');
      const lastEvening = someOrders(1, new Date('2026-11-30T14:30:00Z')); // 23:30 JST Nov 30
      const nextMorning = someOrders(1, new Date('2026-11-30T15:30:00Z')); // 00:30 JST Dec 1
      await shifted.orders.upsertOrders(shop.id, [...lastEvening, ...nextMorning]);
      // Cancelled at 23:59 JST Nov 30, 29 minutes after the order: excluded, in November.
      await cancelOrder(shifted, shop.id, lastEvening[0]!, 29 / 60, 'buyer');

      const november = await shifted.rates.monthlyRate(shop.id, '2026-11');
      const december = await shifted.rates.monthlyRate(shop.id, '2026-12');
      assert.equal(november.orders, 1);
      assert.equal(november.excludedCancels, 1);
      assert.equal(december.orders, 1);
      assert.equal(december.excludedCancels, 0);
      for (const month of ['2026-11', '2026-12']) {
        assert.equal((await shifted.rates.recountFromScratch(shop.id, month)).consistent, true, month);
      }
    });
  });

  test('a cancel dated before its order counts, in the aggregate and in the scan alike', async () => {
    const shop = await aShop(world, 'Corrupt dates');
    const orders = someOrders(10, new Date('2026-11-05T03:00:00Z'));
    await world.orders.upsertOrders(shop.id, orders);
    await cancelOrder(world, shop.id, orders[0]!, -1, 'buyer');
    await cancelOrder(world, shop.id, orders[1]!, 5.99, 'buyer');
    const rate = await world.rates.monthlyRate(shop.id, '2026-11');
    assert.deepEqual([rate.countedCancels, rate.excludedCancels], [1, 1]);
    const recount = await world.rates.recountFromScratch(shop.id, '2026-11');
    assert.deepEqual(recount.differences, []);
  });

  describe('pending requests', () => {
    let shop: Shop;
    let inside: Order[];
    before(async () => {
      shop = await aShop(world, 'Pending');
      const base = someOrders(100, NOVEMBER_START);
      const [p1, p2] = [...someOrders(1, new Date(NOW.getTime() - 2 * HOUR_MS)), ...someOrders(1, new Date(NOW.getTime() - HOUR_MS))];
      const [p3] = someOrders(1, new Date(NOW.getTime() - 10 * HOUR_MS));
      const [p4] = someOrders(1, new Date(NOW.getTime() - 72 * HOUR_MS));
      const [p5] = someOrders(1, new Date(NOW.getTime() - 0.5 * HOUR_MS));
      const [p6] = someOrders(1, new Date(NOW.getTime() - 30 * HOUR_MS));
      inside = [p1!, p2!];
      await world.orders.upsertOrders(shop.id, [...base, p1!, p2!, p3!, p4!, p5!, p6!]);
      for (const order of base.slice(0, 4)) await cancelOrder(world, shop.id, order, 8, 'buyer');
      for (const order of [p1!, p2!, p3!, p4!, p5!, p6!]) await requestCancel(world, shop.id, order, new Date(NOW.getTime() - 10 * 60_000));
      // p2 and p4 wait for a person; p5 is settled; p6 completed meanwhile (its cancel is recorded).
      await db.dataSource.query(`UPDATE cancel_requests SET status = 'review' WHERE shop_id = $1 AND order_no = ANY($2)`, [shop.id, [p2!.orderNo, p4!.orderNo]]);
      await db.dataSource.query(`UPDATE cancel_requests SET status = 'done' WHERE shop_id = $1 AND order_no = $2`, [shop.id, p5!.orderNo]);
      await cancelOrder(world, shop.id, p6!, 29.5, 'buyer');
    });

    test('the what-if adds only the requests past the 6-hour window', async () => {
      const rate = await world.rates.monthlyRate(shop.id);
      assert.equal(rate.month, '2026-11');
      assert.equal(rate.orders, 106);
      assert.equal(rate.countedCancels, 5);
      assert.deepEqual({ total: rate.pending.total, inside: rate.pending.insideExclusionWindow }, { total: 4, inside: 2 });
      assert.equal(rate.ifAllPendingAccepted.addedCountedCancels, 2);
      assert.equal(rate.ifAllPendingAccepted.countedCancels, 7);
      assert.equal(rate.ifAllPendingAccepted.rate, 7 / 106);
    });

    test('lists the in-window requests with the instant their window closes, soonest first', async () => {
      const rate = await world.rates.monthlyRate(shop.id);
      assert.deepEqual(
        rate.pending.inWindow.map((request) => [request.orderNo, request.deadline.toISOString(), request.itemKey]),
        inside.map((order) => [order.orderNo, new Date(order.orderedAt.getTime() + 6 * HOUR_MS).toISOString(), 'MUG-BLUE']),
      );
    });

    test('formats the report as a bilingual terminal table and as JSON', async () => {
      const rate = await world.rates.monthlyRate(shop.id);
      const text = formatRateReport(rate, { shopName: 'Pending' });
      assert.match(text, /Cancellation rate \/ キャンセル率 {2}Pending {2}2026-11 \(JST\) {2}as of 2026-11-15 12:00 JST/);
      assert.match(text, /Rate \/ キャンセル率 +4\.72 % {2}limit \/ 上限 7\.00 %/);
      assert.match(text, /Orders \/ 注文数 +106/);
      assert.match(text, /If all pending accepted \/ 保留を全承認 +6\.60 % {2}\+2 counted/);
      assert.match(text, new RegExp(`first deadline / 最短期限 2026-11-15 16:00 JST \\(order ${inside[0]!.orderNo}\\)`));
      // Columns line up in a terminal, where Japanese characters are two columns wide.
      const width = (line: string) => [...line].reduce((sum, char) => sum + (/[\u3000-\u9fff\uff00-\uff60]/.test(char) ? 2 : 1), 0);
      const counted = text.split('\n').find((line) => line.startsWith('Counted cancels'))!;
      const orders = text.split('\n').find((line) => line.startsWith('Orders'))!;
      assert.equal(width(counted.slice(0, counted.indexOf('5') + 1)), width(orders.slice(0, orders.indexOf('106') + 3)));

      const json = rateReportToJson(rate);
      assert.deepEqual(JSON.parse(JSON.stringify(json)), json, 'plain JSON, no Dates left');
      assert.equal(json.pending.inWindow[0]!.deadline, new Date(inside[0]!.orderedAt.getTime() + 6 * HOUR_MS).toISOString());
    });

    test('a past month has no pending what-if: accepting now completes this month', async () => {
      const october = await world.rates.monthlyRate(shop.id, '2026-10');
      assert.equal(october.pending.total, 0);
      assert.equal(october.ifAllPendingAccepted.addedCountedCancels, 0);
    });
  });

  describe('breakdown by item', () => {
    test('ranks items by counted cancels and lists the seller-fault ones to fix', async () => {
      const shop = await aShop(world, 'Items');
      const mugs = someOrders(3, NOVEMBER_START, { sellerItemCode: 'MUG', itemTitle: 'マグカップ' });
      const cups = someOrders(4, NOVEMBER_START, { sellerItemCode: 'CUP', itemTitle: 'カップ' });
      const bowls = someOrders(2, NOVEMBER_START, { sellerItemCode: 'BOWL', itemTitle: 'ボウル' });
      await world.orders.upsertOrders(shop.id, [...mugs, ...cups, ...bowls, ...someOrders(91, NOVEMBER_START)]);
      for (const order of mugs) await cancelOrder(world, shop.id, order, 12, 'seller_fault');
      for (const order of cups) await cancelOrder(world, shop.id, order, 12, 'buyer');
      await cancelOrder(world, shop.id, bowls[0]!, 12, 'shipping_delay');
      await cancelOrder(world, shop.id, bowls[1]!, 1, 'seller_fault');

      const rate = await world.rates.monthlyRate(shop.id, '2026-11');
      assert.deepEqual(
        rate.topItems.map((item) => [item.itemKey, item.title, item.counted, item.sellerFault]),
        [['CUP', 'カップ', 4, 0], ['MUG', 'マグカップ', 3, 3], ['BOWL', 'ボウル', 1, 1]],
      );
      assert.deepEqual(rate.sellerFaultItems.map((item) => item.itemKey), ['MUG', 'BOWL']);
      assert.deepEqual(rate.byReason.seller_fault, { counted: 3, excluded: 1 });
    });
  });

  describe('rate alerts', () => {
    test('raise once per level per month, the projection before the rate gets there', async () => {
      const shop = await aShop(world, '警告テスト');
      const orders = someOrders(100, NOVEMBER_START);
      await world.orders.upsertOrders(shop.id, orders);
      for (const order of orders.slice(0, 4)) await cancelOrder(world, shop.id, order, 10, 'seller_fault');
      assert.deepEqual(await world.rates.checkRateAlerts(shop, NOW), [], '4 % raises nothing');

      // A request past the window would make it 5 %: a projected alert for 5 %, none for the rate.
      await requestCancel(world, shop.id, orders[50]!, new Date(NOW.getTime() - HOUR_MS));
      const projected = await world.rates.checkRateAlerts(shop, NOW);
      assert.deepEqual(projected.map((alert) => alert.dedupeKey), [`projected:${shop.id}:2026-11:0.05`]);
      assert.equal(projected[0]!.severity, 'warning');
      assert.match(projected[0]!.subject, /保留中のキャンセル要請/);

      await cancelOrder(world, shop.id, orders[4]!, 10, 'buyer');
      const reached = await world.rates.checkRateAlerts(shop, NOW);
      assert.deepEqual(
        reached.map((alert) => alert.dedupeKey),
        [`rate:${shop.id}:2026-11:0.05`, `projected:${shop.id}:2026-11:0.06`],
      );
      const rateAlert = reached[0]!;
      assert.match(rateAlert.subject, /キャンセル率が5\.00 %に達しました/);
      assert.match(rateAlert.body, /キャンセル率: 5\.00 %/);
      assert.match(rateAlert.body, /算入されるキャンセル: 5 件/);
      assert.match(rateAlert.body, /注文数: 100 件/);
      assert.match(rateAlert.body, /あと 2 件/);
      assert.match(rateAlert.body, /MUG-BLUE/);
      assert.match(rateAlert.body, /購入者に「キャンセルしてください」とお願いすることは/);
      assert.equal(rateAlert.payload.countedCancels, 5);

      assert.deepEqual(await world.rates.checkRateAlerts(shop, NOW), [], 'the same levels never again this month');
      const restarted = rateWorld(db.dataSource, () => NOW);
      assert.deepEqual(await restarted.rates.checkRateAlerts(shop, NOW), [], 'nor after a restart');
    });

    test('a level at the limit is critical', async () => {
      const shop = await aShop(world, 'Critical');
      const orders = someOrders(100, NOVEMBER_START);
      await world.orders.upsertOrders(shop.id, orders);
      for (const order of orders.slice(0, 8)) await cancelOrder(world, shop.id, order, 10, 'buyer');
      const raised = await world.rates.checkRateAlerts(shop, NOW);
      assert.deepEqual(raised.map((alert) => [alert.dedupeKey.split(':').pop(), alert.severity]), [
        ['0.05', 'critical'],
        ['0.06', 'critical'],
        ['0.07', 'critical'],
      ]);
      assert.match(raised[2]!.subject, /警告ライン7\.00 %を超えました/);
    });
  });

  test('several active shops and no shopId is a validation error naming shopId', async () => {
    await assert.rejects(world.rates.resolveShop(), (error: unknown) => {
      assert.ok(error instanceof ValidationFailedError);
      assert.match(error.message, /shopId/);
      return true;
    });
  });
});
