// The simulator's /__sim/ admin path and handle helpers, as a demo or a later e2e test drives them.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFingerprint } from '../../src/qoo10/key-fingerprint';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { clientFor, DAY, HOUR, NOW, ORDERS, SHOP_A_KEY, smallScenario } from './qoo10-test-helpers';

let sim: SimulatorHandle;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

async function admin(method: 'GET' | 'POST', action: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.origin}/__sim/${action}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('simulator admin path', () => {
  test('lists shops by fingerprint, never by key', async () => {
    const { status, json } = await admin('GET', 'shops');
    assert.equal(status, 200);
    assert.equal(json.shops[0].key, keyFingerprint(SHOP_A_KEY));
    assert.equal(json.shops[0].openCancelRequests, 2);
    assert.ok(!JSON.stringify(json).includes(SHOP_A_KEY));
  });

  test('a buyer cancel request, an out-of-band shipment and the clock', async () => {
    await admin('POST', 'clock', { advanceMinutes: 90 });
    const request = await admin('POST', 'cancel-requests', { orderNo: ORDERS.confirmed, reason: 'テスト' });
    assert.equal(request.status, 200);
    assert.equal(request.json.claimStatus, 1);
    assert.equal(new Date(request.json.requestedAt).getTime(), NOW.getTime() + 90 * 60_000);
    const shipped = await admin('POST', 'shipments', { orderNo: ORDERS.confirmed, carrier: 'ゆうパケット', trackingNo: '123456789012' });
    assert.equal(shipped.json.shippingStatus, 4);
    const snapshot = await clientFor(sim.url, SHOP_A_KEY).getOrderSnapshot(ORDERS.confirmed);
    assert.equal(snapshot?.claimStatus, 1, 'by default shipping leaves the request pending');
    const refused = await admin('POST', 'qsm-refusals', { orderNo: ORDERS.confirmed });
    assert.equal(refused.status, 200);
    assert.equal(refused.json.endedBy, 'qsm_refusal');
    assert.equal((await clientFor(sim.url, SHOP_A_KEY).getOrderSnapshot(ORDERS.confirmed))?.claimStatus, null);
    assert.equal((await admin('POST', 'qsm-refusals', { orderNo: ORDERS.confirmed })).status, 400, 'nothing left to refuse');
  });

  test('switches whether ship-confirm ends a pending request, per shop', async () => {
    assert.equal((await admin('GET', 'shops')).json.shops[0].behaviour.shipConfirmEndsRequest, false);
    const set = await admin('POST', 'behaviour', { shop: 'Shop A', shipConfirmEndsRequest: true });
    assert.equal(set.status, 200);
    assert.equal(set.json.behaviour.shipConfirmEndsRequest, true);
    assert.equal((await admin('POST', 'behaviour', { shop: 'Shop A', shipConfirmEndsRequest: 'yes' })).status, 400);
    assert.equal((await admin('POST', 'behaviour', { shop: 'Shop A', nonsense: true })).status, 400);
    assert.equal((await admin('POST', 'behaviour', { shop: 'Nobody', shipConfirmEndsRequest: true })).status, 400);
    await admin('POST', 'shipments', { orderNo: ORDERS.requested });
    assert.equal((await clientFor(sim.url, SHOP_A_KEY).getOrderSnapshot(ORDERS.requested))?.claimStatus, null);
  });

  test('sets faults and rejects bad input', async () => {
    assert.equal((await admin('POST', 'faults', { expiredKey: true })).status, 200);
    assert.equal(sim.calls.length, 0);
    await assert.rejects(clientFor(sim.url, SHOP_A_KEY).getOrderSnapshot(ORDERS.requested), { code: 'qoo10_key_expired' });
    assert.equal((await admin('POST', 'faults', { timeoutRate: 2 })).status, 400);
    assert.equal((await admin('POST', 'cancel-requests', { orderNo: '1' })).status, 400);
    assert.equal((await admin('POST', 'nothing', {})).status, 404);
  });
});

describe('order stream on the simulator clock', () => {
  test('new orders appear in GetShippingInfo_v3 as the clock advances', async () => {
    sim.startOrderStream({ sellerAuthKey: SHOP_A_KEY, ratePerMinute: 2, seed: 1 });
    sim.clock.advance(HOUR);
    const orders = await clientFor(sim.url, SHOP_A_KEY).getOrders({
      shippingStatus: 2,
      from: new Date(NOW.getTime() + 1),
      to: new Date(NOW.getTime() + DAY),
      condition: 1,
    });
    assert.equal(orders.filter((o) => o.orderedAt.getTime() > NOW.getTime()).length, 120);
  });
});
