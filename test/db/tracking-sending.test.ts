// The one submission path on a real PostgreSQL: API/dashboard numbers, bulk chunks, lost answers left
// for reconciliation, a refused key, the shared outbox key with refusals, confirmation after a poll,
// and the same-day cut-off alert.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeQoo10Client } from '../helpers/fake-qoo10-client';
import { createTrackingStack, storeOrders, type TrackingStack } from '../helpers/tracking-stack';
import { anOrder } from '../helpers/domain-builders';
import { Qoo10AuthError } from '../../src/qoo10/errors';
import type { SendingInfoRow } from '../../src/qoo10/qoo10-client';
import { trackingDeadlineFor } from '../../src/services/tracking-service';
import { sendTrackingKey } from '../../src/persistence/action-repository';
import { chunksWithoutRepeatedOrders } from '../../src/services/bulk-tracking-sender';

/** Yamato-style numbers with a valid check digit (11-digit base + base mod 7). */
function yamatoNumber(base: number): string {
  const digits = String(base).padStart(11, '0');
  let remainder = 0;
  for (const ch of digits) remainder = (remainder * 10 + Number(ch)) % 7;
  return `${digits}${remainder}`;
}

async function trackingStatuses(t: TrackingStack): Promise<Record<string, string>> {
  const rows: Array<{ order_no: string; status: string }> = await t.db.dataSource.query(
    'SELECT order_no, status FROM tracking_numbers WHERE shop_id = $1 ORDER BY order_no',
    [t.shop.id],
  );
  return Object.fromEntries(rows.map((r) => [r.order_no, r.status]));
}

describe('rules without a database', () => {
  for (const [handedAt, expected, why] of [
    ['2026-11-10T01:00:00Z', '2026-11-10T08:00:00Z', '10:00 JST: the 17:00 JST cut-off of that day'],
    ['2026-11-10T08:00:00Z', '2026-11-10T08:00:00Z', 'at the cut-off exactly: the cut-off'],
    ['2026-11-10T09:30:00Z', '2026-11-10T15:00:00Z', '18:30 JST, after the cut-off: the end of that JST day'],
    ['2026-11-10T16:00:00Z', '2026-11-11T08:00:00Z', '01:00 JST the next day (still Nov 10 in UTC): that JST day\'s cut-off'],
  ] as const) {
    test(`the tracking deadline of a hand-over at ${why}`, () => {
      assert.equal(trackingDeadlineFor(new Date(handedAt), '17:00').toISOString(), new Date(expected).toISOString());
    });
  }

  test('bulk chunks hold at most the limit and never one order twice', () => {
    const rows = ['a', 'b', 'a', 'c', 'd', 'a', 'e'].map((orderNo, i) => ({ orderNo, i }));
    const chunks = chunksWithoutRepeatedOrders(rows, 3);
    assert.deepEqual(chunks.map((chunk) => chunk.map((r) => `${r.orderNo}${r.i}`)), [['a0', 'b1', 'c3'], ['d4', 'e6'], ['a2'], ['a5']]);
  });
});

describe('numbers from the API and the dashboard', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, [
      { orderNo: '3000000001' },
      { orderNo: '3000000002', packNo: '8002' },
      { orderNo: '3000000003', packNo: '8002' },
      { orderNo: '3000000004' },
    ]);
    for (const orderNo of ['3000000001', '3000000002', '3000000003', '3000000004']) qoo10.addOrder(orderNo);
  });
  after(() => t.close());

  test('one number typed with hyphens and a free-text carrier goes out at once as one SetSendingInfo', async () => {
    const report = await t.service.submitShipments([{ orderNo: '3000000001', carrier: 'ヤマト', trackingNo: '4321-0987-6505' }], 'manual');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.accepted.map((a) => [a.index, a.trackingNo, a.qoo10CarrierName, a.outcome]), [[0, '432109876505', 'ヤマト宅急便', 'submitted']]);
    assert.deepEqual(qoo10.calls, [{ method: 'single', rows: 1 }]);
    const [row] = await t.db.dataSource.query("SELECT source, source_ref FROM tracking_numbers WHERE order_no = '3000000001'");
    assert.deepEqual(row, { source: 'manual', source_ref: 'manual[0]' });
  });

  test('in an array, a bad check digit and an unknown carrier are held by index while the good items go through, cart lines included', async () => {
    qoo10.calls.length = 0;
    const report = await t.service.submitShipments(
      [
        { orderNo: '3000000002', carrier: 'yamato', trackingNo: yamatoNumber(1234) },
        { orderNo: '3000000004', carrier: 'sagawa', trackingNo: '182700456121' },
        { orderNo: '3000000004', carrier: 'XYZ Express', trackingNo: 'XYZ-0001' },
      ],
      'api',
    );
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.held.map((h) => [h.index, h.reasons.map((r) => r.code)]), [[1, ['check_digit_mismatch']], [2, ['unknown_carrier']]]);
    assert.deepEqual(report.accepted.map((a) => [a.index, a.orderNos, a.qoo10CarrierName, a.outcome]), [
      [0, ['3000000002', '3000000003'], 'ヤマト宅急便', 'submitted'],
    ]);
    assert.deepEqual(qoo10.calls, [{ method: 'single', rows: 1 }, { method: 'single', rows: 1 }]);
  });

  test('the same number for an order outside its cart is refused, whoever sends it', async () => {
    const report = await t.service.submitShipments([{ orderNo: '3000000004', carrier: 'ヤマト', trackingNo: '432109876505' }], 'api');
    assert.deepEqual(report.errors.map((e) => [e.index, e.code]), [[0, 'duplicate_tracking']]);
    assert.match(report.errors[0]!.message, /order 3000000001/);
  });

  test('a cart whose every line is cancelled gets no number; a cancelled line\'s open sibling does', async () => {
    await storeOrders(t, [{ orderNo: '3000000010' }, { orderNo: '3000000011', packNo: '8011' }, { orderNo: '3000000012', packNo: '8011' }]);
    qoo10.addOrder('3000000012', '8011');
    for (const orderNo of ['3000000010', '3000000011']) await t.orders.markCancelled(t.shop.id, orderNo, new Date());
    const report = await t.service.submitShipments(
      [
        { orderNo: '3000000010', carrier: 'ヤマト', trackingNo: yamatoNumber(2010) },
        { orderNo: '3000000011', carrier: 'ヤマト', trackingNo: yamatoNumber(2011) },
      ],
      'api',
    );
    assert.deepEqual(report.errors.map((e) => [e.index, e.code]), [[0, 'order_cancelled']]);
    assert.deepEqual(report.accepted.map((a) => [a.index, a.matchedBy, a.orderNos, a.outcome]), [[1, 'order_no', ['3000000012'], 'submitted']]);
  });

  test('an unknown shop is refused per item', async () => {
    const report = await t.service.submitShipments(
      [{ orderNo: '3000000004', carrier: 'ヤマト', trackingNo: yamatoNumber(99), shopId: '00000000-0000-0000-0000-000000000000' }],
      'api',
    );
    assert.deepEqual(report.errors.map((e) => [e.index, e.code]), [[0, 'unknown_shop']]);
  });
});

describe('a large import', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    const orderNos = Array.from({ length: 1200 }, (_, i) => String(4000000000 + i));
    await t.orders.upsertOrders(t.shop.id, orderNos.map((orderNo) => anOrder({ orderNo, packNo: orderNo })));
    for (const orderNo of orderNos) qoo10.addOrder(orderNo);
  });
  after(() => t.close());

  test('goes to Qoo10 in SetSendingInfoBulk calls of at most 500 rows', async () => {
    const csv = ['order_no,carrier,tracking_no', ...Array.from({ length: 1200 }, (_, i) => `${4000000000 + i},ヤマト運輸,${yamatoNumber(50_000_000 + i)}`)].join('\r\n');
    const report = await t.service.importLabelFile({ file: Buffer.from(csv, 'utf8'), fileName: 'wms.csv' });
    assert.equal(report.format, 'generic');
    assert.equal(report.counts.submitted, 1200);
    assert.deepEqual(qoo10.calls, [{ method: 'bulk', rows: 500 }, { method: 'bulk', rows: 500 }, { method: 'bulk', rows: 200 }]);
    assert.equal(qoo10.sent.length, 1200);
  });
});

describe('when Qoo10\'s answer is lost', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    const orderNos = ['5000000001', '5000000002', '5000000003', '5000000004', '5000000005'];
    await storeOrders(t, orderNos.map((orderNo) => ({ orderNo })));
    for (const orderNo of orderNos) qoo10.addOrder(orderNo);
  });
  after(() => t.close());

  test('the rows stay "sending", are not sent again by a re-run, and reconcile settles them by re-reading', async () => {
    qoo10.loseAnswers = 'applied';
    const items = ['5000000001', '5000000002', '5000000003', '5000000004', '5000000005'].map((orderNo, i) => ({
      orderNo,
      carrier: 'ヤマト',
      trackingNo: yamatoNumber(60_000_000 + i),
    }));
    const first = await t.service.submitShipments(items, 'api');
    assert.equal(first.counts.unknown, 5);
    assert.ok(first.accepted.every((a) => a.outcome === 'sending'));

    qoo10.loseAnswers = null;
    const callsBefore = qoo10.calls.length;
    const again = await t.service.submitShipments(items, 'api');
    assert.equal(qoo10.calls.length, callsBefore, 'an unknown outcome is never resent blindly');
    assert.equal(again.counts.unknown, 5);

    // Later than the stale limit: the executor re-reads each order and finds our number on Qoo10.
    const tally = await t.executor.reconcile(t.shop, qoo10, new Date(Date.now() + 10 * 60_000));
    assert.equal(tally.succeeded, 5);
    assert.equal(qoo10.calls.length, callsBefore);
    assert.deepEqual(new Set(Object.values(await trackingStatuses(t))), new Set(['submitted']));
  });
});

describe('when Qoo10 refuses the key', () => {
  let t: TrackingStack;
  const qoo10 = new (class extends FakeQoo10Client {
    override async setSendingInfoBulk(): Promise<never> {
      throw new Qoo10AuthError('ShippingBasic.SetSendingInfoBulk failed with Qoo10 code -90003', { qoo10Code: -90003 });
    }
  })();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, ['5100000001', '5100000002', '5100000003', '5100000004'].map((orderNo) => ({ orderNo })));
  });
  after(() => t.close());

  test('nothing was applied, so the rows go back in line for the next poll', async () => {
    const report = await t.service.submitShipments(
      ['5100000001', '5100000002', '5100000003', '5100000004'].map((orderNo, i) => ({ orderNo, carrier: 'ヤマト', trackingNo: yamatoNumber(70_000_000 + i) })),
      'api',
    );
    assert.equal(report.counts.waiting, 4);
    const states = await t.db.dataSource.query("SELECT DISTINCT state, error_code FROM actions WHERE kind = 'send_tracking'");
    assert.deepEqual(states, [{ state: 'pending', error_code: 'qoo10_auth_failed' }]);
  });
});

describe('a refusal and an import of the same number', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, [{ orderNo: '6000000001', packNo: '9006' }, { orderNo: '6000000002', packNo: '9006' }]);
    qoo10.addOrder('6000000001', '9006');
    qoo10.addOrder('6000000002', '9006');
  });
  after(() => t.close());

  test('share the outbox key: the import sends the refusal\'s queued rows once and settles the request', async () => {
    const shopId = t.shop.id;
    const trackingNo = '432109876505';
    const keys = ['6000000001', '6000000002'].map((orderNo) => sendTrackingKey(shopId, orderNo, trackingNo));
    // What DecisionService does for a refusal: a request in 'acting' waiting on one row per cart line.
    await t.db.dataSource.transaction(async (em) => {
      const [request] = await em.query(
        `INSERT INTO cancel_requests (shop_id, order_no, pack_no, requested_at, status) VALUES ($1, '6000000001', '9006', now(), 'acting') RETURNING id`,
        [shopId],
      );
      const [decision] = await em.query(
        `INSERT INTO decisions (request_id, kind, code, reason, trail, decided_by, action_keys)
         VALUES ($1, 'refuse', 'shipped_with_tracking', 'shipped', '[]'::jsonb, 'auto', $2) RETURNING id`,
        [request.id, keys],
      );
      await em.query('UPDATE cancel_requests SET current_decision_id = $2 WHERE id = $1', [request.id, decision.id]);
      for (const [i, orderNo] of ['6000000001', '6000000002'].entries()) {
        await t.actions.enqueue(em, {
          shopId, requestId: String(request.id), decisionId: String(decision.id), kind: 'send_tracking', orderNo,
          idempotencyKey: keys[i]!, request: { orderNo, carrier: 'ヤマト宅急便', trackingNo },
        });
      }
    });

    const report = await t.service.submitShipments([{ orderNo: '6000000001', carrier: 'ヤマト', trackingNo }], 'api');
    assert.equal(report.accepted[0]!.outcome, 'submitted');
    assert.deepEqual(qoo10.sent.map((r: SendingInfoRow) => r.orderNo).sort(), ['6000000001', '6000000002']);
    const [{ count }] = await t.db.dataSource.query("SELECT count(*)::int AS count FROM actions WHERE kind = 'send_tracking'");
    assert.equal(count, 2);
    // Both rows succeeded: the refusal now waits for the follow-up's re-read of the order (done only when
    // Qoo10 shows the request ended; else a refuse_in_qsm task), never recorded as refused on our say-so.
    const [request] = await t.db.dataSource.query('SELECT status, outcome FROM cancel_requests');
    assert.deepEqual(request, { status: 'acting', outcome: null });
  });

  test('a bulk import recorded chunk by chunk still settles a refusal waiting on one of its rows', async () => {
    const shopId = t.shop.id;
    const orderNos = ['6000000011', '6000000012', '6000000013', '6000000014', '6000000015'];
    await storeOrders(t, orderNos.map((orderNo) => ({ orderNo })));
    for (const orderNo of orderNos) qoo10.addOrder(orderNo);
    const trackingNo = yamatoNumber(6_000_011);
    const key = sendTrackingKey(shopId, '6000000011', trackingNo);
    await t.db.dataSource.transaction(async (em) => {
      const [request] = await em.query(
        `INSERT INTO cancel_requests (shop_id, order_no, pack_no, requested_at, status) VALUES ($1, '6000000011', '6000000011', now(), 'acting') RETURNING id`,
        [shopId],
      );
      const [decision] = await em.query(
        `INSERT INTO decisions (request_id, kind, code, reason, trail, decided_by, action_keys)
         VALUES ($1, 'refuse', 'shipped_with_tracking', 'shipped', '[]'::jsonb, 'auto', $2) RETURNING id`,
        [request.id, [key]],
      );
      await em.query('UPDATE cancel_requests SET current_decision_id = $2 WHERE id = $1', [request.id, decision.id]);
    });
    qoo10.calls.length = 0;
    const report = await t.service.submitShipments(
      orderNos.map((orderNo, i) => ({ orderNo, carrier: 'ヤマト', trackingNo: i === 0 ? trackingNo : yamatoNumber(6_000_011 + i) })),
      'api',
    );
    assert.deepEqual(qoo10.calls, [{ method: 'bulk', rows: 5 }]);
    assert.ok(report.accepted.every((a) => a.outcome === 'submitted'));
    // Every row of the refusal succeeded: it now waits for the follow-up's re-read of the order.
    const [request] = await t.db.dataSource.query("SELECT status, outcome FROM cancel_requests WHERE order_no = '6000000011'");
    assert.deepEqual(request, { status: 'acting', outcome: null });
    const [{ n }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM actions WHERE idempotency_key = $1 AND state = 'succeeded'`, [key],
    );
    assert.equal(n, 1, 'the refusal\'s row is settled by the bulk import');
    const orders: Array<{ shipping_status: number; tracking_no: string }> = await t.db.dataSource.query(
      'SELECT shipping_status, tracking_no FROM orders WHERE order_no = ANY($1) ORDER BY order_no', [orderNos],
    );
    assert.deepEqual(orders.map((o) => [o.shipping_status, o.tracking_no]), orderNos.map((_, i) => [4, i === 0 ? trackingNo : yamatoNumber(6_000_011 + i)]));
    const states: Array<{ state: string }> = await t.db.dataSource.query("SELECT DISTINCT state FROM actions WHERE order_no = ANY($1)", [orderNos]);
    assert.deepEqual(states, [{ state: 'succeeded' }]);
  });
});

describe('confirmation after a poll', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, [{ orderNo: '7000000001' }, { orderNo: '7000000002' }]);
    qoo10.addOrder('7000000001');
    qoo10.addOrder('7000000002');
  });
  after(() => t.close());

  test('our own write does not confirm a number; a later poll showing it in 配送中 does', async () => {
    await t.service.submitShipments(
      [
        { orderNo: '7000000001', carrier: 'ヤマト', trackingNo: yamatoNumber(80_000_001) },
        { orderNo: '7000000002', carrier: 'ヤマト', trackingNo: yamatoNumber(80_000_002) },
      ],
      'api',
    );
    assert.equal(await t.service.confirmFromOrders(t.shop.id), 0);

    // The poll sees 7000000001 in delivery with our number, and 7000000002 with someone else's.
    await t.orders.upsertOrders(t.shop.id, [
      anOrder({ orderNo: '7000000001', packNo: '7000000001', shippingStatus: 4, trackingNo: yamatoNumber(80_000_001), carrier: 'ヤマト宅急便' }),
      anOrder({ orderNo: '7000000002', packNo: '7000000002', shippingStatus: 4, trackingNo: yamatoNumber(90_000_000), carrier: 'ヤマト宅急便' }),
    ]);
    assert.equal(await t.service.confirmFromOrders(t.shop.id), 1);
    assert.deepEqual(await trackingStatuses(t), { '7000000001': 'confirmed', '7000000002': 'submitted' });
  });
});

describe('the same-day cut-off', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  // 2026-11-10, cut-off 17:00 JST (08:00Z).
  const handedMorning = new Date('2026-11-10T01:00:00Z'); // 10:00 JST
  const handedEvening = new Date('2026-11-10T09:30:00Z'); // 18:30 JST, after the cut-off
  before(async () => {
    t = await createTrackingStack({ client: qoo10, policy: { sameDayCutoffJst: '17:00' } });
    await storeOrders(t, [{ orderNo: '8000000001' }, { orderNo: '8000000002' }, { orderNo: '8000000003' }]);
    qoo10.addOrder('8000000002');
    await t.facts.recordOrderFact(t.shop.id, '8000000001', { handedToCarrierAt: handedMorning });
    await t.facts.recordOrderFact(t.shop.id, '8000000002', { handedToCarrierAt: handedMorning });
    await t.facts.recordOrderFact(t.shop.id, '8000000003', { handedToCarrierAt: handedEvening });
    await t.service.submitShipments([{ orderNo: '8000000002', carrier: 'ヤマト', trackingNo: yamatoNumber(81_000_000) }], 'api');
  });
  after(() => t.close());

  test('nothing is raised before the cut-off', async () => {
    assert.equal(await t.service.checkSameDayCutoff(t.shop, new Date('2026-11-10T07:59:00Z')), 0);
  });

  test('after it, one critical alert per handed-over order still without a submitted number, once', async () => {
    const after17 = new Date('2026-11-10T08:01:00Z');
    assert.equal(await t.service.checkSameDayCutoff(t.shop, after17), 1);
    assert.equal(await t.service.checkSameDayCutoff(t.shop, after17), 0);
    const [alert] = await t.alertsRepository.recentAlerts(10, t.shop.id);
    assert.equal(alert!.kind, 'tracking_not_submitted');
    assert.equal(alert!.severity, 'critical');
    assert.equal(alert!.payload.orderNo, '8000000001');
    assert.match(alert!.subject, /追跡番号/);
    assert.match(alert!.body, /2026-11-10 17:00/);
    assert.doesNotMatch(`${alert!.subject}${alert!.body}`, /Buyer|buyer@/);
  });

  test('a parcel handed over after the cut-off has until the end of that JST day', async () => {
    assert.equal(await t.service.checkSameDayCutoff(t.shop, new Date('2026-11-10T14:59:00Z')), 0);
    assert.equal(await t.service.checkSameDayCutoff(t.shop, new Date('2026-11-10T15:00:00Z')), 1);
  });
});
