// Contract of the simulator's "apply, then lose the answer" faults and its write log (write-faults.ts),
// over raw HTTP so it holds whatever the client does with the answer: every write method is applied on
// the simulator and its answer is a 5xx, a dropped connection or a success with a scalar ResultObject.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import { WRITE_METHODS, type LostAnswerFault, type WriteMethod } from '../../src/qoo10/simulator/write-faults';
import { NOW, ORDERS, SHOP_A_KEY, smallScenario } from './qoo10-test-helpers';

let sim: SimulatorHandle;
let shop: SimShop;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
  shop = sim.state.shopByKey(SHOP_A_KEY)!;
});
afterEach(async () => {
  await sim.close();
});

type Raw = { status: number; body: string } | { dropped: true; error: string };

async function post(method: string, params: Record<string, string>): Promise<Raw> {
  try {
    const res = await fetch(`${sim.url}/${method}`, {
      method: 'POST',
      headers: { GiosisCertificationKey: SHOP_A_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ returnType: 'application/json', ...params }).toString(),
    });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    return { dropped: true, error: String((error as Error & { cause?: unknown }).cause ?? error) };
  }
}

/** A fresh order (paid, awaiting confirmation) and how to write to it and see the write on the simulator. */
function target(method: WriteMethod) {
  const orderNo = sim.state.addOrder(shop, { itemTitle: '試験商品' }).orderNo;
  const trackingNo = `4000000${orderNo.slice(-5)}`;
  const params: Record<WriteMethod, Record<string, string>> = {
    'Claim.SetCancelProcess': { ContrNo: orderNo, CancelReason: '1', SellerMemo: '' },
    'ShippingBasic.SetSendingInfo': { OrderNo: orderNo, ShippingCorp: 'ヤマト宅急便', TrackingNo: trackingNo },
    'ShippingBasic.SetSendingInfoBulk': { ShippingInfoJson: JSON.stringify([{ OrderNo: orderNo, ShippingCorp: 'ヤマト宅急便', TrackingNo: trackingNo }]) },
    'ShippingBasic.SetSellerCheckYN_V2': { OrderNo: orderNo, EstShipDt: '20261122', DelayType: '1' },
  };
  const applied = (): boolean => {
    const order = sim.state.order(orderNo)!;
    if (method === 'Claim.SetCancelProcess') return order.cancelledAt !== null;
    if (method === 'ShippingBasic.SetSellerCheckYN_V2') return order.shippingStatus === 3;
    return order.trackingNo === trackingNo && order.shippingStatus === 4;
  };
  return { orderNo, params: params[method], applied };
}

describe('apply, then lose the answer (every write method)', () => {
  for (const method of WRITE_METHODS) {
    test(`${method}: applied, then HTTP 5xx`, async () => {
      sim.setFaults({ lostAnswers: [{ kind: 'http5xx', httpStatus: 502 }] });
      const t = target(method);
      const raw = await post(method, t.params);
      assert.ok('status' in raw, 'an answer arrives');
      assert.equal(raw.status, 502);
      assert.ok(!raw.body.includes('ResultCode'), 'no envelope tells the caller what happened');
      assert.ok(t.applied(), 'the write took effect on Qoo10');
      const [attempt] = sim.writes;
      assert.deepEqual({ orderNo: attempt!.orderNo, applied: attempt!.applied, answer: attempt!.answer, code: attempt!.resultCode }, { orderNo: t.orderNo, applied: true, answer: 'http5xx', code: 0 });
      assert.equal(sim.calls[0]!.lostAnswer, 'http5xx');
      assert.equal(sim.calls[0]!.httpStatus, 502);
    });

    test(`${method}: applied, then the connection is dropped without an answer`, async () => {
      sim.setFaults({ lostAnswers: [{ kind: 'drop', methods: [method] }] });
      const t = target(method);
      const raw = await post(method, t.params);
      assert.ok('dropped' in raw, `no answer expected, got ${JSON.stringify(raw)}`);
      assert.ok(t.applied(), 'the write took effect on Qoo10');
      assert.equal(sim.writes[0]!.applied, true);
      assert.equal(sim.writes[0]!.answer, 'drop');
    });

    test(`${method}: applied, then a success whose ResultObject is a plain value`, async () => {
      sim.setFaults({ lostAnswers: [{ kind: 'scalar_success', resultObject: 'OK' }] });
      const t = target(method);
      const raw = await post(method, t.params);
      assert.ok('status' in raw);
      assert.equal(raw.status, 200);
      assert.deepEqual(JSON.parse(raw.body), { ResultCode: 0, ResultMsg: 'SUCCESS', ResultObject: 'OK' });
      assert.ok(t.applied());
      assert.equal(sim.writes[0]!.answer, 'scalar_success');
    });
  }

  test('the default scalar is 0', async () => {
    sim.setFaults({ lostAnswers: [{ kind: 'scalar_success' }] });
    const t = target('Claim.SetCancelProcess');
    const raw = await post('Claim.SetCancelProcess', t.params);
    assert.ok('status' in raw);
    assert.equal(JSON.parse(raw.body).ResultObject, 0);
  });

  test('apply: false loses the write on the way in (a write outage): nothing is applied, reads still work', async () => {
    sim.setFaults({ lostAnswers: [{ kind: 'http5xx', apply: false, methods: ['Claim.SetCancelProcess'] }] });
    const t = target('Claim.SetCancelProcess');
    const raw = await post('Claim.SetCancelProcess', t.params);
    assert.ok('status' in raw && raw.status === 503);
    assert.equal(t.applied(), false);
    assert.deepEqual([sim.writes[0]!.applied, sim.writes[0]!.resultCode, sim.writes[0]!.answer], [false, null, 'http5xx']);
    const read = await post('ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2', { OrderNo: t.orderNo });
    assert.ok('status' in read && JSON.parse(read.body).ResultCode === 0);
    assert.throws(() => sim.setFaults({ lostAnswers: [{ kind: 'scalar_success', apply: false }] }), /needs the write applied/);
  });

  test('times: only the first N applied writes lose their answer', async () => {
    sim.setFaults({ lostAnswers: [{ kind: 'http5xx', times: 2 }] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const raw = await post('Claim.SetCancelProcess', target('Claim.SetCancelProcess').params);
      statuses.push('status' in raw ? raw.status : 0);
    }
    assert.deepEqual(statuses, [503, 503, 200, 200]);
    assert.deepEqual(sim.writes.map((w) => w.applied), [true, true, true, true]);
  });

  test('a refused write is answered normally and does not use up `times`; orderNos narrows the fault', async () => {
    const other = target('Claim.SetCancelProcess');
    sim.setFaults({ lostAnswers: [{ kind: 'drop', times: 1, orderNos: [ORDERS.shipped, other.orderNo] }] });
    const refused = await post('Claim.SetCancelProcess', { ContrNo: ORDERS.shipped, CancelReason: '1' });
    assert.ok('status' in refused && JSON.parse(refused.body).ResultCode === -10004, 'a shipped order is refused, answer intact');
    const unrelated = target('Claim.SetCancelProcess');
    assert.ok('status' in (await post('Claim.SetCancelProcess', unrelated.params)), 'an order not named is answered');
    assert.ok('dropped' in (await post('Claim.SetCancelProcess', other.params)), 'the named order loses its answer');
    assert.ok(other.applied());
  });

  test('rate draws repeat exactly for the same seed', async () => {
    const run = async () => {
      sim.setFaults({ lostAnswers: [{ kind: 'http5xx', rate: 0.5 }], seed: 9 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        const raw = await post('ShippingBasic.SetSellerCheckYN_V2', target('ShippingBasic.SetSellerCheckYN_V2').params);
        statuses.push('status' in raw ? raw.status : 0);
      }
      return statuses;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(503) && first.includes(200), first.join(','));
  });

  test('the admin path sets lost-answer faults and rejects bad ones with a 400 naming the field', async () => {
    const admin = (body: unknown) =>
      fetch(`${sim.origin}/__sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const faults: LostAnswerFault[] = [{ kind: 'drop', methods: ['ShippingBasic.SetSendingInfo'] }];
    assert.equal((await admin({ lostAnswers: faults })).status, 200);
    const t = target('ShippingBasic.SetSendingInfo');
    assert.ok('dropped' in (await post('ShippingBasic.SetSendingInfo', t.params)));
    assert.ok(t.applied());
    const bad = await admin({ lostAnswers: [{ kind: 'explode' }] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /lostAnswers\[0\]\.kind/);
    assert.equal((await admin({ lostAnswers: [{ kind: 'drop', methods: ['Claim.Nothing'] }] })).status, 400);
    assert.equal((await admin({ lostAnswers: [{ kind: 'drop', rate: 3 }] })).status, 400);
  });
});

describe('the write log: every attempt, with the order number and whether it was applied', () => {
  test('refused, lost on the way in, applied and bulk rows each leave one attempt per order', async () => {
    // Refused: the order has shipped (-10004); recorded as shipped on arrival.
    await post('Claim.SetCancelProcess', { ContrNo: ORDERS.shipped, CancelReason: '1' });
    // Lost on the way in by a transport fault: not applied.
    sim.setFaults({ http500Rate: 1 });
    const lostOnTheWay = target('Claim.SetCancelProcess');
    await post('Claim.SetCancelProcess', lostOnTheWay.params);
    sim.setFaults({});
    // Applied with a clear answer.
    const cancelled = target('Claim.SetCancelProcess');
    await post('Claim.SetCancelProcess', cancelled.params);
    // A second cancel on the cancelled order: refused, recorded as cancelled on arrival.
    await post('Claim.SetCancelProcess', cancelled.params);
    // Bulk: one applied row, one refused row (the cancelled order), one row failed by a fault-free -10002.
    const shipNow = target('ShippingBasic.SetSendingInfoBulk');
    await post('ShippingBasic.SetSendingInfoBulk', {
      ShippingInfoJson: JSON.stringify([
        { OrderNo: shipNow.orderNo, ShippingCorp: 'ヤマト宅急便', TrackingNo: '400000000111' },
        { OrderNo: cancelled.orderNo, ShippingCorp: 'ヤマト宅急便', TrackingNo: '400000000122' },
        { OrderNo: '1999999999', ShippingCorp: 'ヤマト宅急便', TrackingNo: '400000000133' },
      ]),
    });
    const summary = sim.writes.map((w) => [w.kind, w.orderNo, w.applied, w.resultCode, w.answer, w.shippedBefore, w.cancelledBefore]);
    assert.deepEqual(summary, [
      ['cancel', ORDERS.shipped, false, -10004, 'answered', true, false],
      ['cancel', lostOnTheWay.orderNo, false, null, 'http500', false, false],
      ['cancel', cancelled.orderNo, true, 0, 'answered', false, false],
      ['cancel', cancelled.orderNo, false, -10004, 'answered', false, true],
      ['tracking', shipNow.orderNo, true, 0, 'answered', false, false],
      ['tracking', cancelled.orderNo, false, -10004, 'answered', false, true],
      ['tracking', '1999999999', false, -10002, 'answered', false, false],
    ]);
    assert.equal(sim.writes[4]!.trackingNo, '400000000111');
    assert.deepEqual(
      sim.writes.map((w) => w.callSeq),
      [1, 2, 3, 4, 5, 5, 5],
      'each attempt points at its call in the call record',
    );
    assert.equal(lostOnTheWay.applied(), false);
  });

  test('reads are not writes', async () => {
    await post('ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2', { OrderNo: ORDERS.requested });
    assert.equal(sim.calls.length, 1);
    assert.equal(sim.writes.length, 0);
  });
});
