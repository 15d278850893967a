import { EMPTY_CASE_NOTES } from '../../src/domain/buyer-messages';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { NOW, ORDERED_AT } from '../helpers/domain-builders';
import { aCase, ACCEPT, aShop, messageWorld, REFUSE, STOCK_OUT, type MessageWorld } from './buyer-message-fixtures';

describe('the case log and the seller-fault item report on PostgreSQL', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM shops');
  });

  test('lists every request settled in the JST month: item, cause, timing and outcome', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    // 2026-11-01 00:30 JST is November, though still October in UTC.
    const firstOfMonth = new Date('2026-10-31T15:30:00Z');
    const accepted = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: firstOfMonth, order: { orderedAt: new Date('2026-10-31T10:00:00Z') } });
    const refused = await aCase(world, db.dataSource, { shopId, decision: REFUSE, settledAt: NOW, order: { sellerItemCode: 'CUP' } });
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: new Date('2026-10-31T14:59:00Z') });
    await aCase(world, db.dataSource, { shopId, decision: { ...ACCEPT, kind: 'review' }, settledAt: NOW, status: 'review' });

    const log = await world.service.caseLog(undefined, '2026-11', NOW);
    assert.equal(log.shop.id, shopId);
    assert.equal(log.month, '2026-11');
    assert.deepEqual(log.entries, [
      {
        requestId: accepted.requestId,
        itemKey: 'MUG-BLUE',
        itemTitle: 'Blue mug',
        orderNo: accepted.order.orderNo,
        cause: 'buyer',
        decidedAt: '2026-11-01 00:30',
        outcome: 'accept',
        timeFromOrderHours: 5.5,
        handledIn: 'service',
        notes: EMPTY_CASE_NOTES,
      },
      {
        requestId: refused.requestId,
        itemKey: 'CUP',
        itemTitle: 'Blue mug',
        orderNo: refused.order.orderNo,
        cause: 'already_shipped',
        decidedAt: '2026-11-10 12:00',
        outcome: 'refuse',
        timeFromOrderHours: (NOW.getTime() - ORDERED_AT.getTime()) / 3_600_000,
        handledIn: 'service',
        notes: EMPTY_CASE_NOTES,
      },
    ]);
  });

  test('the current JST month is the default', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: NOW });
    const log = await world.service.caseLog(shopId, undefined, NOW);
    assert.equal(log.month, '2026-11');
    assert.equal(log.entries.length, 1);
  });

  test('ranks the items that caused seller-fault cancels, most first', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    for (const [code, minutes] of [['MUG', 10], ['MUG', 20], ['BOWL', 30]] as const) {
      await aCase(world, db.dataSource, {
        shopId,
        decision: STOCK_OUT,
        settledAt: new Date(NOW.getTime() + minutes * 60_000),
        order: { sellerItemCode: code, itemTitle: `${code} title` },
      });
    }
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: NOW, order: { sellerItemCode: 'MUG' } });
    const { report } = await world.service.sellerFaultItems(shopId, '2026-11', NOW);
    assert.equal(report.totalSellerFault, 3);
    assert.deepEqual(
      report.items.map((item) => [item.itemKey, item.count, item.byCause]),
      [
        ['MUG', 2, { out_of_stock: 2 }],
        ['BOWL', 1, { out_of_stock: 1 }],
      ],
    );
  });

  test('with several active shops the shop must be named', async () => {
    await aShop(db.dataSource, 'A');
    await aShop(db.dataSource, 'B');
    await assert.rejects(world.service.caseLog(undefined, '2026-11', NOW), { code: 'validation_failed' });
  });

  test('never reads the buyer’s name or address', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: NOW, order: { buyerName: '山田太郎', buyerEmail: 'taro@example.jp' } });
    const log = await world.service.caseLog(shopId, '2026-11', NOW);
    assert.doesNotMatch(JSON.stringify(log), /山田|taro@/);
  });
});
