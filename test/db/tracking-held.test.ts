// Rows held for a person (junk carrier or number) on a real PostgreSQL: stored by line and never sent,
// corrected or confirmed and submitted through the one intake path, discarded; and a number Qoo10
// rejected sent again under its outbox key, by a person, with the refused attempt kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { FakeQoo10Client } from '../helpers/fake-qoo10-client';
import { createTrackingStack, storeOrders, TRACKING_TEST_TOKEN, type TrackingStack } from '../helpers/tracking-stack';
import { ValidationFailedError } from '../../src/errors';
import type { TrackingReport } from '../../src/services/tracking-import';

const FIXTURES = [path.resolve(__dirname, '../../../test/fixtures/label-csv'), path.resolve('test/fixtures/label-csv')].find((dir) => existsSync(dir));
const fixture = (name: string) => readFileSync(path.join(FIXTURES!, name));
const auth = { Authorization: `Bearer ${TRACKING_TEST_TOKEN}` };
const JUNK_ORDERS = Array.from({ length: 12 }, (_, i) => String(1043500001 + i));

describe('an import with junk rows', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  let report: TrackingReport;
  const heldId = (line: number) => report.held.find((h) => h.line === line)!.id;

  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, JUNK_ORDERS.map((orderNo) => ({ orderNo })));
    for (const orderNo of JUNK_ORDERS) qoo10.addOrder(orderNo);
    report = await t.service.importLabelFile({ file: fixture('junk.utf8.csv'), fileName: 'junk.csv' });
  });
  after(() => t.close());

  test('sends only the clean rows and reports each held row by line with its id', async () => {
    assert.deepEqual(qoo10.sent.map((r) => r.orderNo).sort(), ['1043500001', '1043500010', '1043500011']);
    assert.deepEqual(report.held.map((h) => h.line), [3, 4, 5, 6, 7, 8, 9, 10, 13]);
    assert.equal(report.counts.held, 9);
    assert.equal(report.counts.accepted, 3);
    const stored = await t.held.list({});
    assert.deepEqual(stored.map((h) => [h.id, h.sourceRef, h.status]), report.held.map((h) => [h.id, `junk.csv:${h.line}`, 'held']));
    const [{ count }] = await t.db.dataSource.query("SELECT count(*)::int AS count FROM tracking_numbers WHERE order_no = ANY($1)", [['1043500002', '1043500003', '1043500009']]);
    assert.equal(count, 0, 'a held row is not a tracking number yet');
  });

  test('one warning alert tells the seller rows are held and where to look, without quoting the rows', async () => {
    const alerts = (await t.alertsRepository.recentAlerts(10, t.shop.id)).filter((a) => a.kind === 'tracking_held');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.severity, 'warning');
    assert.match(alerts[0]!.subject, /9件保留/);
    assert.match(alerts[0]!.body, /tracking held/);
    assert.doesNotMatch(alerts[0]!.body, /HYPERLINK|ABC便|1043500002/);
  });

  test('a row still junk cannot be submitted: a 400 naming the field, nothing sent', async () => {
    const calls = qoo10.calls.length;
    await assert.rejects(t.held.submit(heldId(4), 'tester'), (error: unknown) => {
      assert.ok(error instanceof ValidationFailedError);
      assert.deepEqual((error.details as Array<{ field: string; code: string }>).map((d) => [d.field, d.code]), [['trackingNo', 'formula_text']]);
      return true;
    });
    assert.equal(qoo10.calls.length, calls);
    assert.equal((await t.held.find(heldId(4))).status, 'held');
  });

  test('a person corrects the formula number, then submits it: it reaches Qoo10 once and the row closes', async () => {
    const corrected = await t.held.correct(heldId(4), { trackingNo: '432109876332' }, 'tester');
    assert.deepEqual(corrected.reasons, []);
    assert.equal(corrected.correctedBy, 'tester');
    const { held, report: sent } = await t.held.submit(heldId(4), 'tester');
    assert.equal(held.status, 'submitted');
    assert.equal(sent.accepted[0]!.outcome, 'submitted');
    assert.deepEqual(qoo10.sent.filter((r) => r.orderNo === '1043500003').map((r) => r.trackingNo), ['432109876332']);
    const [row] = await t.db.dataSource.query("SELECT source, source_ref, status FROM tracking_numbers WHERE order_no = '1043500003'");
    assert.deepEqual(row, { source: 'manual', source_ref: `held#${heldId(4)} (junk.csv:4)`, status: 'submitted' });
    await assert.rejects(t.held.submit(heldId(4), 'tester'), /already submitted or discarded/);
  });

  test('an unknown carrier is sent as written once a person confirms it by submitting the row unchanged', async () => {
    const { held } = await t.held.submit(heldId(10), 'tester');
    assert.equal(held.status, 'submitted');
    assert.deepEqual(qoo10.sent.filter((r) => r.orderNo === '1043500009').map((r) => r.carrier), ['ABC便']);
  });

  test('a corrected row for an order the shop does not have stays held with that reason', async () => {
    const { held, report: refused } = await t.held.submit(heldId(3), 'tester', { carrier: 'ヤマト運輸', orderNo: '1999999999' });
    assert.equal(held.status, 'held');
    assert.deepEqual(held.reasons.map((r) => [r.code, r.field]), [['unknown_order', 'orderNo']]);
    assert.deepEqual(refused.errors.map((e) => e.code), ['unknown_order']);
    assert.equal(held.orderNo, '1999999999');
  });

  test('a discarded row leaves the list and can no longer be submitted', async () => {
    const discarded = await t.held.discard(heldId(9), 'tester');
    assert.equal(discarded.status, 'discarded');
    assert.ok(!(await t.held.list({})).some((h) => h.id === heldId(9)));
    await assert.rejects(t.held.submit(heldId(9), 'tester'), /already submitted or discarded/);
  });

  test('GET /api/shipments/held lists open rows; POST /api/shipments/held/:id corrects and submits, a junk value is a 400 naming it', async () => {
    const list = await request(t.app).get('/api/shipments/held').set(auth);
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((h: { id: string; reasons: unknown[] }) => h.id === heldId(7) && h.reasons.length === 1));

    const stillBad = await request(t.app).post(`/api/shipments/held/${heldId(7)}`).set(auth).send({ carrier: 'ヤマト', trackingNo: '432109876661' });
    assert.equal(stillBad.status, 400);
    assert.deepEqual(stillBad.body.details.map((d: { field: string }) => d.field), ['trackingNo']);
    const unknownField = await request(t.app).post(`/api/shipments/held/${heldId(7)}`).set(auth).send({ colour: 'red' });
    assert.deepEqual(unknownField.body.details.map((d: { field: string }) => d.field), ['colour']);

    const ok = await request(t.app).post(`/api/shipments/held/${heldId(7)}`).set(auth).send({ carrier: 'ヤマト', person: 'api-user' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.held.status, 'submitted');
    assert.equal(ok.body.held.resolvedBy, 'api-user');
    assert.equal(ok.body.report.accepted[0].outcome, 'submitted');

    const missing = await request(t.app).post('/api/shipments/held/999999').set(auth).send({});
    assert.equal(missing.status, 404);
    const badId = await request(t.app).post('/api/shipments/held/abc').set(auth).send({});
    assert.equal(badId.status, 400);
  });
});

describe('rows from a UTF-8 header over Shift_JIS rows', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, [{ orderNo: '1043700001' }, { orderNo: '1043700002' }]);
    qoo10.addOrder('1043700001');
    qoo10.addOrder('1043700002');
  });
  after(() => t.close());

  test('are held, then go out with their B2 service once a person confirms them', async () => {
    const report = await t.service.importLabelFile({ file: fixture('junk-utf8-header-sjis-rows.csv'), fileName: 'b2-mixed.csv' });
    assert.equal(report.encoding, 'mixed');
    assert.equal(qoo10.sent.length, 0);
    assert.deepEqual(report.held.map((h) => [h.line, h.reasons.map((r) => r.code)]), [[2, ['mixed_encoding']], [3, ['mixed_encoding']]]);
    for (const h of report.held) assert.equal((await t.held.submit(h.id, 'tester')).held.status, 'submitted');
    assert.deepEqual(qoo10.sent.map((r) => [r.orderNo, r.carrier]), [['1043700001', 'ヤマト宅急便'], ['1043700002', 'ネコポス']]);
  });
});

describe('a number Qoo10 rejected', () => {
  let t: TrackingStack;
  const qoo10 = new FakeQoo10Client();
  before(async () => {
    t = await createTrackingStack({ client: qoo10 });
    await storeOrders(t, [{ orderNo: '1043800001' }]);
    qoo10.addOrder('1043800001');
  });
  after(() => t.close());

  test('is not sent again by a re-run, but a person can resend it corrected under the same key, the refused attempt kept', async () => {
    qoo10.refuse.add('1043800001');
    const first = await t.service.submitShipments([{ orderNo: '1043800001', carrier: 'ヤマト', trackingNo: '432109876505' }], 'api');
    assert.equal(first.accepted[0]!.outcome, 'rejected');
    qoo10.refuse.delete('1043800001');

    const calls = qoo10.calls.length;
    const again = await t.service.submitShipments([{ orderNo: '1043800001', carrier: 'ヤマト', trackingNo: '432109876505' }], 'api');
    assert.equal(again.accepted[0]!.outcome, 'rejected');
    assert.equal(qoo10.calls.length, calls, 'an automatic re-run never resends a definite rejection');

    const [rejected] = await t.service.listShipments({ status: 'rejected' });
    const res = await request(t.app).post(`/api/shipments/${rejected!.id}/resend`).set(auth).send({ carrier: 'ネコポス' });
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted[0].outcome, 'submitted');
    assert.deepEqual(qoo10.sent.map((r) => [r.orderNo, r.carrier, r.trackingNo]), [['1043800001', 'ネコポス', '432109876505']]);

    const actions: Array<{ idempotency_key: string; state: string }> = await t.db.dataSource.query('SELECT idempotency_key, state FROM actions ORDER BY id');
    const key = `send_tracking:${t.shop.id}:1043800001:432109876505`;
    assert.deepEqual(actions.map((a) => [a.idempotency_key.replace(/#failed:\d+$/, '#failed'), a.state]), [[`${key}#failed`, 'failed'], [key, 'succeeded']]);
    const [number] = await t.db.dataSource.query('SELECT status, qoo10_carrier_name, error FROM tracking_numbers');
    assert.deepEqual(number, { status: 'submitted', qoo10_carrier_name: 'ネコポス', error: null });

    const notRejected = await request(t.app).post(`/api/shipments/${rejected!.id}/resend`).set(auth).send({});
    assert.equal(notRejected.status, 409);
    assert.equal(notRejected.body.code, 'tracking_not_rejected');
  });
});
