// Refusing the way Qoo10 documents it (issue 14): the tracking goes in, the order is re-read, and the
// request is done only when Qoo10 no longer shows it pending; otherwise a person presses キャンセル拒否 in
// QSM. Correct under both unconfirmed behaviours of ship-confirm; the review queue follows what Qoo10 shows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';
import { RequestFollowUpService } from '../../src/services/request-follow-up-service';
import { CancelRequestRepository } from '../../src/persistence/cancel-request-repository';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { AlertService } from '../../src/services/alert-service';
import { jstTimeOnDay } from '../../src/domain/jst-calendar';
import { silentLogger } from '../../src/logger';

async function requestRow(f: PipelineFixture, orderNo: string) {
  const [row] = await f.t.db.dataSource.query(
    `SELECT r.id, r.status, r.outcome, d.kind, d.code, d.suggested, d.tracking_deadline FROM cancel_requests r
     LEFT JOIN decisions d ON d.id = r.current_decision_id WHERE r.order_no = $1`,
    [orderNo],
  );
  return row as { id: string; status: string; outcome: string | null; kind: string; code: string; suggested: string | null; tracking_deadline: Date | null };
}

async function cycle(f: PipelineFixture) {
  const [report] = await f.t.services.pipeline.runCycle();
  assert.equal(report?.status, 'ok', report?.error);
  return report!;
}

/** A shipped order (handed to Yamato with a number the shop knows, not yet in Qoo10) with a pending request. */
async function shippedRequest(f: PipelineFixture, code: string, trackingNo: string, packNo?: string): Promise<string> {
  await f.t.services.facts.setStock(undefined, code, 5);
  const orderNo = f.confirmedOrder({ sellerItemCode: code, ...(packNo ? { packNo } : {}) });
  await f.handedOver(orderNo, 'ヤマト宅急便', trackingNo);
  f.sim.state.requestCancel(orderNo);
  return orderNo;
}

describe('a refusal where ship-confirm ends the request on Qoo10', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
    f.simShop.behaviour.shipConfirmEndsRequest = true;
  });
  after(async () => {
    await f.close();
  });

  test('is done within the cycle, with no task for a person', async () => {
    const orderNo = await shippedRequest(f, 'ENDS', '123456789016');
    await cycle(f);
    const row = await requestRow(f, orderNo);
    assert.equal(row.status, 'done');
    assert.equal(row.outcome, 'refused');
    assert.equal(row.kind, 'refuse');
    assert.equal(f.sim.state.order(orderNo)?.shippingStatus, 4);
    const tasks = await f.t.db.dataSource.query(`SELECT count(*)::int AS n FROM decisions WHERE code = 'refuse_in_qsm'`);
    assert.equal(tasks[0].n, 0);
  });
});

describe('a refusal where ship-confirm leaves the request pending (the documented behaviour)', () => {
  let f: PipelineFixture;
  let orderNo: string;
  before(async () => {
    f = await createPipelineFixture();
    orderNo = await shippedRequest(f, 'STAYS', '123456789016');
  });
  after(async () => {
    await f.close();
  });

  test('becomes a refuse_in_qsm task with the QSM steps and the same-day deadline, never a recorded refusal', async () => {
    await cycle(f);
    assert.equal(f.sim.state.order(orderNo)?.shippingStatus, 4, 'the tracking is in Qoo10');
    const row = await requestRow(f, orderNo);
    assert.equal(row.status, 'review');
    assert.equal(row.code, 'refuse_in_qsm');
    assert.equal(row.suggested, 'refuse');
    assert.ok(row.tracking_deadline, 'the same-day deadline is kept');
    assert.notEqual(row.outcome, 'refused');

    const queue = await request(f.t.services.app).get('/api/review-queue').set(f.t.auth);
    const item = queue.body.items.find((i: { orderNo: string }) => i.orderNo === orderNo);
    assert.equal(item.requestId, row.id);
    assert.equal(item.code, 'refuse_in_qsm');
    assert.equal(item.suggestedKind, 'refuse');
    assert.equal(item.deadline, new Date(row.tracking_deadline!).toISOString());
    assert.match(item.reasonJa, /キャンセル拒否/);
    assert.match(item.reasonEn, /QSM/);
    assert.ok(item.qsmSteps.some((step: string) => step.includes(orderNo)));
  });

  test('a second cycle sends nothing again and keeps the task', async () => {
    const writes = f.writes().length;
    await cycle(f);
    assert.equal(f.writes().length, writes);
    assert.equal((await requestRow(f, orderNo)).code, 'refuse_in_qsm');
  });

  test('closes by itself, and says so, once the seller refused it in QSM', async () => {
    f.sim.state.refuseInQsm(orderNo);
    await cycle(f);
    const row = await requestRow(f, orderNo);
    assert.equal(row.status, 'closed');
    assert.equal(row.outcome, 'refused_in_qsm');
    const [decision] = await f.t.db.dataSource.query(
      `SELECT d.reason FROM decisions d JOIN cancel_requests r ON r.current_decision_id = d.id WHERE r.order_no = $1`,
      [orderNo],
    );
    assert.match(decision.reason, /closed by itself/);
  });
});

describe('refuse_in_qsm reminders', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
  });
  after(async () => {
    await f.close();
  });

  test('fire at 15:00 JST and at the cut-off, once each', async () => {
    const orderNo = await shippedRequest(f, 'REMIND', '123456789016');
    await cycle(f);
    const row = await requestRow(f, orderNo);
    assert.equal(row.code, 'refuse_in_qsm');
    const deadline = new Date(row.tracking_deadline!);
    const alerts = new AlertService(new AlertRepository(f.t.db.dataSource), false, silentLogger());
    const followUp = new RequestFollowUpService(f.t.db.dataSource, new CancelRequestRepository(f.t.db.dataSource), alerts, silentLogger(), f.t.services.verifiedFacts);
    const count = async () =>
      (await f.t.db.dataSource.query(`SELECT payload->>'level' AS level FROM alerts WHERE kind = 'refuse_in_qsm' ORDER BY id`)).map((a: { level: string }) => a.level);
    // Clear what the real clock may have raised during the cycle, then walk a fake clock through the day.
    await f.t.db.dataSource.query(`DELETE FROM alerts WHERE kind = 'refuse_in_qsm'`);

    await followUp.remindQsmRefusals(f.shop, jstTimeOnDay(deadline, '14:00'));
    assert.deepEqual(await count(), []);
    await followUp.remindQsmRefusals(f.shop, jstTimeOnDay(deadline, '15:30'));
    await followUp.remindQsmRefusals(f.shop, jstTimeOnDay(deadline, '16:00'));
    assert.deepEqual(await count(), ['afternoon']);
    await followUp.remindQsmRefusals(f.shop, new Date(deadline.getTime() + 60_000));
    await followUp.remindQsmRefusals(f.shop, new Date(deadline.getTime() + 3_600_000));
    assert.deepEqual(await count(), ['afternoon', 'cutoff']);
  });
});

describe('the review queue follows what Qoo10 shows', () => {
  let f: PipelineFixture;
  const orders: Record<string, string> = {};
  before(async () => {
    f = await createPipelineFixture();
    // No stock figure: each request waits for a person (stock_unknown).
    for (const key of ['refusedInQsm', 'withdrawn', 'cancelledInQsm', 'stays']) {
      orders[key] = f.confirmedOrder({ sellerItemCode: `NO-STOCK-${key}` });
      f.sim.state.requestCancel(orders[key]!);
    }
    const report = await cycle(f);
    assert.equal(report.counts.requestsReopened, 0, 'nothing was closed, so nothing reopens');
    for (const orderNo of Object.values(orders)) assert.equal((await requestRow(f, orderNo)).status, 'review');
  });
  after(async () => {
    await f.close();
  });

  test('a request refused in QSM, withdrawn or cancelled between polls leaves the queue with the reason on the next poll', async () => {
    f.sim.state.refuseInQsm(orders.refusedInQsm!);
    const claim = f.sim.state.currentClaim(f.simShop, orders.withdrawn!)!;
    claim.withdrawnAt = new Date();
    f.sim.state.sellerCancel(f.simShop, orders.cancelledInQsm!, '1', 'handled in QSM');
    const writes = f.writes().length;
    await cycle(f);

    assert.equal(f.writes().length, writes, 'leaving the queue sends nothing');
    for (const key of ['refusedInQsm', 'withdrawn']) {
      const row = await requestRow(f, orders[key]!);
      assert.equal(row.status, 'closed', key);
      assert.equal(row.outcome, 'no_longer_pending', key);
    }
    const cancelled = await requestRow(f, orders.cancelledInQsm!);
    assert.equal(cancelled.status, 'closed');
    assert.equal(cancelled.outcome, 'cancelled_on_qoo10');
    const stays = await requestRow(f, orders.stays!);
    assert.equal(stays.status, 'review');
    assert.equal(stays.code, 'stock_unknown');

    const queue = await request(f.t.services.app).get('/api/review-queue').set(f.t.auth);
    assert.deepEqual(queue.body.items.map((i: { orderNo: string }) => i.orderNo), [orders.stays]);
  });

  test('a request that left the queue comes back when Qoo10 lists it pending again', async () => {
    // Qoo10 shows the withdrawn request again (a list that lagged, a buyer who asked again at the same time).
    const claim = f.simShop.claims.find((c) => c.orderNo === orders.withdrawn && c.claimStatus === 1)!;
    claim.withdrawnAt = null;
    const report = await cycle(f);
    assert.equal(report.counts.requestsReopened, 1);
    const row = await requestRow(f, orders.withdrawn!);
    assert.notEqual(row.status, 'closed');
  });
});

describe('a cart shipped in more than one parcel', () => {
  let f: PipelineFixture;
  before(async () => {
    f = await createPipelineFixture();
    f.simShop.behaviour.shipConfirmEndsRequest = true;
  });
  after(async () => {
    await f.close();
  });

  test('a refusal on line A leaves line B’s own tracking and an unrelated line C alone', async () => {
    const pack = '88000001';
    const lineA = await shippedRequest(f, 'SPLIT-A', '123456789016', pack);
    const lineB = f.confirmedOrder({ sellerItemCode: 'SPLIT-B', packNo: pack });
    const lineC = f.confirmedOrder({ sellerItemCode: 'SPLIT-C', packNo: pack });
    // Line B went out earlier in its own parcel, registered in QSM.
    f.sim.state.shipOrder(lineB, { carrier: '佐川急便', trackingNo: '400000000013' });
    await cycle(f);

    const tracked = f.sim.writes.filter((w) => w.kind === 'tracking').map((w) => w.orderNo);
    assert.deepEqual(tracked, [lineA], 'only line A gets the refusal’s number');
    assert.equal(f.sim.state.order(lineB)?.trackingNo, '400000000013', 'line B keeps its own number');
    assert.equal(f.sim.state.order(lineC)?.shippingStatus, 3, 'line C is not marked shipped');
    assert.equal((await requestRow(f, lineA)).outcome, 'refused');
  });
});
