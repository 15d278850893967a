// Money safety when Qoo10 misbehaves on writes (issue 12): a write is sent once; an outcome we did not
// clearly see is settled by reading the order; a queued cancel yields to what the shop recorded since.
// Judged against the simulator's own write log (every attempt, applied or not), never our own tables.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';
import type { LostAnswerKind } from '../../src/qoo10/simulator/write-faults';

async function requestRow(f: PipelineFixture, orderNo: string) {
  const [row] = await f.t.db.dataSource.query(
    `SELECT r.id, r.status, r.outcome, d.kind, d.code, d.suggested FROM cancel_requests r
     LEFT JOIN decisions d ON d.id = r.current_decision_id WHERE r.order_no = $1`,
    [orderNo],
  );
  return row as { id: string; status: string; outcome: string | null; kind: string; code: string; suggested: string | null };
}

const attemptsOn = (f: PipelineFixture, orderNo: string, kind: 'cancel' | 'tracking') =>
  f.sim.writes.filter((w) => w.orderNo === orderNo && w.kind === kind);

async function actionRows(f: PipelineFixture, orderNo: string) {
  return (await f.t.db.dataSource.query('SELECT id, kind, state, attempts, error_code FROM actions WHERE order_no = $1 ORDER BY id', [orderNo])) as Array<{
    id: string;
    kind: string;
    state: string;
    attempts: number;
    error_code: string | null;
  }>;
}

async function refusedAlerts(f: PipelineFixture, orderNo: string) {
  return (await f.t.services.alertsRepository.recentAlerts(50)).filter((a) => a.kind === 'action_refused' && a.payload.orderNo === orderNo);
}

async function cycle(f: PipelineFixture, signal?: AbortSignal) {
  const [report] = await f.t.services.pipeline.runCycle(signal);
  return report;
}

describe('writes to Qoo10 under lost answers', () => {
  let f: PipelineFixture;
  let item = 0;
  before(async () => {
    f = await createPipelineFixture();
  });
  after(async () => {
    await f.close();
  });
  afterEach(() => f.sim.setFaults({}));

  /** An unshipped, in-stock order with a pending buyer request: the rules accept it. */
  async function acceptableRequest(): Promise<string> {
    item += 1;
    const code = `WS-${item}`;
    await f.t.services.facts.setStock(undefined, code, 5);
    const orderNo = f.confirmedOrder({ sellerItemCode: code });
    f.sim.state.requestCancel(orderNo);
    return orderNo;
  }

  for (const kind of ['http5xx', 'drop', 'scalar_success'] as LostAnswerKind[]) {
    test(`a cancel Qoo10 applied but answered with ${kind} is settled by reading: done, sent once, no false alert`, async () => {
      const orderNo = await acceptableRequest();
      f.sim.setFaults({ lostAnswers: [{ kind, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo], times: 1 }] });
      assert.equal((await cycle(f))?.status, 'ok');
      await cycle(f);

      const attempts = attemptsOn(f, orderNo, 'cancel');
      assert.equal(attempts.length, 1, 'the cancel went out exactly once');
      assert.equal(attempts[0]?.applied, true);
      const row = await requestRow(f, orderNo);
      assert.equal(row.status, 'done');
      assert.equal(row.outcome, 'accepted');
      assert.deepEqual(await refusedAlerts(f, orderNo), []);
      const cancels = await f.t.db.dataSource.query('SELECT cause FROM cancels WHERE order_no = $1', [orderNo]);
      assert.deepEqual(cancels, [{ cause: 'buyer' }]);
    });
  }

  test('a cancel lost on the way in is sent again once, under the same outbox row, after a read shows it unapplied', async () => {
    const orderNo = await acceptableRequest();
    f.sim.setFaults({ lostAnswers: [{ kind: 'http5xx', apply: false, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo], times: 1 }] });
    await cycle(f);
    assert.equal(attemptsOn(f, orderNo, 'cancel').length, 1);
    assert.equal((await requestRow(f, orderNo)).status, 'acting', 'unknown, not refused');
    const [unknown] = await actionRows(f, orderNo);
    assert.equal(unknown?.state, 'sending');

    await cycle(f);
    const attempts = attemptsOn(f, orderNo, 'cancel');
    assert.equal(attempts.length, 2);
    assert.deepEqual(attempts.map((a) => a.applied), [false, true]);
    const rows = await actionRows(f, orderNo);
    assert.equal(rows.length, 1, 'one outbox row');
    assert.equal(rows[0]?.state, 'succeeded');
    assert.equal(rows[0]?.attempts, 2);
    assert.equal((await requestRow(f, orderNo)).outcome, 'accepted');
  });

  test('a cancel answered with a malformed body (scalar ResultObject) and not applied is never recorded as done', async () => {
    // The chaos faults scenario: the simulator answered an unapplied cancel {"ResultCode":0,"ResultObject":0},
    // which Qoo10 means as success, and the request was booked as accepted while Qoo10 showed no cancel.
    // A malformed answer to a write must be one the client cannot read as success. Only the cancel call is
    // faulted (its reads stay clean): the shop's cached client is wrapped for one call.
    const orderNo = await acceptableRequest();
    const client = await f.t.services.qoo10Clients(f.shop);
    const cancelOrder = client.cancelOrder;
    client.cancelOrder = async (input, signal) => {
      client.cancelOrder = cancelOrder;
      f.sim.setFaults({ malformedRate: 1, malformedKind: 'result_object_scalar' });
      try {
        return await cancelOrder.call(client, input, signal);
      } finally {
        f.sim.setFaults({});
      }
    };
    try {
      await cycle(f);
    } finally {
      client.cancelOrder = cancelOrder;
    }
    assert.deepEqual(attemptsOn(f, orderNo, 'cancel').map((a) => [a.answer, a.applied]), [['malformed', false]]);
    assert.equal(f.sim.state.order(orderNo)?.cancelledAt, null);
    assert.equal((await requestRow(f, orderNo)).status, 'acting', 'unknown, not done');
    assert.equal((await actionRows(f, orderNo))[0]?.state, 'sending');
    assert.deepEqual(await f.t.db.dataSource.query('SELECT cause FROM cancels WHERE order_no = $1', [orderNo]), [], 'not counted in the rate');

    await cycle(f);
    assert.deepEqual(attemptsOn(f, orderNo, 'cancel').map((a) => a.applied), [false, true], 'read unapplied, sent again once');
    assert.notEqual(f.sim.state.order(orderNo)?.cancelledAt, null);
    assert.equal((await requestRow(f, orderNo)).outcome, 'accepted');
  });

  test('a write that never gets a clear answer is sent at most twice, then goes to a person', async () => {
    const orderNo = await acceptableRequest();
    f.sim.setFaults({ lostAnswers: [{ kind: 'drop', apply: false, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo] }] });
    for (let i = 0; i < 4; i += 1) await cycle(f);
    assert.equal(attemptsOn(f, orderNo, 'cancel').length, 2);
    const row = await requestRow(f, orderNo);
    assert.equal(row.status, 'review');
    assert.equal(row.code, 'qoo10_refused_action');
    const [action] = await actionRows(f, orderNo);
    assert.equal(action?.error_code, 'outcome_unknown_twice');
    assert.equal(f.sim.state.order(orderNo)?.cancelledAt, null);
  });

  test('a row claimed by a process that died before the call left is not counted as a send', async () => {
    const orderNo = await acceptableRequest();
    // A crash right after the claim (before the request left): 'sending', never dispatched.
    f.sim.setFaults({ lostAnswers: [{ kind: 'drop', apply: false, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo], times: 1 }] });
    await cycle(f);
    await f.t.db.dataSource.query(`UPDATE actions SET attempts = 0 WHERE order_no = $1`, [orderNo]);
    // The next holder reads (unchanged), sends; that send's answer is lost too; the one after goes through.
    f.sim.setFaults({ lostAnswers: [{ kind: 'drop', apply: false, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo], times: 1 }] });
    await cycle(f);
    f.sim.setFaults({});
    await cycle(f);
    const [action] = await actionRows(f, orderNo);
    assert.equal(action?.state, 'succeeded');
    assert.equal(action?.attempts, 2, 'two dispatches: the claim that never left does not count');
    assert.equal((await requestRow(f, orderNo)).outcome, 'accepted');
  });

  test('a queued cancel does not go out after the shop recorded the parcel as handed over (outage, handover, recovery)', async () => {
    const orderNo = await acceptableRequest();
    // Qoo10 is down for writes: the accepted cancel is not applied and its outcome is unknown.
    f.sim.setFaults({ lostAnswers: [{ kind: 'http5xx', apply: false, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo] }] });
    await cycle(f);
    assert.equal(attemptsOn(f, orderNo, 'cancel').length, 1);
    // Meanwhile the shop hands the parcel to Yamato and records it; Qoo10 recovers.
    await f.t.services.facts.recordOrderFact(undefined, orderNo, { handedToCarrier: true }, new Date());
    f.sim.setFaults({});
    await cycle(f);
    await cycle(f);

    assert.equal(attemptsOn(f, orderNo, 'cancel').length, 1, 'no cancel was attempted after the handover');
    assert.equal(f.sim.state.order(orderNo)?.cancelledAt, null);
    const row = await requestRow(f, orderNo);
    assert.equal(row.status, 'review');
    assert.equal(row.code, 'local_facts_say_shipped');
    assert.equal(row.suggested, 'refuse');
  });

  test('a tracking number known to the shop stops a cancel still waiting in the outbox', async () => {
    const orderNo = await acceptableRequest();
    f.sim.setFaults({ lostAnswers: [{ kind: 'drop', apply: false, methods: ['Claim.SetCancelProcess'], orderNos: [orderNo] }] });
    await cycle(f);
    // A label row imported from the label software (not yet submitted to Qoo10).
    await f.t.db.dataSource.query(
      `INSERT INTO tracking_numbers (shop_id, order_no, carrier, qoo10_carrier_name, tracking_no, source) VALUES ($1, $2, 'yamato', 'ヤマト宅急便', '123456789016', 'csv')`,
      [f.shop.id, orderNo],
    );
    f.sim.setFaults({});
    await cycle(f);
    assert.equal(attemptsOn(f, orderNo, 'cancel').length, 1);
    assert.equal((await requestRow(f, orderNo)).code, 'local_facts_say_shipped');
  });
});

describe('a write aborted on the wire (SIGTERM mid-call)', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
  });
  after(async () => {
    await f.close();
  });

  test('is unknown, never refused; the next holder settles it by reading and sends nothing again', async () => {
    await f.t.services.facts.setStock(undefined, 'ABORT', 5);
    const orderNo = f.confirmedOrder({ sellerItemCode: 'ABORT' });
    await f.handedOver(orderNo, 'ヤマト宅急便', '123456789016');
    f.sim.state.requestCancel(orderNo);

    // Every answer is slow; the shutdown comes while the refusal's tracking write is on the wire.
    f.sim.setFaults({ latencyMs: 400 });
    const controller = new AbortController();
    const running = cycle(f, controller.signal);
    while (attemptsOn(f, orderNo, 'tracking').length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await running;
    // Qoo10 (the simulator) goes on and applies the write the caller gave up on.
    while (!attemptsOn(f, orderNo, 'tracking')[0]?.applied) await new Promise((resolve) => setTimeout(resolve, 10));

    const [action] = await actionRows(f, orderNo);
    assert.equal(action?.state, 'sending', 'an aborted write is unknown, not failed');
    const [tracking] = await f.t.db.dataSource.query('SELECT status FROM tracking_numbers WHERE order_no = $1', [orderNo]);
    assert.notEqual(tracking.status, 'rejected');
    assert.deepEqual(await refusedAlerts(f, orderNo), []);

    f.sim.setFaults({});
    await cycle(f);
    assert.equal(attemptsOn(f, orderNo, 'tracking').length, 1, 'settled by reading, not resent');
    const [settled] = await actionRows(f, orderNo);
    assert.equal(settled?.state, 'succeeded');
    const [after] = await f.t.db.dataSource.query('SELECT status FROM tracking_numbers WHERE order_no = $1', [orderNo]);
    // The orders poll (first task of the cycle) already reads the number on the shipped order: 'confirmed'.
    assert.ok(['submitted', 'confirmed'].includes(after.status), after.status);
  });
});

describe('a person cannot book a known stock-out as the buyer reason', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
  });
  after(async () => {
    await f.close();
  });

  test('override to accept while stock is 0 is refused with a clear message and sends nothing', async () => {
    await f.t.services.facts.setStock(undefined, 'ZERO', 0);
    const orderNo = f.confirmedOrder({ sellerItemCode: 'ZERO' });
    f.sim.state.requestCancel(orderNo);
    await cycle(f);
    const row = await requestRow(f, orderNo);
    assert.equal(row.code, 'out_of_stock');

    const override = await request(f.t.services.app)
      .post(`/api/cancel-requests/${row.id}/override`)
      .set(f.t.auth)
      .send({ kind: 'accept', note: 'buyer asked first' });
    assert.equal(override.status, 409);
    assert.equal(override.body.code, 'stock_out_not_buyer_reason');
    assert.match(override.body.message, /shop's fault/);
    assert.equal(attemptsOn(f, orderNo, 'cancel').length, 0);

    // The explicit fact that the item is there after all: the stock figure is corrected first.
    await f.t.services.facts.setStock(undefined, 'ZERO', 2);
    const again = await request(f.t.services.app)
      .post(`/api/cancel-requests/${row.id}/override`)
      .set(f.t.auth)
      .send({ kind: 'accept', note: 'found two on the shelf' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(attemptsOn(f, orderNo, 'cancel')[0]?.applied, true);
  });
});

describe('what the stock figure means is a shop setting', () => {
  for (const [meaning, expected] of [
    ['on_hand', 'seller-fault'],
    ['available', 'accept'],
  ] as const) {
    test(`stock 0 for 1 ordered, read as ${meaning}: ${expected}`, async () => {
      const f = await createPipelineFixture({ STOCK_MEANING: meaning });
      try {
        await f.t.services.facts.setStock(undefined, 'LAST-ONE', 0);
        const orderNo = f.confirmedOrder({ sellerItemCode: 'LAST-ONE', quantity: 1 });
        f.sim.state.requestCancel(orderNo);
        await cycle(f);
        assert.equal((await requestRow(f, orderNo)).kind, expected);
      } finally {
        await f.close();
      }
    });
  }

  test('a shop sets it for itself through the API; a bad value is a 400 naming the field', async () => {
    const f = await createPipelineFixture();
    try {
      const bad = await request(f.t.services.app).put(`/api/shops/${f.shop.id}/policy`).set(f.t.auth).send({ stockMeaning: 'sometimes' });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.details.some((d: { field: string }) => d.field === 'stockMeaning'));
      const set = await request(f.t.services.app).put(`/api/shops/${f.shop.id}/policy`).set(f.t.auth).send({ stockMeaning: 'available' });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.policy.stockMeaning, 'available');
      await f.t.services.facts.setStock(undefined, 'SHOP-SET', 0);
      const orderNo = f.confirmedOrder({ sellerItemCode: 'SHOP-SET', quantity: 1 });
      f.sim.state.requestCancel(orderNo);
      await cycle(f);
      assert.equal((await requestRow(f, orderNo)).kind, 'accept');
    } finally {
      await f.close();
    }
  });
});
