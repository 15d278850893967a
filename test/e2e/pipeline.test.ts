import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';

async function requestRow(f: PipelineFixture, orderNo: string) {
  const [row] = await f.t.db.dataSource.query(
    `SELECT r.status, r.outcome, d.kind, d.code FROM cancel_requests r
     LEFT JOIN decisions d ON d.id = r.current_decision_id WHERE r.order_no = $1`,
    [orderNo],
  );
  return row as { status: string; outcome: string | null; kind: string; code: string };
}

describe('the cancel-request pipeline against the simulator', () => {
  let f: PipelineFixture;
  const orders: Record<string, string> = {};

  before(async () => {
    f = await createPipelineFixture({ AUTO_DECISIONS: 'accept,refuse,seller-fault' });
    await f.t.services.facts.importStock(undefined, Buffer.from('seller_item_code,available\nIN-STOCK,5\nSOLD-OUT,0\nCART,4\n'));
    orders.unshippedInStock = f.confirmedOrder({ sellerItemCode: 'IN-STOCK' });
    orders.soldOut = f.confirmedOrder({ sellerItemCode: 'SOLD-OUT' });
    orders.cartFirst = f.confirmedOrder({ sellerItemCode: 'CART', packNo: '77000001' });
    orders.cartSecond = f.confirmedOrder({ sellerItemCode: 'CART', packNo: '77000001' });
    orders.unknownStock = f.confirmedOrder({ sellerItemCode: 'NO-RECORD' });
    await f.handedOver(orders.cartFirst, 'ヤマト宅急便', '123456789016');
    for (const orderNo of [orders.unshippedInStock, orders.soldOut, orders.cartFirst, orders.unknownStock]) {
      f.sim.state.requestCancel(orderNo!);
    }
  });
  after(async () => {
    await f.close();
  });

  test('one cycle sends exactly the right calls: accept, seller fault, refusal for every cart line, nothing for review', async () => {
    const [report] = await f.t.services.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);

    const writes = f.writes();
    const cancels = writes.filter((w) => w.method === 'SetCancelProcess');
    const sendings = writes.filter((w) => w.method === 'SetSendingInfo');
    assert.equal(writes.length, 4, JSON.stringify(writes));

    const accept = cancels.find((w) => w.params.ContrNo === orders.unshippedInStock);
    assert.equal(accept?.params.CancelReason, '1', 'a buyer cancel is never sent with the blank (stock-out) reason');
    const sellerFault = cancels.find((w) => w.params.ContrNo === orders.soldOut);
    assert.equal(sellerFault?.params.CancelReason, '', 'a stock-out is booked as the shop’s fault');

    assert.deepEqual(sendings.map((w) => w.params.OrderNo).sort(), [orders.cartFirst, orders.cartSecond].sort());
    assert.ok(sendings.every((w) => w.params.TrackingNo === '123456789016' && w.params.ShippingCorp === 'ヤマト宅急便'));

    assert.deepEqual(await requestRow(f, orders.unshippedInStock!), { status: 'done', outcome: 'accepted', kind: 'accept', code: 'unshipped_in_stock' });
    assert.equal((await requestRow(f, orders.soldOut!)).outcome, 'cancelled_seller_fault');
    // The tracking is in Qoo10 for the whole cart, but the simulator (like Qoo10's documentation) keeps the
    // request pending after ship-confirm: refusing it is a person's QSM task now.
    const refusal = await requestRow(f, orders.cartFirst!);
    assert.equal(refusal.status, 'review');
    assert.equal(refusal.code, 'refuse_in_qsm');
    const review = await requestRow(f, orders.unknownStock!);
    assert.equal(review.status, 'review');
    assert.equal(review.code, 'stock_unknown');

    assert.equal(f.sim.state.order(orders.cartSecond!)?.shippingStatus, 4, 'the whole cart is in delivery');
    assert.ok(f.sim.state.order(orders.unshippedInStock!)?.cancelledAt);
  });

  test('the completed cancels are booked for the rate with the cause we decided', async () => {
    const rows = await f.t.db.dataSource.query('SELECT order_no, cause, source FROM cancels ORDER BY order_no');
    const byOrder = Object.fromEntries(rows.map((row: { order_no: string; cause: string }) => [row.order_no, row.cause]));
    assert.equal(byOrder[orders.unshippedInStock!], 'buyer');
    assert.equal(byOrder[orders.soldOut!], 'seller_fault');
    assert.equal(byOrder[orders.cartFirst!], undefined, 'a refusal cancels nothing');
  });

  test('running the cycle again sends nothing new', async () => {
    const before = f.writes().length;
    const [report] = await f.t.services.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);
    assert.equal(f.writes().length, before);
    const decisions = await f.t.db.dataSource.query('SELECT count(*)::int AS n FROM decisions');
    assert.equal(decisions[0].n, 5, 'no request was decided twice (the refusal gained its QSM task once)');
  });

  test('stock reported later lets the review item be decided on the next cycle', async () => {
    await f.t.services.facts.setStock(undefined, 'NO-RECORD', 3);
    await f.t.services.pipeline.runCycle();
    assert.equal((await requestRow(f, orders.unknownStock!)).outcome, 'accepted');
    assert.equal(f.writes().filter((w) => w.params.ContrNo === orders.unknownStock).length, 1);
  });
});

describe('with the default AUTO_DECISIONS (accept, refuse)', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
  });
  after(async () => {
    await f.close();
  });

  test('a stock-out waits for a person, who approves it through the API; the cancel is booked as seller fault', async () => {
    await f.t.services.facts.setStock(undefined, 'GONE', 0);
    const orderNo = f.confirmedOrder({ sellerItemCode: 'GONE' });
    f.sim.state.requestCancel(orderNo);
    await f.t.services.pipeline.runCycle();
    assert.equal(f.writes().length, 0, 'nothing is sent before a person decides');

    const queue = await request(f.t.services.app).get('/api/review-queue').set(f.t.auth);
    assert.equal(queue.status, 200);
    const item = queue.body.items.find((i: { orderNo: string }) => i.orderNo === orderNo);
    assert.equal(item.decision.kind, 'seller-fault');
    assert.equal(item.decision.code, 'out_of_stock');
    assert.ok(item.decision.trail.length > 3, 'the rule trail explains the decision');

    const approved = await request(f.t.services.app).post(`/api/cancel-requests/${item.id}/approve`).set(f.t.auth).send({ person: 'tanaka' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.request.status, 'done');
    const [cancel] = f.writes();
    assert.equal(cancel?.method, 'SetCancelProcess');
    assert.equal(cancel?.params.CancelReason, '');
    const queueAfter = await request(f.t.services.app).get('/api/review-queue').set(f.t.auth);
    assert.equal(queueAfter.body.items.length, 0);
  });

  test('overriding to accept an order handed to the carrier is refused and sends nothing', async () => {
    await f.t.services.facts.setStock(undefined, 'HANDED', 3);
    const orderNo = f.confirmedOrder({ sellerItemCode: 'HANDED' });
    f.sim.state.requestCancel(orderNo);
    // The parcel left, but its tracking number is not known yet: a person must enter it today.
    await f.t.services.facts.recordOrderFact(undefined, orderNo, { handedToCarrier: true }, new Date());
    await f.t.services.pipeline.runCycle();
    const [row] = await f.t.db.dataSource.query(
      `SELECT r.id, r.status, d.code, d.suggested, d.tracking_deadline FROM cancel_requests r
       JOIN decisions d ON d.id = r.current_decision_id WHERE r.order_no = $1`,
      [orderNo],
    );
    assert.equal(row.status, 'review');
    assert.equal(row.code, 'shipped_without_tracking');
    assert.equal(row.suggested, 'refuse');
    assert.ok(row.tracking_deadline, 'the same-day deadline is set');

    const before = f.writes().length;
    const override = await request(f.t.services.app)
      .post(`/api/cancel-requests/${row.id}/override`)
      .set(f.t.auth)
      .send({ kind: 'accept', note: 'the buyer insisted' });
    assert.equal(override.status, 409);
    assert.equal(override.body.code, 'order_shipped');
    assert.equal(f.writes().length, before);
    assert.equal(f.sim.state.order(orderNo)?.cancelledAt, null);
  });

  test('an override without a note is a 400 naming the field', async () => {
    const res = await request(f.t.services.app).post('/api/cancel-requests/1/override').set(f.t.auth).send({ kind: 'accept' });
    assert.equal(res.status, 400);
    assert.ok(res.body.details.some((d: { field: string }) => d.field === 'note'));
  });
});

describe('an order that ships between the re-read and the cancel', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
  });
  after(async () => {
    await f.close();
  });

  test('is never cancelled: Qoo10 refuses, the request goes to a person and an alert is raised', async () => {
    await f.t.services.facts.setStock(undefined, 'RACE', 9);
    const orderNo = f.confirmedOrder({ sellerItemCode: 'RACE' });
    f.sim.state.requestCancel(orderNo);
    f.sim.setFaults({ shipBetweenReadAndWrite: true });

    const [report] = await f.t.services.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);

    const order = f.sim.state.order(orderNo);
    assert.equal(order?.shippingStatus, 4);
    assert.equal(order?.cancelledAt, null, 'the shipped order was not cancelled');
    const row = await requestRow(f, orderNo);
    assert.equal(row.status, 'review');
    assert.equal(row.code, 'qoo10_refused_action');
    const alerts = await f.t.services.alertsRepository.recentAlerts(10);
    assert.ok(alerts.some((alert) => alert.kind === 'action_refused' && alert.payload.orderNo === orderNo));
    const cancels = await f.t.db.dataSource.query('SELECT count(*)::int AS n FROM cancels');
    assert.equal(cancels[0].n, 0);
  });
});
