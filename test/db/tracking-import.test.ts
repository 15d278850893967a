// Imports of the real-shaped label exports in test/fixtures/label-csv (Shift_JIS, UTF-8 with BOM...)
// against a real PostgreSQL, with orders whose numbers match the files' management numbers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeQoo10Client } from '../helpers/fake-qoo10-client';
import { createTrackingStack, storeOrders, type TrackingStack } from '../helpers/tracking-stack';
import { LabelFileRefusedError } from '../../src/services/tracking-service';
import type { TrackingReport } from '../../src/services/tracking-import';

const FIXTURES = [path.resolve(__dirname, '../../../test/fixtures/label-csv'), path.resolve('test/fixtures/label-csv')].find((dir) => existsSync(dir));
const fixture = (name: string) => readFileSync(path.join(FIXTURES!, name));

const at = (problems: TrackingReport['errors']) => problems.map((p) => [p.line, p.code]);
const acceptedSummary = (report: TrackingReport) => report.accepted.map((a) => [a.line, a.orderNos, a.trackingNo, a.qoo10CarrierName, a.outcome]);

describe('importing a B2クラウド export (Shift_JIS)', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  let first: TrackingReport;

  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    // 1043000001 is the first line of a two-line cart; 1043000009 is not known to the service.
    await storeOrders(t, [
      { orderNo: '1043000001', packNo: '7001' },
      { orderNo: '1043000011', packNo: '7001' },
      { orderNo: '1043000002' },
      { orderNo: '1043000003' },
      { orderNo: '1043000008' },
      { orderNo: '1043000099' },
    ]);
    for (const orderNo of ['1043000001', '1043000011', '1043000002', '1043000003', '1043000008', '1043000099']) qoo10.addOrder(orderNo);
    // Line 5's number was already given for another order (a mis-paste from an earlier file).
    await t.db.dataSource.query(
      `INSERT INTO tracking_numbers (shop_id, order_no, carrier, qoo10_carrier_name, tracking_no, source, status)
       VALUES ($1, '1043000099', 'yamato', 'ヤマト宅急便', '432109876726', 'manual', 'submitted')`,
      [t.shop.id],
    );
    first = await t.service.importLabelFile({ file: fixture('yamato-b2.sjis.csv'), fileName: 'yamato-b2.sjis.csv' });
  });
  after(() => t.close());

  test('reads the file as B2 in CP932', () => {
    assert.equal(first.format, 'yamato-b2');
    assert.equal(first.encoding, 'cp932');
  });

  test('submits each accepted number for every line of its cart, with the shop\'s Qoo10 carrier names', () => {
    assert.deepEqual(acceptedSummary(first), [
      [2, ['1043000001', '1043000011'], '432109876505', 'ヤマト宅急便', 'submitted'],
      [3, ['1043000002'], '432109876612', 'ネコポス', 'submitted'],
      [12, ['1043000008'], '365012345670', 'ヤマト宅急便', 'submitted'],
    ]);
    assert.deepEqual(
      qoo10.sent.map((row) => row.orderNo),
      ['1043000001', '1043000011', '1043000002', '1043000008'],
    );
    // Four outbox rows are more than a few: one SetSendingInfoBulk call.
    assert.deepEqual(qoo10.calls, [{ method: 'bulk', rows: 4 }]);
  });

  test('reports every refused row on its line with the reason, the unknown order and the reused number included', () => {
    assert.deepEqual(at(first.errors), [
      [5, 'duplicate_tracking'],
      [7, 'missing_tracking'],
      [8, 'too_few_fields'],
      [10, 'duplicate_tracking'],
      [11, 'no_reference'],
      [13, 'unknown_order'],
    ]);
    assert.deepEqual(first.held.map((h) => [h.line, h.reasons.map((r) => r.code)]), [[6, ['check_digit_mismatch']], [14, ['check_digit_mismatch']]]);
    assert.match(first.errors[0]!.message, /already registered for order 1043000099/);
    assert.match(first.errors.find((e) => e.line === 13)!.message, /"1043000009"/);
    assert.match(first.errors.find((e) => e.line === 11)!.message, /management number/);
    assert.deepEqual(at(first.warnings), [[12, 'unknown_service_code']]);
    assert.deepEqual(
      { rows: first.counts.rows, accepted: first.counts.accepted, held: first.counts.held, refused: first.counts.refused, orderLines: first.counts.orderLines },
      { rows: 11, accepted: 3, held: 2, refused: 6, orderLines: 4 },
    );
  });

  test('stores each number per order line as submitted, with its source line, and the orders as in delivery', async () => {
    const rows = await t.db.dataSource.query(
      `SELECT order_no, tracking_no, source, source_ref, status FROM tracking_numbers
       WHERE shop_id = $1 AND source = 'csv' ORDER BY order_no`,
      [t.shop.id],
    );
    assert.deepEqual(
      rows.map((r: Record<string, string>) => [r.order_no, r.source_ref, r.status]),
      [
        ['1043000001', 'yamato-b2.sjis.csv:2', 'submitted'],
        ['1043000002', 'yamato-b2.sjis.csv:3', 'submitted'],
        ['1043000008', 'yamato-b2.sjis.csv:12', 'submitted'],
        ['1043000011', 'yamato-b2.sjis.csv:2', 'submitted'],
      ],
    );
    const order = await t.orders.findOrder(t.shop.id, '1043000011');
    assert.equal(order?.shippingStatus, 4);
    assert.equal(order?.trackingNo, '432109876505');
  });

  test('a second run of the same file sends nothing new and says so', async () => {
    const callsBefore = qoo10.calls.length;
    const again = await t.service.importLabelFile({ file: fixture('yamato-b2.sjis.csv'), fileName: 'yamato-b2.sjis.csv' });
    assert.equal(qoo10.calls.length, callsBefore);
    assert.equal(again.counts.alreadyKnown, 3);
    assert.ok(again.accepted.every((a) => a.alreadyKnown && a.outcome === 'submitted'));
    const [{ count }] = await t.db.dataSource.query("SELECT count(*)::int AS count FROM actions WHERE kind = 'send_tracking'");
    assert.equal(count, 4);
  });

  test('messages never quote recipient names, phones or postcodes from the file', () => {
    for (const problem of [...first.errors, ...first.warnings]) {
      assert.doesNotMatch(problem.message, /山田|佐藤|鈴木|高橋|サンプル|03-0000|090-|100-0001|530-0001/, problem.message);
    }
  });
});

describe('importing an e飛伝Ⅱ export (Shift_JIS) with a cart number and a carrier-name override', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  let report: TrackingReport;

  before(async () => {
    t = await createTrackingStack({ client: qoo10, carrierNames: { sagawa: '佐川急便（飛脚宅配便）' } });
    // 1043100002 in the file is the cart (PackNo) of two lines, as some shops print it.
    await storeOrders(t, [
      { orderNo: '1043100001' },
      { orderNo: '1043100021', packNo: '1043100002' },
      { orderNo: '1043100022', packNo: '1043100002' },
    ]);
    for (const orderNo of ['1043100001', '1043100021', '1043100022']) qoo10.addOrder(orderNo);
    report = await t.service.importLabelFile({ file: fixture('sagawa-ehiden2.sjis.csv'), fileName: 'ehiden.csv' });
  });
  after(() => t.close());

  test('a management number that is a PackNo takes every open line of the cart', () => {
    assert.equal(report.format, 'sagawa-ehiden2');
    assert.deepEqual(acceptedSummary(report), [
      [2, ['1043100001'], '182700456120', '佐川急便（飛脚宅配便）', 'submitted'],
      [3, ['1043100021', '1043100022'], '182700456234', '佐川急便（飛脚宅配便）', 'submitted'],
    ]);
    assert.deepEqual(qoo10.sent.map((r) => r.carrier), ['佐川急便（飛脚宅配便）', '佐川急便（飛脚宅配便）', '佐川急便（飛脚宅配便）']);
  });

  test('reports the parser\'s refusals and the unknown order by line', () => {
    assert.deepEqual(report.held.map((h) => h.line), [4, 6]);
    assert.deepEqual(at(report.errors), [
      [5, 'missing_tracking'],
      [7, 'too_few_fields'],
      [9, 'duplicate_tracking'],
      [10, 'unknown_order'],
    ]);
  });
});

describe('importing a ゆうプリR export (Shift_JIS) where Qoo10 refuses one order', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  let report: TrackingReport;

  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, ['1043300001', '1043300002', '1043300003', '1043300004'].map((orderNo) => ({ orderNo })));
    for (const orderNo of ['1043300001', '1043300002', '1043300003', '1043300004']) qoo10.addOrder(orderNo);
    qoo10.refuse.add('1043300004');
    report = await t.service.importLabelFile({ file: fixture('japanpost-yupri.sjis.csv'), fileName: 'yupri.csv', format: 'japanpost-yupri' });
  });
  after(() => t.close());

  test('the good rows go through, the refused one says what Qoo10 answered', () => {
    assert.deepEqual(
      report.accepted.map((a) => [a.line, a.outcome]),
      [[2, 'submitted'], [3, 'submitted'], [4, 'submitted'], [5, 'rejected']],
    );
    assert.match(report.accepted[3]!.error ?? '', /^qoo10_wrong_state: .*-10004/);
    assert.equal(report.counts.rejected, 1);
  });

  test('a Japan Post check-digit doubt is accepted with its warning', () => {
    assert.deepEqual(at(report.warnings), [[3, 'check_digit_unconfirmed']]);
  });

  test('the refused number is stored as rejected, listed with Qoo10\'s answer, and alerted', async () => {
    const rejected = await t.service.listShipments({ status: 'rejected' });
    assert.deepEqual(rejected.map((s) => [s.orderNo, s.trackingNo, s.actionState]), [['1043300004', 'EE123456785JP', 'failed']]);
    assert.match(rejected[0]!.error ?? '', /qoo10_wrong_state/);
    assert.equal((rejected[0]!.qoo10Response as { code: number }).code, -10004);
    const alerts = await t.alertsRepository.recentAlerts(10, t.shop.id);
    assert.deepEqual(alerts.filter((a) => a.kind !== 'tracking_held').map((a) => [a.kind, a.payload.orderNo]), [['action_refused', '1043300004']]);
    assert.deepEqual(alerts.filter((a) => a.kind === 'tracking_held').map((a) => a.payload.count), [2], 'the two junk rows are held, once');
  });
});

describe('a file that is no known label export', () => {
  let t: TrackingStack;
  before(async () => {
    t = await createTrackingStack({ client: new FakeQoo10Client() });
  });
  after(() => t.close());

  test('is refused as a whole, naming the accepted formats', async () => {
    await assert.rejects(
      t.service.importLabelFile({ file: Buffer.from('品番,数量\nA-1,3\n', 'utf8'), fileName: 'stock.csv' }),
      (error: unknown) => {
        assert.ok(error instanceof LabelFileRefusedError);
        assert.equal(error.status, 400);
        assert.equal(error.code, 'unknown_label_format');
        assert.match(error.message, /yamato-b2.*sagawa-ehiden2.*sagawa-ehiden3.*japanpost-yupri.*clickpost.*generic/);
        return true;
      },
    );
  });

  test('a forced format whose columns are missing is refused naming the column', async () => {
    await assert.rejects(
      t.service.importLabelFile({ file: fixture('clickpost.utf8.csv'), fileName: 'x.csv', format: 'yamato-b2' }),
      (error: unknown) => error instanceof LabelFileRefusedError && /お客様管理番号|伝票番号/.test(error.message),
    );
  });
});
