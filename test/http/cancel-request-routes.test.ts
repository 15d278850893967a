import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express, { type Express } from 'express';
import request from 'supertest';
import type { Decision, Order, Shop } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { requireAdminToken } from '../../src/http/auth';
import { errorMiddleware } from '../../src/http/error-middleware';
import { cancelRequestRoutes } from '../../src/http/routes/cancel-request-routes';
import type { RequestStatus } from '../../src/persistence/cancel-request-repository';
import { RequestListRepository } from '../../src/persistence/request-list-repository';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { anOrder } from '../helpers/domain-builders';
import { aShop, rateWorld, requestCancel, type RateWorld } from '../db/rate-fixtures';

const TOKEN = 'request-list-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** The route as app.ts mounts it: behind the admin token, errors rendered by the error middleware. */
function appWith(db: TestDatabase): Express {
  const app = express();
  const api = express.Router();
  api.use(requireAdminToken(TOKEN));
  api.use(cancelRequestRoutes(new RequestListRepository(db.dataSource)));
  app.use('/api', api);
  app.use(errorMiddleware(silentLogger()));
  return app;
}

interface Row {
  id: string;
  orderNo: string;
  status: string;
  decision: { kind: string; action: string | null; code: string } | null;
  order: { itemTitle: string; sellerItemCode: string } | null;
}

describe('GET /api/cancel-requests', () => {
  let db: TestDatabase;
  let world: RateWorld;
  let app: Express;
  let shopA: Shop;
  let shopB: Shop;
  const orderNos: Record<string, string> = {};

  async function add(shop: Shop, key: string, order: Partial<Order>, requestedAt: string): Promise<string> {
    const orderNo = `7${String(Object.keys(orderNos).length + 1).padStart(9, '0')}`;
    orderNos[key] = orderNo;
    const built = anOrder({ orderNo, packNo: `P${orderNo}`, orderedAt: new Date('2026-11-01T00:00:00Z'), ...order });
    await world.orders.upsertOrders(shop.id, [built]);
    await requestCancel(world, shop.id, built, new Date(requestedAt));
    const [row] = await db.dataSource.query('SELECT id FROM cancel_requests WHERE order_no = $1', [orderNo]);
    return String(row.id);
  }

  async function decide(requestId: string, decision: Partial<Decision> & Pick<Decision, 'kind' | 'code'>, status: RequestStatus): Promise<void> {
    await db.dataSource.transaction(async (em) => {
      await world.requests.recordDecision(em, requestId, { reason: `because ${decision.code}`, trail: [], ...decision }, 'auto');
      await world.requests.setStatus(em, requestId, status);
    });
  }

  const list = (query: Record<string, string | number> = {}) => request(app).get('/api/cancel-requests').query(query).set(AUTH);
  const orderNosOf = (rows: Row[]) => rows.map((row) => row.orderNo);

  before(async () => {
    db = await createTestDatabase();
    world = rateWorld(db.dataSource, () => new Date('2026-11-20T00:00:00Z'));
    app = appWith(db);
    shopA = await aShop(world, 'ショップA');
    shopB = await aShop(world, 'ショップB');
    await add(shopB, 'other', {}, '2026-11-01T01:00:00Z');
    // 2026-11-10 11:30 JST.
    const mug = await add(shopA, 'mug', { sellerItemCode: 'MUG-BLUE', itemTitle: 'Blue mug' }, '2026-11-10T02:30:00Z');
    await decide(mug, { kind: 'accept', code: 'unshipped_in_stock' }, 'done');
    // 2026-11-13 01:00 JST: the JST day differs from the UTC one.
    const tea = await add(shopA, 'tea', { sellerItemCode: 'TEA-100', itemTitle: '紅茶 100包' }, '2026-11-12T16:00:00Z');
    await decide(tea, { kind: 'review', code: 'out_of_stock', suggested: 'seller-fault' }, 'review');
    await add(shopA, 'cushion', { sellerItemCode: 'CUSH-21', itemTitle: 'Cushion 50%off' }, '2026-11-14T00:00:00Z');
    for (const key of ['tie1', 'tie2', 'tie3']) await add(shopA, key, { sellerItemCode: 'TIE', itemTitle: 'Same instant' }, '2026-11-15T03:00:00Z');
    // Three requests at one instant with microseconds, which a JS Date cannot hold.
    await db.dataSource.query(`UPDATE cancel_requests SET requested_at = '2026-11-15T03:00:00.123456Z' WHERE order_no = ANY($1)`, [
      [orderNos.tie1, orderNos.tie2, orderNos.tie3],
    ]);
  });
  after(async () => {
    await db.drop();
  });

  test('answers 401 without the admin token', async () => {
    const res = await request(app).get('/api/cancel-requests');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthorized');
  });

  test('lists every request newest first, ties broken by id, each with its decision and item', async () => {
    const res = await list();
    assert.equal(res.status, 200);
    const rows = res.body.items as Row[];
    assert.deepEqual(orderNosOf(rows), [orderNos.tie3, orderNos.tie2, orderNos.tie1, orderNos.cushion, orderNos.tea, orderNos.mug, orderNos.other]);
    assert.equal(res.body.nextCursor, null);
    const tea = rows.find((row) => row.orderNo === orderNos.tea)!;
    assert.equal(tea.status, 'review');
    assert.deepEqual([tea.decision?.kind, tea.decision?.code, tea.decision?.action], ['review', 'out_of_stock', 'seller-fault']);
    assert.deepEqual([tea.order?.itemTitle, tea.order?.sellerItemCode], ['紅茶 100包', 'TEA-100']);
    assert.equal(rows.find((row) => row.orderNo === orderNos.cushion)?.decision, null, 'an undecided request has no decision yet');
  });

  test('shows no buyer personal data', async () => {
    const text = JSON.stringify((await list()).body);
    assert.ok(!text.includes('buyer@example.test'));
    assert.ok(!/buyerName|buyerEmail/.test(text));
  });

  const filters: Array<[string, Record<string, string>, string[]]> = [
    ['a shop', { shopId: 'B' }, ['other']],
    ['a status', { status: 'review' }, ['tea']],
    ['the kind of the current decision', { kind: 'accept' }, ['mug']],
    ['a review decision', { kind: 'review' }, ['tea']],
    ['a seller item code, case-insensitive', { q: 'tea-1' }, ['tea']],
    ['a Japanese item title', { q: '紅茶' }, ['tea']],
    ['an order number fragment', { q: 'ORDER:mug' }, ['mug']],
    ['a LIKE wildcard taken literally', { q: '50%' }, ['cushion']],
    ['an underscore taken literally', { q: '_' }, []],
    ['a JST day (from = to = that day)', { from: '2026-11-13', to: '2026-11-13' }, ['tea']],
    ['an instant, from inclusive', { from: '2026-11-14T09:00:00+09:00', shopId: 'A' }, ['tie3', 'tie2', 'tie1', 'cushion']],
    ['an instant, to exclusive', { to: '2026-11-12T16:00:00Z' }, ['mug', 'other']],
    ['blank filters as none', { status: '', kind: ' ', q: '', from: '', to: '' }, ['tie3', 'tie2', 'tie1', 'cushion', 'tea', 'mug', 'other']],
  ];
  for (const [what, query, expected] of filters) {
    test(`filters by ${what}`, async () => {
      const resolved = Object.fromEntries(
        Object.entries(query).map(([key, value]) => [
          key,
          value === 'A' ? shopA.id : value === 'B' ? shopB.id : value.startsWith('ORDER:') ? orderNos[value.slice(6)]!.slice(3) : value,
        ]),
      );
      const res = await list(resolved);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(orderNosOf(res.body.items), expected.map((key) => orderNos[key]));
    });
  }

  test('pages with an opaque cursor: every row once, in order, across microsecond ties', async () => {
    const all = orderNosOf((await list({ shopId: shopA.id })).body.items);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list({ shopId: shopA.id, limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.items.length <= 2);
      seen.push(...orderNosOf(res.body.items));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, all);
    assert.equal(pages, 3);
  });

  test('a filter and its cursor page together', async () => {
    const first = await list({ q: 'same instant', limit: 1 });
    const second = await list({ q: 'same instant', limit: 5, cursor: first.body.nextCursor });
    assert.deepEqual([...orderNosOf(first.body.items), ...orderNosOf(second.body.items)], [orderNos.tie3, orderNos.tie2, orderNos.tie1]);
    assert.equal(second.body.nextCursor, null);
  });

  const badQueries: Array<[string, Record<string, string>, string]> = [
    ['an unknown status', { status: 'open' }, 'status'],
    ['an unknown kind', { kind: 'approve' }, 'kind'],
    ['a zero limit', { limit: '0' }, 'limit'],
    ['a limit over 200', { limit: '201' }, 'limit'],
    ['a limit that is not a number', { limit: 'ten' }, 'limit'],
    ['a shop id that is not a uuid', { shopId: 'shop-1' }, 'shopId'],
    ['a date that does not exist', { from: '2026-02-30' }, 'from'],
    ['an instant on a date that does not exist', { to: '2026-02-30T00:00:00Z' }, 'to'],
    ['a month, not a date', { from: '2026-11' }, 'from'],
    ['an instant without a zone', { to: '2026-11-15T09:00:00' }, 'to'],
    ['to before from', { from: '2026-11-15', to: '2026-11-14' }, 'to'],
    ['a cursor this API did not make', { cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
    ['a search longer than 100 characters', { q: 'x'.repeat(101) }, 'q'],
    ['an unknown parameter', { sort: 'asc' }, 'sort'],
  ];
  for (const [what, query, field] of badQueries) {
    test(`${what} is a 400 naming ${field}`, async () => {
      const res = await list(query);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.code, 'validation_failed');
      assert.deepEqual([...new Set(res.body.details.map((detail: { field: string }) => detail.field))], [field]);
    });
  }

  test('repeating a parameter is a 400, not a crash', async () => {
    const res = await request(app).get('/api/cancel-requests?status=review&status=done').set(AUTH);
    assert.equal(res.status, 400);
    assert.equal(res.body.details[0].field, 'status');
  });
});
