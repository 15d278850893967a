// Contract: the real client against the simulator over real HTTP. Writes and the order/claim life cycle.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Qoo10WrongStateError } from '../../src/qoo10/errors';
import { refusalSendingRows } from '../../src/qoo10/decision-mapping';
import { DelayType } from '../../src/qoo10/qoo10-client';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { clientFor, DAY, HOUR, NOW, ORDERS, SHOP_A_KEY, SHOP_B_KEY, smallScenario } from './qoo10-test-helpers';

let sim: SimulatorHandle;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

const client = () => clientFor(sim.url, SHOP_A_KEY);
const week = { from: new Date(NOW.getTime() - 7 * DAY), to: NOW };
const shopA = () => sim.state.shopByKey(SHOP_A_KEY)!;
const claimOf = (orderNo: string) => sim.state.shopByKey(SHOP_A_KEY)?.claims.filter((c) => c.orderNo === orderNo).at(-1);

describe('cancelOrder', () => {
  test('accepting a buyer request sends CancelReason 1 and completes the cancel now', async () => {
    await client().cancelOrder({ orderNo: ORDERS.requested, cause: 'buyer', memo: 'ご依頼どおりキャンセルしました' });
    assert.equal(sim.calls[0].params.CancelReason, '1');
    assert.equal(sim.calls[0].params.ContrNo, ORDERS.requested);
    const claim = claimOf(ORDERS.requested);
    assert.equal(claim?.claimStatus, 3);
    assert.equal(claim?.completedAt?.getTime(), NOW.getTime());
    assert.equal(claim?.reason, '注文間違い', 'the buyer’s reason stays');
    const completed = await client().getClaims({ claimStatus: 3, ...week, condition: 3 });
    assert.ok(completed.some((c) => c.orderNo === ORDERS.requested));
    const open = await client().getOrders({ ...week, condition: 1 });
    assert.ok(!open.some((o) => o.orderNo === ORDERS.requested), 'cancelled orders drop out of GetShippingInfo_v3');
  });

  test('a stock-out cancel without a request sends a blank reason and books 在庫なし', async () => {
    await client().cancelOrder({ orderNo: ORDERS.confirmed, cause: 'out_of_stock', memo: '欠品のため' });
    assert.equal(sim.calls[0].params.CancelReason, '');
    const claim = claimOf(ORDERS.confirmed);
    assert.equal(claim?.claimStatus, 3);
    assert.equal(claim?.reason, '在庫なし');
    assert.equal(claim?.cancelReason, '');
  });

  for (const [what, orderNo] of [
    ['a shipped order', ORDERS.shipped],
    ['a delivered order', ORDERS.delivered],
    ['a cancelled order', ORDERS.cancelled],
  ] as const) {
    test(`cancelling ${what} is Qoo10WrongStateError (-10004), sent once`, async () => {
      await assert.rejects(client().cancelOrder({ orderNo, cause: 'buyer', memo: '' }), (e: unknown) => {
        return e instanceof Qoo10WrongStateError && e.qoo10Code === -10004 && !e.retryable;
      });
      assert.equal(sim.calls.length, 1);
    });
  }

  test('another seller’s order is refused (-10003) and left alone', async () => {
    await assert.rejects(client().cancelOrder({ orderNo: ORDERS.shopB, cause: 'buyer', memo: '' }), { qoo10Code: -10003 });
    assert.equal(sim.state.order(ORDERS.shopB)?.cancelledAt, null);
  });
});

describe('setSendingInfo', () => {
  test('moves the order to 配送中; by default the pending cancel request stays until キャンセル拒否 in QSM', async () => {
    await client().setSendingInfo({ orderNo: ORDERS.requested, carrier: '佐川急便', trackingNo: '360000000012' });
    const snapshot = await client().getOrderSnapshot(ORDERS.requested);
    assert.equal(snapshot?.shippingStatus, 4);
    assert.equal(snapshot?.claimStatus, 1, 'still pending');
    const pending = await client().getClaims({ claimStatus: 1, ...week, condition: 2 });
    assert.ok(pending.some((c) => c.orderNo === ORDERS.requested));
    sim.state.refuseInQsm(ORDERS.requested);
    assert.equal((await client().getOrderSnapshot(ORDERS.requested))?.claimStatus, null, 'refused in QSM: gone');
    const open = await client().getClaims({ claimStatus: 1, ...week, condition: 2 });
    assert.ok(!open.some((c) => c.orderNo === ORDERS.requested));
    assert.equal(claimOf(ORDERS.requested)?.endedBy, 'qsm_refusal');
    assert.equal(sim.state.order(ORDERS.requested)?.cancelledAt, null, 'nothing was cancelled');
  });

  test('with shipConfirmEndsRequest it moves the order to 配送中 and withdraws its pending cancel request', async () => {
    shopA().behaviour.shipConfirmEndsRequest = true;
    await client().setSendingInfo({ orderNo: ORDERS.requested, carrier: '佐川急便', trackingNo: '360000000012' });
    const snapshot = await client().getOrderSnapshot(ORDERS.requested);
    assert.equal(snapshot?.shippingStatus, 4);
    assert.equal(snapshot?.carrier, '佐川急便');
    assert.equal(snapshot?.trackingNo, '360000000012');
    assert.equal(snapshot?.shippedAt?.getTime(), NOW.getTime());
    assert.equal(snapshot?.claimStatus, null, 'the request is gone');
    const open = await client().getClaims({ claimStatus: 1, ...week, condition: 2 });
    assert.ok(!open.some((c) => c.orderNo === ORDERS.requested));
    assert.equal(claimOf(ORDERS.requested)?.withdrawnAt?.getTime(), NOW.getTime());
    assert.equal(claimOf(ORDERS.requested)?.endedBy, 'ship_confirm');
  });

  test('キャンセル拒否 in QSM needs a pending request', () => {
    assert.throws(() => sim.state.refuseInQsm(ORDERS.confirmed), /no pending cancel request/);
    assert.throws(() => sim.state.refuseInQsm(ORDERS.shipped), /no pending cancel request/);
  });

  test('a refusal registers the tracking on every line of the cart', async () => {
    shopA().behaviour.shipConfirmEndsRequest = true;
    const rows = refusalSendingRows([ORDERS.cartRequested, ORDERS.cartSecondLine], { carrier: 'ヤマト宅急便', trackingNo: '400000000023' });
    for (const row of rows) await client().setSendingInfo(row);
    for (const orderNo of [ORDERS.cartRequested, ORDERS.cartSecondLine]) {
      const snapshot = await client().getOrderSnapshot(orderNo);
      assert.equal(snapshot?.shippingStatus, 4);
      assert.equal(snapshot?.trackingNo, '400000000023');
      assert.equal(snapshot?.claimStatus, null);
    }
  });

  test('on a cancelled order it is Qoo10WrongStateError', async () => {
    await assert.rejects(
      client().setSendingInfo({ orderNo: ORDERS.cancelled, carrier: 'ヤマト宅急便', trackingNo: '400000000016' }),
      Qoo10WrongStateError,
    );
  });

  test('on a shipped order it replaces the tracking', async () => {
    await client().setSendingInfo({ orderNo: ORDERS.shipped, carrier: 'ゆうパック', trackingNo: '123456789012' });
    assert.equal(sim.state.order(ORDERS.shipped)?.trackingNo, '123456789012');
  });
});

describe('setSendingInfoBulk', () => {
  test('chunks 1,200 rows into calls of at most 500 and reports each row, failures included', async () => {
    const shop = sim.state.shopByKey(SHOP_A_KEY);
    assert.ok(shop);
    const added = Array.from({ length: 1_198 }, () => sim.state.addOrder(shop, { itemTitle: 'テスト商品' }).orderNo);
    const rows = [...added, ORDERS.cancelled, ORDERS.shopB].map((orderNo, i) => ({
      orderNo,
      carrier: 'ヤマト宅急便',
      trackingNo: String(400_000_000_000 + i),
    }));
    const results = await client().setSendingInfoBulk(rows);
    const bulkCalls = sim.calls.filter((c) => c.method === 'ShippingBasic.SetSendingInfoBulk');
    assert.deepEqual(bulkCalls.map((c) => JSON.parse(c.params.ShippingInfoJson).length), [500, 500, 200]);
    assert.equal(results.length, 1_200);
    assert.deepEqual(results.map((r) => r.orderNo), rows.map((r) => r.orderNo), 'results keep the input order');
    assert.equal(results.filter((r) => r.ok).length, 1_198);
    assert.deepEqual(results.slice(-2).map((r) => r.code), [-10004, -10003]);
    assert.equal(sim.state.order(added[700])?.shippingStatus, 4);
  });
});

describe('confirmOrder', () => {
  test('confirms an order awaiting confirmation and sets its ship date (JST day)', async () => {
    await client().confirmOrder({
      orderNo: ORDERS.awaitingConfirmation,
      estimatedShipDate: new Date(NOW.getTime() + DAY),
      delayType: DelayType.Preparing,
      memo: '',
    });
    assert.equal(sim.calls[0].params.EstShipDt, '20261121');
    const order = sim.state.order(ORDERS.awaitingConfirmation);
    assert.equal(order?.shippingStatus, 3);
    assert.equal(order?.estimatedShipDate?.toISOString(), '2026-11-20T15:00:00.000Z');
  });

  test('refuses a shipped order', async () => {
    await assert.rejects(
      client().confirmOrder({ orderNo: ORDERS.shipped, estimatedShipDate: NOW, delayType: 4, memo: '' }),
      Qoo10WrongStateError,
    );
  });
});

describe('buyer side (simulator helpers)', () => {
  test('a buyer cancel before confirmation completes at once (ClaimStat 3, no request)', async () => {
    sim.state.requestCancel(ORDERS.awaitingConfirmation, '注文間違い');
    const c = client();
    const open = await c.getClaims({ claimStatus: 1, ...week, condition: 2 });
    assert.ok(!open.some((x) => x.orderNo === ORDERS.awaitingConfirmation));
    const completed = await c.getClaims({ claimStatus: 3, ...week, condition: 3 });
    const instant = completed.find((x) => x.orderNo === ORDERS.awaitingConfirmation);
    assert.equal(instant?.completedAt?.getTime(), NOW.getTime());
  });

  test('a buyer cancel after confirmation is a request the seller must answer', async () => {
    sim.clock.advance(HOUR);
    sim.state.requestCancel(ORDERS.confirmed, '他店で購入済み');
    const snapshot = await client().getOrderSnapshot(ORDERS.confirmed);
    assert.equal(snapshot?.claimStatus, 1);
    assert.equal(snapshot?.claimRequestedAt?.getTime(), NOW.getTime() + HOUR);
  });

  test('a request on a shipped order becomes a return request (ClaimStat 4)', () => {
    assert.equal(sim.state.requestCancel(ORDERS.shipped).claimStatus, 4);
  });

  test('the seller shipping out of band withdraws the request (shipConfirmEndsRequest)', async () => {
    shopA().behaviour.shipConfirmEndsRequest = true;
    sim.state.shipOrder(ORDERS.requested);
    const snapshot = await client().getOrderSnapshot(ORDERS.requested);
    assert.equal(snapshot?.shippingStatus, 4);
    assert.equal(snapshot?.claimStatus, null);
    assert.match(snapshot?.trackingNo ?? '', /^\d{12}$/);
  });

  test('shop B cannot see or touch shop A', async () => {
    assert.equal(await clientFor(sim.url, SHOP_B_KEY).getOrderSnapshot(ORDERS.requested), null);
  });
});
