// The rate report's open requests read the order's facts kept on the request (no join): they must
// follow the order and the cancel whichever is written first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Shop } from '../../src/domain/types';
import { aCancelRequest, anOrder } from '../helpers/domain-builders';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, rateWorld, type RateWorld } from './rate-fixtures';

/** 2026-11-20 12:00 JST. */
const NOW = new Date('2026-11-20T03:00:00Z');
const HOUR_MS = 3_600_000;

describe('open requests in the rate report', () => {
  let db: TestDatabase;
  let world: RateWorld;
  let shop: Shop;
  before(async () => {
    db = await createTestDatabase();
    world = rateWorld(db.dataSource, () => NOW);
    shop = await aShop(world, 'Open requests');
  });
  after(async () => {
    await db.drop();
  });

  test('a request stored before its order takes the order’s time and item when the order arrives', async () => {
    const order = anOrder({ orderNo: 'W1', packNo: 'WP1', orderedAt: new Date(NOW.getTime() - 2 * HOUR_MS), sellerItemCode: 'SKU-W', itemTitle: 'Wool hat' });
    // Qoo10's request row without an order date: no order can be built from it.
    await world.requests.recordRequests(shop.id, [aCancelRequest({ orderNo: 'W1', packNo: '', orderedAt: null, requestedAt: new Date(NOW.getTime() - HOUR_MS) })]);
    let report = await world.rates.monthlyRate(shop.id);
    // An unknown order time is outside the window: accepting it would count.
    assert.deepEqual([report.pending.total, report.pending.insideExclusionWindow], [1, 0]);

    await world.orders.upsertOrders(shop.id, [order]);
    report = await world.rates.monthlyRate(shop.id);
    assert.deepEqual([report.pending.total, report.pending.insideExclusionWindow], [1, 1]);
    const [listed] = report.pending.inWindow;
    assert.deepEqual(
      [listed!.orderNo, listed!.itemKey, listed!.itemTitle, listed!.orderedAt.getTime(), listed!.deadline.getTime()],
      ['W1', 'SKU-W', 'Wool hat', order.orderedAt.getTime(), order.orderedAt.getTime() + 6 * HOUR_MS],
    );
    const [row] = await db.dataSource.query(`SELECT pack_no FROM cancel_requests WHERE shop_id = $1 AND order_no = 'W1'`, [shop.id]);
    assert.equal(row.pack_no, 'WP1');

    // Once the order's cancel is booked, the request no longer adds to the what-if.
    await world.cancels.recordCancel(shop.id, {
      orderNo: 'W1', orderedAt: order.orderedAt, cancelledAt: NOW, cause: 'buyer', itemKey: 'SKU-W', itemTitle: 'Wool hat', source: 'qoo10',
    });
    report = await world.rates.monthlyRate(shop.id);
    assert.deepEqual([report.pending.total, report.pending.insideExclusionWindow], [0, 0]);
  });

  test('a request listed after its order’s cancel was booked is not open for the what-if', async () => {
    const order = anOrder({ orderNo: 'W2', packNo: 'WP2', orderedAt: new Date(NOW.getTime() - 30 * HOUR_MS) });
    await world.orders.upsertOrders(shop.id, [order]);
    await world.cancels.recordCancel(shop.id, {
      orderNo: 'W2', orderedAt: order.orderedAt, cancelledAt: NOW, cause: 'buyer', itemKey: 'x', itemTitle: 'x', source: 'qoo10',
    });
    await world.requests.recordRequests(shop.id, [aCancelRequest({ orderNo: 'W2', packNo: 'WP2', orderedAt: order.orderedAt, requestedAt: new Date(NOW.getTime() - HOUR_MS) })]);
    const report = await world.rates.monthlyRate(shop.id);
    assert.equal(report.pending.total, 0);
  });
});
