import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express, { type Express } from 'express';
import request from 'supertest';
import type { Shop } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { requireAdminToken } from '../../src/http/auth';
import { errorMiddleware } from '../../src/http/error-middleware';
import { rateRoutes } from '../../src/http/routes/rate-routes';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, cancelOrder, rateWorld, someOrders, type RateWorld } from '../db/rate-fixtures';

const TOKEN = 'rate-routes-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
/** 2026-11-15 12:00 JST. */
const NOW = new Date('2026-11-15T03:00:00Z');

/** The routes as app.ts mounts them: behind the admin token, errors rendered by the error middleware. */
function appWith(world: RateWorld): Express {
  const app = express();
  const api = express.Router();
  api.use(requireAdminToken(TOKEN));
  api.use(rateRoutes(world.rates));
  app.use('/api', api);
  app.use(errorMiddleware(silentLogger()));
  return app;
}

describe('cancel-rate routes', () => {
  let db: TestDatabase;
  let world: RateWorld;
  let app: Express;
  let shop: Shop;
  before(async () => {
    db = await createTestDatabase();
    world = rateWorld(db.dataSource, () => NOW);
    app = appWith(world);
  });
  after(async () => {
    await db.drop();
  });

  test('no active shop yet is a 404', async () => {
    const res = await request(app).get('/api/cancel-rate').set(AUTH);
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'not_found');
  });

  describe('with one shop', () => {
    before(async () => {
      shop = await aShop(world, '東京セレクト');
      const orders = someOrders(40, new Date('2026-10-31T15:00:00Z'));
      await world.orders.upsertOrders(shop.id, orders);
      for (const order of orders.slice(0, 3)) await cancelOrder(world, shop.id, order, 9, 'seller_fault');
      await cancelOrder(world, shop.id, orders[3]!, 2, 'buyer');
    });

    for (const path of ['/api/cancel-rate', '/api/cancel-rate/history', '/api/cancel-rate/cancels']) {
      test(`${path} answers 401 without the token`, async () => {
        const res = await request(app).get(path);
        assert.equal(res.status, 401);
        assert.equal(res.body.code, 'unauthorized');
      });
    }

    test('GET /api/cancel-rate reports the current JST month of the only shop', async () => {
      const res = await request(app).get('/api/cancel-rate').set(AUTH);
      assert.equal(res.status, 200);
      const body = res.body;
      assert.deepEqual(body.shop, { id: shop.id, name: '東京セレクト' });
      assert.equal(body.month, '2026-11');
      assert.equal(body.orders, 40);
      assert.equal(body.countedCancels, 3);
      assert.equal(body.excludedCancels, 1);
      assert.equal(body.rate, 0.075);
      assert.equal(body.limit, 0.07);
      assert.equal(body.headroom, 0);
      assert.equal(body.status, 'over');
      assert.equal(typeof body.projectedRate, 'number');
      assert.deepEqual(body.byReason.seller_fault, { counted: 3, excluded: 0 });
      assert.deepEqual(body.pending, {
        total: 0,
        insideExclusionWindow: 0,
        ifAllAccepted: { addedCountedCancels: 0, countedCancels: 3, rate: 0.075, status: 'over', headroom: 0 },
        inWindow: [],
      });
      assert.equal(body.definition.denominator, 'orders_placed');
      assert.equal(body.definition.exclusionHours, 6);
      assert.match(body.definition.text, /6 hours/);
      assert.equal(body.monthStart, '2026-10-31T15:00:00.000Z');
      assert.deepEqual(body.sellerFaultItems[0], { itemKey: 'MUG-BLUE', title: 'Blue mug', counted: 3, sellerFault: 3 });
      // Issue 15's names: the quarter, the tier, the seller-fault figure, the definition.
      assert.equal(body.sellerFaultRate, 0.075);
      assert.equal(body.penaltyTier, 'warning');
      assert.equal(body.quarter.period, '2026-Q4');
      for (const key of ['orders', 'countedCancels', 'excludedCancels', 'rate', 'headroom10', 'headroom15', 'projectedRate']) {
        assert.equal(typeof body.quarter[key], 'number', `quarter.${key}`);
      }
      assert.equal(body.definition.cohort, 'completed_in_period');
    });

    test('GET /api/cancel-rate?month= reports that month', async () => {
      const res = await request(app).get('/api/cancel-rate?month=2026-10').set(AUTH);
      assert.equal(res.status, 200);
      assert.equal(res.body.month, '2026-10');
      assert.equal(res.body.orders, 0);
      assert.equal(res.body.rateDefined, false);
    });

    for (const month of ['2026-13', '2026-1', 'november', '2026-11-01']) {
      test(`a bad month (${month}) is a 400 naming the field`, async () => {
        const res = await request(app).get('/api/cancel-rate').query({ month }).set(AUTH);
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'validation_failed');
        assert.match(res.body.message, /month/);
        assert.deepEqual(res.body.details.map((detail: { field: string }) => detail.field), ['month']);
      });
    }

    test('GET /api/cancel-rate/history lists the asked number of months', async () => {
      const res = await request(app).get('/api/cancel-rate/history?months=3').set(AUTH);
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.months.map((entry: { month: string; orders: number; countedCancels: number }) => [entry.month, entry.orders, entry.countedCancels]),
        [['2026-09', 0, 0], ['2026-10', 0, 0], ['2026-11', 40, 3]],
      );
      assert.equal((await request(app).get('/api/cancel-rate/history').set(AUTH)).body.months.length, 12);
    });

    for (const months of ['0', '37', 'abc', '2.5']) {
      test(`history with months=${months} is a 400 naming months`, async () => {
        const res = await request(app).get('/api/cancel-rate/history').query({ months }).set(AUTH);
        assert.equal(res.status, 400);
        assert.equal(res.body.details[0].field, 'months');
      });
    }

    test('GET /api/cancel-rate/cancels pages through the counted cancels with a cursor', async () => {
      const first = await request(app).get('/api/cancel-rate/cancels?month=2026-11&limit=2').set(AUTH);
      assert.equal(first.status, 200);
      assert.equal(first.body.month, '2026-11');
      assert.equal(first.body.items.length, 2);
      assert.deepEqual(Object.keys(first.body.items[0]).sort(), ['cancelledAt', 'cause', 'hoursAfterOrder', 'itemKey', 'itemTitle', 'orderNo', 'orderedAt', 'source']);
      assert.equal(first.body.items[0].hoursAfterOrder, 9);
      assert.equal(typeof first.body.nextCursor, 'string');
      const second = await request(app).get('/api/cancel-rate/cancels').query({ month: '2026-11', limit: 2, cursor: first.body.nextCursor }).set(AUTH);
      assert.equal(second.status, 200);
      assert.equal(second.body.items.length, 1);
      assert.equal(second.body.nextCursor, null);
      const all = [...first.body.items, ...second.body.items].map((item: { orderNo: string }) => item.orderNo);
      assert.equal(new Set(all).size, 3);
    });

    test('a bad cursor or limit is a 400 naming the field', async () => {
      const cursor = await request(app).get('/api/cancel-rate/cancels?cursor=garbage').set(AUTH);
      assert.equal(cursor.status, 400);
      assert.equal(cursor.body.details[0].field, 'cursor');
      const limit = await request(app).get('/api/cancel-rate/cancels?limit=0').set(AUTH);
      assert.equal(limit.status, 400);
      assert.equal(limit.body.details[0].field, 'limit');
    });
  });

  describe('with several shops', () => {
    before(async () => {
      await aShop(world, 'Second shop');
    });

    test('shopId is required and named in the 400', async () => {
      const res = await request(app).get('/api/cancel-rate').set(AUTH);
      assert.equal(res.status, 400);
      assert.match(res.body.message, /shopId/);
      assert.equal(res.body.details[0].field, 'shopId');
      assert.equal(res.body.details[0].shops.length, 2);
    });

    test('with shopId the shop is reported', async () => {
      const res = await request(app).get('/api/cancel-rate').query({ shopId: shop.id }).set(AUTH);
      assert.equal(res.status, 200);
      assert.equal(res.body.shopId, shop.id);
      assert.equal(res.body.countedCancels, 3);
    });

    test('a malformed shopId is a 400, an unknown one a 404', async () => {
      const bad = await request(app).get('/api/cancel-rate/history?shopId=shop-1').set(AUTH);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.details[0].field, 'shopId');
      const unknown = await request(app).get('/api/cancel-rate').query({ shopId: '00000000-0000-4000-8000-000000000000' }).set(AUTH);
      assert.equal(unknown.status, 404);
    });
  });
});
