import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express, { type Express } from 'express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { silentLogger } from '../../src/logger';
import { requireAdminToken } from '../../src/http/auth';
import { errorMiddleware } from '../../src/http/error-middleware';
import { DASHBOARD_CSP, dashboardApiRoutes, dashboardPageRoutes } from '../../src/http/routes/dashboard-routes';
import { daysInMonth, jstMonthOf } from '../../src/domain/jst-calendar';
import { JobRunRepository } from '../../src/persistence/job-run-repository';
import { RequestListRepository, type RefusalRow } from '../../src/persistence/request-list-repository';
import { DashboardService, trackingStateOf, type DashboardDeps } from '../../src/services/dashboard-service';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';
import { aShop, cancelOrder, rateWorld, someOrders } from '../db/rate-fixtures';

const TOKEN = 'dashboard-test-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** The page and the summary mounted as app.ts mounts them. */
function appWith(deps: DashboardDeps): Express {
  const app = express();
  app.use(dashboardPageRoutes());
  const api = express.Router();
  api.use(requireAdminToken(TOKEN));
  api.use(dashboardApiRoutes(new DashboardService(deps)));
  app.use('/api', api);
  app.use(errorMiddleware(silentLogger()));
  return app;
}

function depsOf(dataSource: DataSource, world: Pick<DashboardDeps, 'shops' | 'rates' | 'requests' | 'alerts'>, now: () => Date): DashboardDeps {
  return { ...world, requestList: new RequestListRepository(dataSource), jobRuns: new JobRunRepository(dataSource), pollStaleMinutes: 30, now };
}

describe('the dashboard page', () => {
  let db: TestDatabase;
  let app: Express;
  before(async () => {
    db = await createTestDatabase();
    const world = rateWorld(db.dataSource, () => new Date());
    app = appWith(depsOf(db.dataSource, { ...world, alerts: world.alertRepository }, () => new Date()));
  });
  after(async () => {
    await db.drop();
  });

  test('GET / serves the page without a token, under a strict self-only CSP', async () => {
    const res = await request(app).get('/');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type']!, /text\/html/);
    assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP);
    assert.match(DASHBOARD_CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.match(res.text, /<html lang="ja">/);
  });

  test('the page has no inline script or style, and every asset it names is served', async () => {
    const html = (await request(app).get('/')).text;
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script has a src');
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or event handler');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.length >= 6, assets.join(', '));
    for (const asset of assets) {
      const res = await request(app).get(asset);
      assert.equal(res.status, 200, asset);
      assert.ok(Number(res.headers['content-length'] ?? res.body.length) > 0, asset);
    }
  });

  test('assets have their types; the charting library comes from its npm package', async () => {
    const js = await request(app).get('/assets/app.js');
    assert.match(js.headers['content-type']!, /javascript/);
    assert.equal(js.headers['cache-control'], 'no-cache');
    const vendor = await request(app).get('/assets/vendor/uplot.iife.min.js');
    assert.match(vendor.text, /uPlot/);
    assert.match(vendor.headers['cache-control']!, /max-age=86400/);
    assert.match((await request(app).get('/assets/styles.css')).headers['content-type']!, /text\/css/);
  });

  test('a missing asset is a 404 JSON, and no path escapes the assets folder', async () => {
    for (const path of ['/assets/nope.js', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json']) {
      const res = await request(app).get(path);
      assert.ok([403, 404].includes(res.status), `${path}: ${res.status}`);
      assert.doesNotMatch(res.text, /"name":\s*"cancel-guard"/);
    }
    assert.equal((await request(app).get('/assets/nope.js')).body.code, 'not_found');
  });

  test('GET /api/dashboard answers 401 without the token', async () => {
    const res = await request(app).get('/api/dashboard');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthorized');
  });

  test('with no shop yet the summary says so instead of failing', async () => {
    const res = await request(app).get('/api/dashboard').set(AUTH);
    assert.equal(res.status, 200);
    assert.equal(res.body.shop, null);
    assert.deepEqual([res.body.rate, res.body.days, res.body.reviewQueue, res.body.connection], [null, [], [], null]);
  });

  for (const [what, query, status, field] of [
    ['a shop id that is not a uuid', { shopId: 'x' }, 400, 'shopId'],
    ['an unknown parameter', { month: '2026-11' }, 400, 'month'],
    ['an unknown shop', { shopId: '6f1c1d3e-0000-4000-8000-000000000000' }, 404, null],
  ] as const) {
    test(`${what} is a ${status}`, async () => {
      const res = await request(app).get('/api/dashboard').query(query).set(AUTH);
      assert.equal(res.status, status);
      if (field) assert.deepEqual(res.body.details.map((d: { field: string }) => d.field), [field]);
      else assert.equal(res.body.code, 'not_found');
    });
  }
});

describe('the dashboard summary over a poll cycle against the simulator', () => {
  let f: PipelineFixture;
  let app: Express;
  const orders: Record<string, string> = {};
  before(async () => {
    f = await createPipelineFixture();
    const s = f.t.services;
    app = appWith(depsOf(f.t.db.dataSource, { shops: s.shops, rates: s.rates, requests: s.requests, alerts: s.alertsRepository }, () => new Date()));
    await s.facts.importStock(undefined, Buffer.from('seller_item_code,available\nIN-STOCK,5\nGONE,0\n'));
    orders.accepted = f.confirmedOrder({ sellerItemCode: 'IN-STOCK' });
    orders.soldOut = f.confirmedOrder({ sellerItemCode: 'GONE' });
    orders.shipped = f.confirmedOrder({ sellerItemCode: 'IN-STOCK' });
    await f.handedOver(orders.shipped, 'ヤマト宅急便', '123456789016');
    for (const orderNo of Object.values(orders)) f.sim.state.requestCancel(orderNo);
    const [report] = await s.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);
    await s.alerts.raise({ shopId: f.shop.id, kind: 'test', dedupeKey: 'test:1', severity: 'warning', subject: 'テストの警告', body: '本文' });
  });
  after(async () => {
    await f.close();
  });

  test('one request holds the rate with its daily series, the queue, today’s refusals, alerts and the connection', async () => {
    const res = await request(app).get('/api/dashboard').set(AUTH);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body;
    assert.equal(body.shop.name, 'テスト雑貨店');
    assert.equal(body.rate.month, jstMonthOf(new Date()));
    assert.equal(body.days.length, daysInMonth(body.rate.month));
    const sum = (key: 'countedCancels' | 'orders') => body.days.reduce((total: number, day: Record<string, number>) => total + day[key], 0);
    assert.equal(sum('countedCancels'), body.rate.countedCancels);
    assert.equal(sum('orders'), body.rate.orders);

    const queued = body.reviewQueue.find((item: { orderNo: string }) => item.orderNo === orders.soldOut);
    assert.deepEqual([queued?.decision.code, queued?.decision.action, queued?.itemTitle], ['out_of_stock', 'seller-fault', 'テスト商品 GONE']);
    assert.ok(!('trail' in queued.decision), 'the trail is left to the detail route');

    const refusal = body.refusalsToday.find((item: { orderNo: string }) => item.orderNo === orders.shipped);
    assert.deepEqual(refusal?.tracking, { carrier: 'ヤマト宅急便', trackingNo: '123456789016' });
    assert.equal(refusal?.trackingState, 'in');
    assert.equal(refusal?.overdue, false);

    // The refusal's QSM task raises its own reminders by the clock of the day; the test alert is there.
    assert.ok(body.alerts.some((a: { subject: string }) => a.subject === 'テストの警告'));
    assert.ok(!body.alerts.some((a: { subject: string }) => a.subject.includes('追跡番号が未登録')), 'the number is in Qoo10: no overdue alert');
    assert.equal(body.connection.pollStale, false);
    assert.equal(body.connection.lastRun.status, 'ok');
    assert.ok(body.connection.lastPollAt);
    assert.equal(body.connection.demo, false);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('shows no buyer personal data', async () => {
    // Buyer names and emails are stored for buyer messages; the dashboard must never carry them.
    await f.t.db.dataSource.query(`UPDATE orders SET buyer_name = '山田 花子', buyer_email = 'hanako@example.test'`);
    const text = JSON.stringify((await request(app).get('/api/dashboard').set(AUTH)).body);
    assert.ok(text.includes(orders.soldOut!), 'the orders are in the answer');
    assert.ok(!text.includes('山田') && !text.includes('hanako@example.test'));
  });
});

describe('the daily series (fixed clock, 2026-11-15 12:00 JST)', () => {
  const NOW = new Date('2026-11-15T03:00:00Z');
  let db: TestDatabase;
  let app: Express;
  before(async () => {
    db = await createTestDatabase();
    const world = rateWorld(db.dataSource, () => NOW);
    app = appWith(depsOf(db.dataSource, { ...world, alerts: world.alertRepository }, () => NOW));
    const shop = await aShop(world, '日別テスト');
    // 40 orders from 11-01 00:00 JST; 60 from 11-04 23:30 JST, so 30 fall on the 4th and 30 on the 5th.
    const first = someOrders(40, new Date('2026-10-31T15:00:00Z'));
    const second = someOrders(60, new Date('2026-11-04T14:30:00Z'));
    await world.orders.upsertOrders(shop.id, [...first, ...second]);
    await cancelOrder(world, shop.id, first[0]!, 9, 'seller_fault');
    await cancelOrder(world, shop.id, first[1]!, 2);
    // Ordered 11-04 23:30 JST, cancelled 9 h later: 11-05 08:30 JST.
    await cancelOrder(world, shop.id, second[0]!, 9);
  });
  after(async () => {
    await db.drop();
  });

  test('days are JST days with the month-to-date figures, the allowance and the status at their end', async () => {
    const body = (await request(app).get('/api/dashboard').set(AUTH)).body;
    assert.equal(body.days.length, 30);
    const pick = (date: string) => {
      const day = body.days.find((d: { date: string }) => d.date === date);
      return [day.orders, day.countedCancels, day.excludedCancels, day.cumulativeOrders, day.cumulativeCounted, day.allowance, day.status, day.future];
    };
    assert.deepEqual(pick('2026-11-01'), [40, 1, 1, 40, 1, 2, 'ok', false]);
    assert.deepEqual(pick('2026-11-04'), [30, 0, 0, 70, 1, 4, 'ok', false]);
    assert.deepEqual(pick('2026-11-05'), [30, 1, 0, 100, 2, 7, 'ok', false]);
    assert.deepEqual(pick('2026-11-15'), [0, 0, 0, 100, 2, 7, 'ok', false]);
    assert.deepEqual(pick('2026-11-16'), [0, 0, 0, 100, 2, 7, 'ok', true]);
    assert.equal(body.rate.countedCancels, 2);
    assert.equal(body.rate.orders, 100);
  });

  test('with no poll yet the connection is stale and the key expiry is estimated a year from the key', async () => {
    const connection = (await request(app).get('/api/dashboard').set(AUTH)).body.connection;
    assert.deepEqual([connection.lastPollAt, connection.pollStale, connection.lastRun], [null, true, null]);
    assert.equal(connection.keyExpiryEstimated, true);
    assert.ok(connection.keyDaysLeft > 300);
  });
});

describe('trackingStateOf', () => {
  const refusal = (overrides: Partial<RefusalRow>): RefusalRow => ({
    requestId: '1', orderNo: '1', packNo: null, status: 'acting', decisionKind: 'refuse', decisionCode: 'shipped_with_tracking',
    decidedAt: new Date(), tracking: null, trackingDeadline: null, itemTitle: null, sellerItemCode: null, shippingStatus: 3, actions: [], ...overrides,
  });
  const line = (state: 'pending' | 'sending' | 'succeeded' | 'failed') => ({ orderNo: '1', state, errorCode: null });
  for (const [what, input, expected] of [
    ['no number known', refusal({}), 'missing'],
    ['every line accepted by Qoo10', refusal({ actions: [line('succeeded'), line('succeeded')] }), 'in'],
    ['a line still queued', refusal({ actions: [line('succeeded'), line('pending')] }), 'sending'],
    ['a line refused by Qoo10', refusal({ actions: [line('succeeded'), line('failed')] }), 'failed'],
    ['Qoo10 shows the order in delivery', refusal({ shippingStatus: 4 }), 'in'],
  ] as const) {
    test(`${what}: ${expected}`, () => {
      assert.equal(trackingStateOf(input), expected);
    });
  }
});
