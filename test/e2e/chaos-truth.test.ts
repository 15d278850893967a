// The chaos harness's ground-truth invariants (test/helpers/chaos-truth.ts), fed by a real simulator over
// HTTP: each check must fire on the case it names and stay silent on its look-alike that is allowed.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import { checkNoDoubleAction, checkNoShippedCancel, compareRate, invariantOf, recountFromSimulator, tallyByInvariant, type ReportedRate } from '../helpers/chaos-truth';
import { NOW, ORDERS, SHOP_A_KEY, smallScenario } from '../qoo10/qoo10-test-helpers';

let sim: SimulatorHandle;
let shop: SimShop;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
  shop = sim.state.shopByKey(SHOP_A_KEY)!;
});
afterEach(async () => {
  await sim.close();
});

async function post(method: string, params: Record<string, string>): Promise<void> {
  await fetch(`${sim.url}/${method}`, {
    method: 'POST',
    headers: { GiosisCertificationKey: SHOP_A_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ returnType: 'application/json', ...params }).toString(),
  }).then((res) => res.text(), () => undefined);
}

const cancel = (orderNo: string) => post('Claim.SetCancelProcess', { ContrNo: orderNo, CancelReason: '1', SellerMemo: '' });
const read = (orderNo: string) => post('ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2', { OrderNo: orderNo });
const track = (orderNo: string, trackingNo: string) => post('ShippingBasic.SetSendingInfo', { OrderNo: orderNo, ShippingCorp: 'ヤマト宅急便', TrackingNo: trackingNo });
const freshOrder = () => sim.state.addOrder(shop, { itemTitle: '試験商品' }).orderNo;
const doubles = () => checkNoDoubleAction(sim.calls, sim.writes);

describe('no shipped order cancelled (every attempt, refused ones included)', () => {
  test('a refused cancel on a shipped order and a cancel after the shop recorded a hand-over are violations', async () => {
    await cancel(ORDERS.shipped);
    const handedOver = freshOrder();
    const laterHandOver = freshOrder();
    const record = [
      { orderNo: handedOver, how: 'handed to Yamato (facts API)', afterCallSeq: sim.calls.length },
      // Recorded after the attempt below: the service could not have known.
      { orderNo: laterHandOver, how: 'handed to Yamato (facts API)', afterCallSeq: sim.calls.length + 2 },
    ];
    await cancel(handedOver);
    await cancel(laterHandOver);
    const violations = checkNoShippedCancel(sim.writes, record);
    assert.equal(violations.length, 2, violations.join('\n'));
    assert.match(violations[0]!, new RegExp(`^shipped-cancel: cancel attempted on order ${ORDERS.shipped}, which had shipped on Qoo10 \\(call #1, not applied, result -10004`));
    assert.match(violations[1]!, new RegExp(`^shipped-cancel: cancel attempted on order ${handedOver} after the shop recorded it as handed to Yamato \\(facts API\\) \\(call #2, applied`));
  });

  test('an order the simulator ships inside the write (shipBetweenReadAndWrite) had not shipped on arrival: no violation', async () => {
    sim.setFaults({ shipBetweenReadAndWrite: true });
    await read(ORDERS.requested);
    await cancel(ORDERS.requested);
    assert.equal(sim.writes[0]!.resultCode, -10004);
    assert.deepEqual(checkNoShippedCancel(sim.writes, []), []);
  });
});

describe('no double action (from the write log)', () => {
  test('a cancel applied with its answer lost, then sent again after a read: the second attempt is a violation', async () => {
    const orderNo = freshOrder();
    sim.setFaults({ lostAnswers: [{ kind: 'drop', times: 1 }] });
    await cancel(orderNo);
    await read(orderNo);
    await cancel(orderNo);
    const violations = doubles();
    assert.equal(violations.length, 1, violations.join('\n'));
    assert.match(violations[0]!, /^double-action: cancel of order \d+ sent again \(call #3, not applied, result -10004.*after an earlier one had reached Qoo10 \(call #1, applied, answer drop\)/);
  });

  test('a cancel lost on its way in, then read and sent once more, is allowed; sent again without a read it is not', async () => {
    const settled = freshOrder();
    const blind = freshOrder();
    sim.setFaults({ lostAnswers: [{ kind: 'http5xx', apply: false, times: 1 }] });
    await cancel(settled);
    await read(settled);
    await cancel(settled);
    assert.ok(sim.state.order(settled)!.cancelledAt);
    sim.setFaults({ lostAnswers: [{ kind: 'http5xx', apply: false, times: 1 }] });
    await cancel(blind);
    await cancel(blind);
    const violations = doubles();
    assert.equal(violations.length, 1, violations.join('\n'));
    assert.match(violations[0]!, new RegExp(`^double-action: cancel of order ${blind} sent again .* after an unknown outcome \\(call #4, not applied, answer http5xx\\) without reading the order in between`));
  });

  test('a write refused for an expired key never reached the order: sending it again after the key is renewed is allowed', async () => {
    const cancelled = freshOrder();
    const tracked = freshOrder();
    sim.setFaults({ expiredKey: true });
    await cancel(cancelled);
    await track(tracked, '400000000016');
    sim.setFaults({});
    await cancel(cancelled);
    await track(tracked, '400000000016');
    assert.deepEqual(sim.writes.map((w) => w.resultCode), [-90004, -90004, 0, 0]);
    assert.deepEqual(doubles(), []);
  });

  test('a read that failed does not count as a read', async () => {
    const orderNo = freshOrder();
    sim.setFaults({ lostAnswers: [{ kind: 'http5xx', apply: false, times: 1 }] });
    await cancel(orderNo);
    sim.setFaults({ http500Rate: 1 });
    await read(orderNo);
    sim.setFaults({});
    await cancel(orderNo);
    assert.equal(doubles().length, 1);
  });

  test('a tracking number applied with its answer lost and sent again is a violation, even after a read', async () => {
    const orderNo = freshOrder();
    sim.setFaults({ lostAnswers: [{ kind: 'http5xx', times: 1 }] });
    await track(orderNo, '400000000016');
    await read(orderNo);
    await track(orderNo, '400000000016');
    const violations = doubles();
    assert.equal(violations.length, 1, violations.join('\n'));
    assert.match(violations[0]!, /^double-action: tracking 400000000016 for order \d+ sent again .* after Qoo10 had applied it/);
  });

  test('a bulk row failed for a temporary reason (-10005) may be sent again; a corrected number is a new action', async () => {
    const orderNo = freshOrder();
    const bulk = (trackingNo: string) =>
      post('ShippingBasic.SetSendingInfoBulk', { ShippingInfoJson: JSON.stringify([{ OrderNo: orderNo, ShippingCorp: 'ヤマト宅急便', TrackingNo: trackingNo }]) });
    sim.setFaults({ bulkPartialFailureRate: 1 });
    await bulk('400000000016');
    sim.setFaults({});
    await bulk('400000000016');
    await track(ORDERS.cancelled, '400000000020');
    await track(ORDERS.cancelled, '400000000031');
    assert.deepEqual(sim.writes.map((w) => w.resultCode), [-10005, 0, -10004, -10004]);
    assert.deepEqual(doubles(), []);
    await track(ORDERS.cancelled, '400000000031');
    assert.match(doubles()[0]!, /sent again .* after Qoo10 had refused it \(call #4, not applied, result -10004/);
  });
});

describe('the rate, recounted from the simulator', () => {
  test('JST month, the 6-hour exclusion, cancels of last month\'s orders counted in the month they completed', () => {
    // NOW is 2026-11-20 12:00 JST; the small scenario has orders placed in November and October.
    const before = recountFromSimulator(shop, '2026-11');
    const quick = sim.state.addOrder(shop, { itemTitle: 'すぐ取消', orderedAt: '2026-11-20 07:00:01' }).orderNo;
    const slow = sim.state.addOrder(shop, { itemTitle: '後で取消', orderedAt: '2026-11-20 06:00:00' }).orderNo;
    const october = sim.state.addOrder(shop, { itemTitle: '先月', orderedAt: '2026-10-31 23:59:59' }).orderNo;
    for (const orderNo of [quick, slow, october]) sim.state.sellerCheck(shop, orderNo, NOW);
    for (const orderNo of [quick, slow, october]) sim.state.sellerCancel(shop, orderNo, '1', '');
    const after = recountFromSimulator(shop, '2026-11');
    // 4 h 59 min 59 s after its order: excluded; exactly 6 h: counted; October's order: counted, not an order of November.
    assert.deepEqual(
      { orders: after.orders - before.orders, counted: after.countedCancels - before.countedCancels, excluded: after.excludedCancels - before.excludedCancels },
      { orders: 2, counted: 2, excluded: 1 },
    );
  });

  test('a report that differs from the recount is a rate violation naming each field; a matching one is not', () => {
    const truth = recountFromSimulator(shop, '2026-11');
    const definition = { denominator: 'orders_placed', exclusionHours: 6, cancelMonthBasis: 'cancel_time' };
    const good: ReportedRate = { month: '2026-11', ...truth, definition };
    assert.deepEqual(compareRate('Shop A', good, shop, 'rate --json'), []);
    const bad = compareRate('Shop A', { ...good, countedCancels: truth.countedCancels + 1 }, shop, 'rate --json');
    assert.deepEqual(bad, [`rate: Shop A 2026-11: rate --json reports countedCancels ${truth.countedCancels + 1} (Qoo10 shows ${truth.countedCancels})`]);
    assert.equal(invariantOf(bad[0]!), 'rate');
    assert.match(compareRate('Shop A', { ...good, definition: { ...definition, denominator: 'orders_paid' } }, shop, 'rate --json')[0]!, /recount knows orders_placed\/cancel_time only/);
  });

  test('violations are tallied per invariant; texts without a known prefix are the service\'s own bookkeeping', () => {
    assert.deepEqual(tallyByInvariant(['rate: a', 'double-action: b', 'double-action: c', 'request lost: order 1']), { rate: 1, 'shipped-cancel': 0, 'double-action': 2, 'poll-cadence': 0, state: 1 });
  });
});
