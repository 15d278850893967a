// Issue 16 (memory): a first poll over a long range is read one JST day at a time and stored in bounded
// batches, with the same result as one read of the whole range. Real PostgreSQL, the simulator over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { compose, type Services } from '../../src/compose';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import type { Shop } from '../../src/domain/types';
import { CancelRepository } from '../../src/persistence/cancel-repository';
import { CancelRequestRepository } from '../../src/persistence/cancel-request-repository';
import { HttpQoo10Client, ROW_BY_ROW_BYTES } from '../../src/qoo10/http-qoo10-client';
import { OrderSearchCondition, type Qoo10Client } from '../../src/qoo10/qoo10-client';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import { PollService, STORE_BATCH } from '../../src/services/poll-service';

const HOUR_MS = 3_600_000;
/** 2026-11-01 00:00 JST. */
const NOV_1 = Date.parse('2026-10-31T15:00:00Z');
const at = (ms: number) => new Date(ms);
const LIST_METHOD = /GetShippingInfo_v3$/i;

describe('first poll in day windows', () => {
  let db: TestDatabase;
  let sim: SimulatorHandle;
  let services: Services;
  let poll: PollService;
  let shops = 0;

  before(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ port: 0 });
    const config = loadConfig({ ADMIN_TOKEN: 'windows-admin-token-0123456789', QOO10_API_BASE_URL: sim.url, QOO10_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'silent' });
    const logger = silentLogger();
    services = compose({ config, logger, dataSource: db.dataSource, credentialsSecret: 'windows-secret-'.padEnd(40, 'x'), adminToken: 'windows-admin-token-0123456789', qoo10BaseUrl: () => sim.url });
    poll = new PollService(db.dataSource, services.orders, new CancelRequestRepository(db.dataSource), new CancelRepository(db.dataSource, config.rate.exclusionHours), services.alerts, logger);
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  async function newShop(): Promise<{ shop: Shop; simShop: SimShop; client(format?: 'date' | 'datetime'): Qoo10Client }> {
    shops += 1;
    const key = `windows-sak-${process.pid}-${shops}`;
    const simShop = sim.state.addShop({ sellerAuthKey: key, name: `窓店${shops}`, orders: [], claims: [] });
    const shop = await services.shops.ensureShopForKey({ name: `窓店${shops}`, sellerAuthKey: key, isDemo: false });
    const client = (format: 'date' | 'datetime' = 'date') =>
      new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: key, logger: silentLogger(), minIntervalMs: 0, searchDateFormat: format, sleep: async () => undefined });
    return { shop, simShop, client };
  }

  function addOrder(simShop: SimShop, orderedAtMs: number, fields: { shippedAtMs?: number } = {}): string {
    const order = sim.state.addOrder(simShop, {
      orderedAt: at(orderedAtMs).toISOString(),
      itemTitle: '窓の商品',
      ...(fields.shippedAtMs === undefined ? {} : { shippingStatus: 4 as const, shippedAt: at(fields.shippedAtMs).toISOString(), carrier: 'ヤマト宅急便', trackingNo: '300000000017' }),
    });
    return order.orderNo;
  }

  const listCalls = (shopName: string, since: number) => sim.calls.slice(since).filter((c) => LIST_METHOD.test(c.method) && c.shopName === shopName);

  async function storedOrderNos(shop: Shop): Promise<string[]> {
    const rows: Array<{ order_no: string }> = await db.dataSource.query('SELECT order_no FROM orders WHERE shop_id = $1 ORDER BY order_no', [shop.id]);
    return rows.map((r) => r.order_no);
  }

  /** What one read of the whole range lists: the four lists, each over [from, to] in one call. */
  async function oneReadCount(client: Qoo10Client, from: Date, to: Date): Promise<number> {
    const lists = [
      { condition: OrderSearchCondition.OrderDate },
      { condition: OrderSearchCondition.OrderDate, shippingStatus: 4 as const },
      { condition: OrderSearchCondition.OrderDate, shippingStatus: 5 as const },
      { condition: OrderSearchCondition.ShippingDate, shippingStatus: 4 as const },
    ];
    let count = 0;
    for (const list of lists) count += (await client.getOrders({ from, to, ...list })).length;
    return count;
  }

  for (const format of ['date', 'datetime'] as const) {
    test(`a first poll over three JST days stores every order once, boundary orders included (${format} search dates)`, async () => {
      const { shop, simShop, client } = await newShop();
      const from = at(NOV_1);
      const to = at(NOV_1 + 3 * 24 * HOUR_MS - 1000); // 2026-11-03 23:59:59 JST
      const expected = [
        addOrder(simShop, NOV_1), // the window's first instant
        addOrder(simShop, NOV_1 + 10 * HOUR_MS),
        addOrder(simShop, NOV_1 + 24 * HOUR_MS - 1000), // 23:59:59 on day 1
        addOrder(simShop, NOV_1 + 24 * HOUR_MS), // 00:00:00 on day 2
        addOrder(simShop, NOV_1 + 30 * HOUR_MS, { shippedAtMs: NOV_1 + 50 * HOUR_MS }), // ordered day 2, shipped day 3
        addOrder(simShop, NOV_1 + 48 * HOUR_MS - 1000, { shippedAtMs: NOV_1 + 48 * HOUR_MS }), // shipped on the next day's first second
        addOrder(simShop, NOV_1 + 72 * HOUR_MS - 1000), // the window's last instant
      ].sort();
      const since = sim.calls.length;

      const counts = await poll.pollOrders(shop, client(format), { from, to, first: true });

      assert.deepEqual(await storedOrderNos(shop), expected);
      assert.equal(counts.newOrders, expected.length);
      assert.equal(counts.dataFaults, 0);
      const calls = listCalls(simShop.name, since);
      assert.equal(calls.length, 3 * 4, 'four lists per JST day');
      const days = new Set(calls.map((c) => c.params.SearchStartDate!.slice(0, 8)));
      assert.deepEqual([...days].sort(), ['20261101', '20261102', '20261103']);
      for (const call of calls) assert.equal(call.params.SearchStartDate!.slice(0, 8), call.params.SearchEndDate!.slice(0, 8), 'each window lies inside one day');
      // The same lists as one read of the whole range (what a poll did before windows), so the same count.
      assert.equal(counts.orders, await oneReadCount(client(format), from, to));
      const [month] = await db.dataSource.query('SELECT orders_placed FROM monthly_order_counts WHERE shop_id = $1', [shop.id]);
      assert.equal(month.orders_placed, expected.length, 'each order counted once in the month');

      // Polled again over the same range (a later overlap), nothing is new and nothing doubles.
      const again = await poll.pollOrders(shop, client(format), { from, to });
      assert.equal(again.newOrders, 0);
      assert.deepEqual(await storedOrderNos(shop), expected);
    });
  }

  test('a fault in the middle window fails the poll; the next poll of the same window stores everything', async () => {
    const { shop, simShop, client } = await newShop();
    const expected = [0, 1, 2].map((day) => addOrder(simShop, NOV_1 + day * 24 * HOUR_MS + 12 * HOUR_MS)).sort();
    const window = { from: at(NOV_1), to: at(NOV_1 + 3 * 24 * HOUR_MS - 1000), first: true };
    const real = client();
    // Real HTTP throughout; the simulator answers "seller not found" to every call of the second day.
    const faulting: Qoo10Client = Object.assign(Object.create(real) as Qoo10Client, {
      readOrders: async (query: Parameters<Qoo10Client['readOrders']>[0], take: Parameters<Qoo10Client['readOrders']>[1], signal?: AbortSignal) => {
        const middle = query.from.getTime() >= NOV_1 + 24 * HOUR_MS && query.from.getTime() < NOV_1 + 48 * HOUR_MS;
        sim.setFaults(middle ? { errorCodeShapeRate: 1, errorCodeShapeCode: -10001 } : {});
        try {
          return await real.readOrders(query, take, signal);
        } finally {
          sim.setFaults({});
        }
      },
    });

    await assert.rejects(poll.pollOrders(shop, faulting, window));
    const stored = await storedOrderNos(shop);
    assert.ok(!stored.includes(expected[1]!) && !stored.includes(expected[2]!), 'nothing after the failed window was read');

    const counts = await poll.pollOrders(shop, real, window);
    assert.deepEqual(await storedOrderNos(shop), expected);
    assert.equal(counts.orders, 3);
  });

  test('a row the database refuses costs only itself; the other batches and rows of its batch are stored', async () => {
    const { shop, simShop, client } = await newShop();
    const total = 2 * STORE_BATCH + 500;
    const orderNos = Array.from({ length: total }, (_, i) => addOrder(simShop, NOV_1 + 3 * HOUR_MS + i * 1000)).sort();
    const refused = orderNos[STORE_BATCH + 7]!; // inside the second batch
    await db.dataSource.query(`
      CREATE FUNCTION refuse_test_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.order_no = '${refused}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
        RETURN NEW;
      END $$`);
    await db.dataSource.query('CREATE TRIGGER refuse_test_order BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_test_order()');
    try {
      const counts = await poll.pollOrders(shop, client(), { from: at(NOV_1), to: at(NOV_1 + 20 * HOUR_MS), first: true });
      assert.equal(counts.orders, total);
      assert.equal(counts.newOrders, total - 1);
      assert.equal(counts.dataFaults, 1);
    } finally {
      await db.dataSource.query('DROP TRIGGER refuse_test_order ON orders');
      await db.dataSource.query('DROP FUNCTION refuse_test_order()');
    }
    assert.deepEqual(await storedOrderNos(shop), orderNos.filter((n) => n !== refused));
    const alerts = await db.dataSource.query("SELECT payload FROM alerts WHERE shop_id = $1 AND kind = 'qoo10_data_fault'", [shop.id]);
    assert.deepEqual(alerts.map((a: { payload: { orderNo: string } }) => a.payload.orderNo), [refused]);
  });

  test('in a large answer (read row by row) an unreadable row is isolated once and every other row is stored', async () => {
    const { shop, simShop, client } = await newShop();
    const orderNos = Array.from({ length: 1_500 }, (_, i) => addOrder(simShop, NOV_1 + 2 * HOUR_MS + i * 1000)).sort();
    const victim = orderNos[700]!;
    sim.hostile.set([{ method: 'orders', field: 'OrderDate', variant: 'nul', orderNo: victim }]);
    const since = sim.calls.length;
    try {
      const counts = await poll.pollOrders(shop, client(), { from: at(NOV_1), to: at(NOV_1 + 20 * HOUR_MS), first: true });
      assert.equal(counts.orders, orderNos.length - 1);
      assert.equal(counts.dataFaults, 1);
    } finally {
      sim.hostile.set([]);
    }
    assert.equal(listCalls(simShop.name, since).length, 4);
    // The answer that held the rows was large enough to be read row by row.
    const body = new URLSearchParams({ returnType: 'application/json', ShippingStatus: '', SearchStartDate: '20261101', SearchEndDate: '20261101', SearchCondition: '1' });
    const answer = await fetch(`${sim.url}/ShippingBasic.GetShippingInfo_v3`, { method: 'POST', body, headers: { GiosisCertificationKey: simShop.sellerAuthKey } });
    assert.ok((await answer.arrayBuffer()).byteLength >= ROW_BY_ROW_BYTES);
    assert.deepEqual(await storedOrderNos(shop), orderNos.filter((n) => n !== victim));
    const alerts = await db.dataSource.query("SELECT payload FROM alerts WHERE shop_id = $1 AND kind = 'qoo10_data_fault'", [shop.id]);
    assert.deepEqual(alerts.map((a: { payload: { orderNo: string } }) => a.payload.orderNo), [victim]);
  });

  test('a regular poll window makes the same four list calls as before, across JST midnight too', async () => {
    const { shop, simShop, client } = await newShop();
    const midnight = NOV_1 + 24 * HOUR_MS;
    const orderNo = addOrder(simShop, midnight - 30_000);
    for (const window of [
      { from: at(midnight - 60 * 60_000), to: at(midnight - 58 * 60_000) }, // two minutes
      { from: at(midnight - 60_000), to: at(midnight + 60_000) }, // two minutes over midnight
      { from: at(midnight - 40 * 60_000), to: at(midnight + 10 * 60_000) }, // the 10-minute poll with its 30-minute overlap
      { from: at(midnight - 24 * HOUR_MS), to: at(midnight) }, // exactly one day
    ]) {
      const since = sim.calls.length;
      await poll.pollOrders(shop, client(), window);
      assert.equal(listCalls(simShop.name, since).length, 4, `${window.from.toISOString()}..${window.to.toISOString()}`);
    }
    assert.deepEqual(await storedOrderNos(shop), [orderNo]);
  });
});
