// The API changes the dashboard's daily work needs: previews (dryRun) of stock and label files that
// write nothing, the stock file's whole-file errors and unknown codes, the undo of "handled in QSM"
// until the next poll, and /readyz waiting for every active shop's first poll.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';

describe('dashboard work API', () => {
  let f: PipelineFixture;
  const orders: Record<string, string> = {};
  const count = async (sql: string, params: unknown[] = []) => Number((await f.t.db.dataSource.query(sql, params))[0].n);
  const app = () => request(f.t.services.app);

  before(async () => {
    f = await createPipelineFixture({ PACKED_ORDERS_POLICY: 'review' });
    orders.a = f.confirmedOrder({ sellerItemCode: 'KNOWN-A' });
    orders.b = f.confirmedOrder({ sellerItemCode: 'KNOWN-B' });
    orders.packed = f.confirmedOrder({ sellerItemCode: 'KNOWN-A' });
  });
  after(async () => {
    await f?.close();
  });

  test('/readyz is not ready until every active shop has had a successful poll', async () => {
    const before = await app().get('/readyz');
    assert.equal(before.status, 503);
    assert.deepEqual(before.body.shopsAwaitingFirstPoll, [f.shop.id]);
    await f.t.services.facts.recordOrderFact(f.shop.id, orders.packed!, { packed: true }, new Date());
    f.sim.state.requestCancel(orders.packed!);
    const [report] = await f.t.services.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);
    const ready = await app().get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.shopsAwaitingFirstPoll, []);
  });

  test('a stock preview reports accepted rows and line errors and writes nothing', async () => {
    const csv = 'seller_item_code,available\nKNOWN-A,4\nTYPO-X,2\nKNOWN-B,many\n';
    const res = await app().post('/api/stock/import?dryRun=true&allowUnknown=false').set(f.t.auth).set('Content-Type', 'text/csv').send(csv);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.dryRun, true);
    assert.equal(res.body.imported, 0);
    assert.deepEqual(res.body.accepted, [{ line: 2, sellerItemCode: 'KNOWN-A', available: 4 }]);
    assert.deepEqual(res.body.errors.map((e: { line: number }) => e.line), [3, 4]);
    assert.match(res.body.errors[0].message, /TYPO-X.*unknown/);
    assert.equal(await count('SELECT count(*) AS n FROM item_facts WHERE shop_id = $1', [f.shop.id]), 0);

    const real = await app().post('/api/stock/import?allowUnknown=false').set(f.t.auth).set('Content-Type', 'text/csv').send(csv);
    assert.equal(real.body.imported, 1);
    assert.equal(await count(`SELECT available AS n FROM item_facts WHERE shop_id = $1 AND seller_item_code = 'KNOWN-A'`, [f.shop.id]), 4);
    const allowed = await app().post('/api/stock/import').set(f.t.auth).set('Content-Type', 'text/csv').send('seller_item_code,available\nNEW-ITEM,3\n');
    assert.equal(allowed.body.imported, 1);
  });

  for (const [what, csv, pattern] of [
    ['another tool’s header', 'code,qty\nKNOWN-A,1\n', /not the stock header/],
    ['an empty file', 'seller_item_code,available\n\n', /no rows/],
  ] as const) {
    test(`a stock file with ${what} is refused whole with a 400`, async () => {
      const res = await app().post('/api/stock/import').set(f.t.auth).set('Content-Type', 'text/csv').send(csv);
      assert.equal(res.status, 400);
      assert.match(res.body.message, pattern);
    });
  }

  test('a label-file preview matches rows to orders and sends and stores nothing', async () => {
    const csv = `order_no,carrier,tracking_no\n${orders.a},ヤマト運輸,123456789013\n999999999,ヤマト運輸,123456789024\n`;
    const writesBefore = f.writes().length;
    const res = await app().post('/api/shipments/import?dryRun=true&filename=b2.csv').set(f.t.auth).set('Content-Type', 'text/csv').send(csv);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.dryRun, true);
    assert.deepEqual(res.body.accepted.map((a: { line: number; orderNos: string[] }) => [a.line, a.orderNos]), [[2, [orders.a]]]);
    assert.deepEqual(res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code]), [[3, 'unknown_order']]);
    assert.equal(f.writes().length, writesBefore, 'nothing sent to Qoo10');
    assert.equal(await count('SELECT count(*) AS n FROM tracking_numbers WHERE shop_id = $1', [f.shop.id]), 0);
    assert.equal(await count(`SELECT count(*) AS n FROM actions WHERE kind = 'send_tracking'`), 0);
  });

  test('"handled in QSM" can be undone until the next poll, then not', async () => {
    const id = String((await f.t.db.dataSource.query('SELECT id FROM cancel_requests WHERE order_no = $1', [orders.packed]))[0].id);
    const statusOf = async () => String((await f.t.db.dataSource.query('SELECT status FROM cancel_requests WHERE id = $1', [id]))[0].status);
    assert.equal(await statusOf(), 'review');
    const queued = (await app().get('/api/review-queue').set(f.t.auth)).body.items.find((i: { request: { id: string } }) => String(i.request?.id ?? (i as unknown as { id: string }).id) === id);
    assert.ok(queued, 'the packed order waits for a person');

    assert.equal((await app().post(`/api/cancel-requests/${id}/handled`).set(f.t.auth).send({})).status, 200);
    assert.equal(await statusOf(), 'closed');
    const undo = await app().post(`/api/cancel-requests/${id}/handled/undo`).set(f.t.auth).send({ person: 'tester' });
    assert.equal(undo.status, 200, JSON.stringify(undo.body));
    assert.equal(await statusOf(), 'review');
    const current = (await f.t.db.dataSource.query('SELECT d.code, d.kind FROM decisions d JOIN cancel_requests r ON r.current_decision_id = d.id WHERE r.id = $1', [id]))[0];
    assert.deepEqual(current, { code: 'packed_policy_review', kind: 'review' }, 'the decision before the mark is current again');

    assert.equal((await app().post(`/api/cancel-requests/${id}/handled/undo`).set(f.t.auth).send({})).body.code, 'not_handled_in_qsm');
    await app().post(`/api/cancel-requests/${id}/handled`).set(f.t.auth).send({});
    await f.t.services.pipeline.runCycle();
    const late = await app().post(`/api/cancel-requests/${id}/handled/undo`).set(f.t.auth).send({});
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'undo_too_late');
    assert.equal(await statusOf(), 'closed');
  });
});
