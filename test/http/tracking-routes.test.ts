import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { FakeQoo10Client } from '../helpers/fake-qoo10-client';
import { createTrackingStack, storeOrders, TRACKING_TEST_TOKEN, type TrackingStack } from '../helpers/tracking-stack';

const FIXTURES = [path.resolve(__dirname, '../../../test/fixtures/label-csv'), path.resolve('test/fixtures/label-csv')].find((dir) => existsSync(dir));
const auth = { Authorization: `Bearer ${TRACKING_TEST_TOKEN}` };
const fields = (body: { details: Array<{ field: string }> }) => body.details.map((d) => d.field);

describe('tracking routes', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, [{ orderNo: '1043000001' }, { orderNo: '1043000002' }, { orderNo: '1043000008' }, { orderNo: '9100000001' }]);
    for (const orderNo of ['1043000001', '1043000002', '1043000008', '9100000001']) qoo10.addOrder(orderNo);
  });
  after(() => t.close());

  for (const [method, url] of [
    ['get', '/api/shipments'],
    ['post', '/api/shipments'],
    ['post', '/api/shipments/import'],
    ['get', '/api/shipments/held'],
    ['post', '/api/shipments/held/1'],
    ['post', '/api/shipments/held/1/discard'],
    ['post', '/api/shipments/1/resend'],
  ] as const) {
    test(`${method.toUpperCase()} ${url} answers 401 without the admin token`, async () => {
      const res = await request(t.app)[method](url);
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'unauthorized');
    });
  }

  test('POST /api/shipments takes one object and answers the report', async () => {
    const res = await request(t.app).post('/api/shipments').set(auth).send({ orderNo: '9100000001', carrier: 'yamato', trackingNo: '432109876833' });
    assert.equal(res.status, 200);
    assert.equal(res.body.shopId, t.shop.id);
    assert.deepEqual(res.body.counts, { rows: 1, accepted: 1, held: 0, refused: 0, orderLines: 1, submitted: 1, rejected: 0, unknown: 0, waiting: 0, alreadyKnown: 0 });
    assert.deepEqual(res.body.accepted, [
      {
        index: 0, shopId: t.shop.id, reference: '9100000001', matchedBy: 'order_no', orderNos: ['9100000001'], trackingNo: '432109876833',
        qoo10CarrierName: 'ヤマト宅急便', outcome: 'submitted', alreadyKnown: false, error: null,
      },
    ]);
    assert.deepEqual(res.body.errors, []);
  });

  test('a bad body is a 400 naming each field, by item in an array', async () => {
    const res = await request(t.app)
      .post('/api/shipments')
      .set(auth)
      .send([
        { orderNo: '9100000001', carrier: 'ヤマト', trackingNo: '432109876833' },
        { orderNo: 9100000001, carrier: 'ヤマト', colour: 'red' },
      ]);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'validation_failed');
    assert.deepEqual([...new Set(fields(res.body))].sort(), ['[1].colour', '[1].orderNo', '[1].trackingNo']);
    assert.match(res.body.message, /\[1\]\.orderNo/);
  });

  test('an item that is not an object is named by its index', async () => {
    const res = await request(t.app).post('/api/shipments').set(auth).send(['432109876833', null]);
    assert.equal(res.status, 400);
    assert.deepEqual(fields(res.body), ['[0]', '[1]']);
  });

  test('an empty array and a non-JSON body are 400', async () => {
    assert.equal((await request(t.app).post('/api/shipments').set(auth).send([])).status, 400);
    const text = await request(t.app).post('/api/shipments').set(auth).set('Content-Type', 'text/plain').send('9100000001,ヤマト,1');
    assert.equal(text.status, 400);
    assert.deepEqual(fields(text.body), ['body']);
  });

  test('POST /api/shipments/import takes Shift_JIS bytes intact and answers the per-line report', async () => {
    const res = await request(t.app)
      .post('/api/shipments/import?filename=b2.csv')
      .set(auth)
      .set('Content-Type', 'application/octet-stream')
      .send(readFileSync(path.join(FIXTURES!, 'yamato-b2.sjis.csv')));
    assert.equal(res.status, 200);
    assert.equal(res.body.format, 'yamato-b2');
    assert.equal(res.body.encoding, 'cp932');
    assert.deepEqual(res.body.accepted.map((a: { line: number; outcome: string }) => [a.line, a.outcome]), [[2, 'submitted'], [3, 'submitted'], [12, 'submitted']]);
    assert.deepEqual(
      res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code]),
      [[5, 'unknown_order'], [7, 'missing_tracking'], [8, 'too_few_fields'], [10, 'duplicate_tracking'], [11, 'no_reference'], [13, 'unknown_order']],
    );
    assert.deepEqual(res.body.held.map((h: { line: number; reasons: Array<{ code: string }> }) => [h.line, h.reasons.map((r) => r.code)]), [
      [6, ['check_digit_mismatch']],
      [14, ['check_digit_mismatch']],
    ]);
    assert.ok(res.body.errors.every((e: Record<string, unknown>) => typeof e.message === 'string' && !('index' in e)));
  });

  test('a file of no known format is a 400 naming the accepted formats', async () => {
    const res = await request(t.app).post('/api/shipments/import').set(auth).set('Content-Type', 'text/csv').send('品番,数量\nA-1,3\n');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'unknown_label_format');
    for (const format of ['yamato-b2', 'sagawa-ehiden2', 'sagawa-ehiden3', 'japanpost-yupri', 'clickpost', 'generic']) assert.match(res.body.message, new RegExp(format));
  });

  test('an Excel workbook is a 400 that says to save it as CSV', async () => {
    const res = await request(t.app).post('/api/shipments/import').set(auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('PK\u0003\u0004 not really a workbook', 'latin1'));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'label_not_csv');
    assert.match(res.body.message, /CSV/);
  });

  test('an unknown ?format= is a 400 naming the field; an empty upload too', async () => {
    const bad = await request(t.app).post('/api/shipments/import?format=b2').set(auth).set('Content-Type', 'text/csv').send('a,b\n');
    assert.equal(bad.status, 400);
    assert.deepEqual(fields(bad.body), ['format']);
    const empty = await request(t.app).post('/api/shipments/import').set(auth).set('Content-Type', 'text/csv').send('');
    assert.equal(empty.status, 400);
    assert.deepEqual(fields(empty.body), ['body']);
  });

  test('a file over the size limit is a 413 JSON answer', async () => {
    const res = await request(t.app).post('/api/shipments/import').set(auth).set('Content-Type', 'text/csv').send(Buffer.alloc(21 * 1024 * 1024, 0x41));
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'payload_too_large');
  });

  test('GET /api/shipments lists submissions with status, source and Qoo10\'s answer, filtered and limited', async () => {
    const all = await request(t.app).get('/api/shipments?limit=2').set(auth);
    assert.equal(all.status, 200);
    assert.equal(all.body.shipments.length, 2);
    const [first] = all.body.shipments;
    assert.deepEqual(Object.keys(first).sort(), [
      'actionState', 'attempts', 'carrier', 'confirmedAt', 'createdAt', 'error', 'id', 'orderNo', 'qoo10CarrierName',
      'qoo10Response', 'source', 'sourceRef', 'status', 'submittedAt', 'trackingNo',
    ]);
    const csv = await request(t.app).get('/api/shipments?status=submitted&limit=100').set(auth);
    assert.deepEqual(
      csv.body.shipments.map((s: { orderNo: string; source: string; sourceRef: string }) => [s.orderNo, s.source, s.sourceRef]).sort(),
      [['1043000001', 'csv', 'b2.csv:2'], ['1043000002', 'csv', 'b2.csv:3'], ['1043000008', 'csv', 'b2.csv:12'], ['9100000001', 'api', 'api[0]']],
    );
    const bad = await request(t.app).get('/api/shipments?status=lost&limit=0').set(auth);
    assert.equal(bad.status, 400);
    assert.deepEqual(fields(bad.body).sort(), ['limit', 'status']);
  });
});
