// The tracking path end to end over real HTTP: label files and JSON into the admin API, HttpQoo10Client
// out to the Qoo10 simulator, a poll read back from it. Only the clock-free parts of the world are faked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { silentLogger } from '../../src/logger';
import { HttpQoo10Client } from '../../src/qoo10/http-qoo10-client';
import { OrderSearchCondition } from '../../src/qoo10/qoo10-client';
import { formatJstDateTime } from '../../src/qoo10/qoo10-dates';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { ScenarioOrder } from '../../src/qoo10/simulator/scenario';
import { createTrackingStack, storeOrders, TRACKING_TEST_TOKEN, type TrackingStack } from '../helpers/tracking-stack';

const FIXTURES = [path.resolve(__dirname, '../../../test/fixtures/label-csv'), path.resolve('test/fixtures/label-csv')].find((dir) => existsSync(dir));
const auth = { Authorization: `Bearer ${TRACKING_TEST_TOKEN}` };
const SHOP_KEY = 'SAK-e2e-tracking-0001';
const HOUR = 3_600_000;

function simOrder(orderNo: string, packNo = orderNo, shippingStatus: ScenarioOrder['shippingStatus'] = 3): ScenarioOrder {
  const orderedAt = formatJstDateTime(new Date(Date.now() - 5 * HOUR));
  return {
    orderNo, packNo, orderedAt, paidAt: orderedAt, shippingStatus, itemNo: '912345001', itemTitle: 'マグカップ',
    quantity: 1, unitPriceYen: 1980, paymentMethod: 'クレジットカード', estimatedShipDate: shippingStatus >= 3 ? formatJstDateTime(new Date()) : null,
  };
}

/** Order numbers of the SetSendingInfo calls (single, or rows of bulk calls) the simulator received. */
function sentOrderNos(sim: SimulatorHandle, from = 0): string[] {
  return sim.calls.slice(from).flatMap((call) => {
    if (/^ShippingBasic\.SetSendingInfoBulk$/i.test(call.method)) {
      return (JSON.parse(call.params.ShippingInfoJson ?? '[]') as Array<{ OrderNo: string }>).map((row) => row.OrderNo);
    }
    return /^ShippingBasic\.SetSendingInfo$/i.test(call.method) ? [call.params.OrderNo ?? ''] : [];
  });
}

describe('tracking numbers reach the Qoo10 simulator', () => {
  let sim: SimulatorHandle;
  let t: TrackingStack;
  const lines = ['1043000001', '1043000011', '1043000002', '1043000003', '1043000008', '1043000020', '1043000021'];

  before(async () => {
    sim = await startSimulator({
      scenario: {
        shops: [
          {
            sellerAuthKey: SHOP_KEY,
            name: 'E2E Shop',
            orders: [
              simOrder('1043000001', '7001'),
              simOrder('1043000011', '7001'),
              simOrder('1043000002'),
              simOrder('1043000003'),
              // Confirmed in our database, but the buyer cancelled it on Qoo10 since the last poll.
              simOrder('1043000008', '1043000008', 2),
              simOrder('1043000020'),
              simOrder('1043000021'),
            ],
            claims: [],
          },
        ],
      },
    });
    sim.state.requestCancel('1043000008');
    const client = new HttpQoo10Client({
      baseUrl: sim.url, sellerAuthKey: SHOP_KEY, logger: silentLogger(), timeoutMs: 300, minIntervalMs: 0, maxRetries: 0, sleep: async () => undefined,
    });
    t = await createTrackingStack({ client, sellerAuthKey: SHOP_KEY });
    await storeOrders(t, [
      { orderNo: '1043000001', packNo: '7001' },
      { orderNo: '1043000011', packNo: '7001' },
      ...['1043000002', '1043000003', '1043000008', '1043000020', '1043000021'].map((orderNo) => ({ orderNo })),
    ]);
  });
  after(async () => {
    await t.close();
    await sim.close();
  });

  test('an uploaded Shift_JIS B2 file becomes SetSendingInfo for every cart line, and the orders move to 配送中', async () => {
    const res = await request(t.app)
      .post('/api/shipments/import?filename=b2.csv')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(readFileSync(path.join(FIXTURES!, 'yamato-b2.sjis.csv')));
    assert.equal(res.status, 200);
    assert.deepEqual(sentOrderNos(sim).sort(), ['1043000001', '1043000002', '1043000003', '1043000008', '1043000011']);
    assert.deepEqual(
      res.body.accepted.map((a: { line: number; outcome: string }) => [a.line, a.outcome]),
      [[2, 'submitted'], [3, 'submitted'], [5, 'submitted'], [12, 'rejected']],
    );
    for (const orderNo of ['1043000001', '1043000011', '1043000002', '1043000003']) {
      const order = sim.state.order(orderNo)!;
      assert.equal(order.shippingStatus, 4, orderNo);
      assert.ok(order.trackingNo, orderNo);
    }
    assert.equal(sim.state.order('1043000011')!.trackingNo, '432109876505');
    assert.equal(sim.state.order('1043000002')!.carrier, 'ネコポス');
  });

  test('the order Qoo10 refused (cancelled meanwhile) is rejected with its answer and alerted', async () => {
    const [rejected] = (await request(t.app).get('/api/shipments?status=rejected').set(auth)).body.shipments;
    assert.equal(rejected.orderNo, '1043000008');
    assert.match(rejected.error, /-10004/);
    const alerts = await t.alertsRepository.recentAlerts(10, t.shop.id);
    assert.ok(alerts.some((a) => a.kind === 'action_refused' && a.payload.orderNo === '1043000008'));
  });

  test('uploading the same file again sends nothing', async () => {
    const before = sim.calls.length;
    const res = await request(t.app).post('/api/shipments/import').set(auth).set('Content-Type', 'application/octet-stream').send(readFileSync(path.join(FIXTURES!, 'yamato-b2.sjis.csv')));
    assert.equal(res.status, 200);
    assert.equal(res.body.counts.alreadyKnown, 4);
    assert.deepEqual(sentOrderNos(sim, before), []);
  });

  test('a poll that reads the shipped orders back confirms our numbers', async () => {
    const shipped = await new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: SHOP_KEY, logger: silentLogger(), minIntervalMs: 0 }).getOrders({
      from: new Date(Date.now() - 24 * HOUR), to: new Date(), condition: OrderSearchCondition.OrderDate, shippingStatus: 4,
    });
    await t.orders.upsertOrders(t.shop.id, shipped);
    assert.equal(await t.service.confirmFromOrders(t.shop.id), 4);
  });

  test('a WMS number whose call times out stays "sending" and is settled by reconcile, sent once', async () => {
    sim.setFaults({ timeoutRate: 1, timeoutHoldMs: 2_000 });
    const res = await request(t.app).post('/api/shipments').set(auth).send({ orderNo: '1043000020', carrier: '佐川急便', trackingNo: '182700456120' });
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted[0].outcome, 'sending');
    // The simulator decides transport faults before handling a call: the lost write was not applied.
    assert.equal(sim.state.order('1043000020')!.shippingStatus, 3);

    sim.setFaults({});
    const from = sim.calls.length;
    const tally = await t.executor.reconcile(t.shop, await new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: SHOP_KEY, logger: silentLogger(), minIntervalMs: 0 }), new Date());
    assert.equal(tally.succeeded, 1);
    assert.deepEqual(sentOrderNos(sim, from), ['1043000020']);
    assert.equal(sim.state.order('1043000020')!.trackingNo, '182700456120');
    const [row] = await t.db.dataSource.query("SELECT status FROM tracking_numbers WHERE order_no = '1043000020'");
    assert.equal(row.status, 'submitted');
  });

  test('a bulk row Qoo10 refuses for good is reported per row while the rest of the call succeeds, and is not retried', async () => {
    // Transient per-row failures and their retries: test/e2e/tracking-bulk-retry.test.ts.
    const batch = ['1043000030', '1043000031', '1043000032', '1043000033', '1043000034'];
    await storeOrders(t, batch.map((orderNo) => ({ orderNo })));
    const simShop = sim.state.shopByKey(SHOP_KEY)!;
    for (const orderNo of batch) sim.state.addOrder(simShop, { ...simOrder(orderNo), shippingStatus: orderNo === '1043000032' ? 2 : 3 });
    // Paid, not yet confirmed: the buyer's request cancels it at once, so Qoo10 refuses its number (-10004).
    sim.state.requestCancel('1043000032');
    const numbers = ['111111111112', '111111111226', '111111111333', '111111111440', '111111111554'];
    const from = sim.calls.length;
    const res = await request(t.app)
      .post('/api/shipments')
      .set(auth)
      .send(batch.map((orderNo, i) => ({ orderNo, carrier: 'ヤマト', trackingNo: numbers[i] })));
    assert.equal(sim.calls.slice(from).filter((c) => /SetSendingInfoBulk/i.test(c.method)).length, 1);
    for (const row of res.body.accepted as Array<{ orderNos: string[]; outcome: string; error: string | null }>) {
      const onQoo10 = sim.state.order(row.orderNos[0]!)!;
      assert.equal(row.outcome, row.orderNos[0] === '1043000032' ? 'rejected' : 'submitted', row.orderNos[0]);
      assert.equal(onQoo10.shippingStatus === 4, row.outcome === 'submitted', row.orderNos[0]);
      if (row.outcome === 'rejected') assert.match(row.error ?? '', /-10004/);
    }
  });
});
