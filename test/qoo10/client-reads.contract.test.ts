// Contract: the real client against the simulator over real HTTP. Reads and key creation.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClaimStatus, ShippingStatus } from '../../src/domain/types';
import { Qoo10ApiError, Qoo10AuthError } from '../../src/qoo10/errors';
import { ClaimSearchCondition, OrderSearchCondition } from '../../src/qoo10/qoo10-client';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { clientFor, DAY, HOUR, NOW, ORDERS, SHOP_A_CREDENTIALS, SHOP_A_KEY, SHOP_B_KEY, smallScenario } from './qoo10-test-helpers';

let sim: SimulatorHandle;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

const lastDays = (days: number) => ({ from: new Date(NOW.getTime() - days * DAY), to: NOW });

describe('getClaims', () => {
  test('returns the open cancel requests with domain fields (label → code, JST → instant, yen)', async () => {
    const claims = await clientFor(sim.url, SHOP_A_KEY).getClaims({
      claimStatus: ClaimStatus.CancelRequested,
      ...lastDays(7),
      condition: ClaimSearchCondition.RequestDate,
    });
    assert.deepEqual(claims.map((c) => c.orderNo).sort(), [ORDERS.requested, ORDERS.cartRequested]);
    const requested = claims.find((c) => c.orderNo === ORDERS.requested);
    assert.equal(requested?.claimStatus, 1);
    assert.equal(requested?.requestedAt.getTime(), NOW.getTime() - 3 * HOUR);
    assert.equal(requested?.paymentAmountYen, 4960);
    assert.equal(requested?.quantity, 2);
    assert.equal(requested?.completedAt, null);
  });

  test('reads a single-row answer (one object, not an array) and an empty one (null)', async () => {
    const client = clientFor(sim.url, SHOP_A_KEY);
    const completed = await client.getClaims({ claimStatus: 3, ...lastDays(7), condition: ClaimSearchCondition.CompletedDate });
    assert.deepEqual(completed.map((c) => c.orderNo), [ORDERS.cancelled]);
    assert.equal(completed[0].completedAt?.getTime(), NOW.getTime() - 28 * HOUR);
    assert.deepEqual(await client.getClaims({ claimStatus: 4, ...lastDays(7), condition: 2 }), []);
  });

  test('splits a 200-day range into calls of at most 90 days and merges without duplicates', async () => {
    const claims = await clientFor(sim.url, SHOP_A_KEY).getClaims({
      claimStatus: 3,
      ...lastDays(200),
      condition: ClaimSearchCondition.CompletedDate,
    });
    assert.deepEqual(claims.map((c) => c.orderNo).sort(), [ORDERS.cancelled, ORDERS.old]);
    const calls = sim.calls.filter((c) => c.method === 'ShippingBasic.GetClaimInfo_V3');
    assert.equal(calls.length, 3);
    for (const call of calls) assert.equal(call.responseCode, 0, 'the simulator accepted every window');
  });

  test('splits the same way when dates are sent with seconds', async () => {
    const claims = await clientFor(sim.url, SHOP_A_KEY, { searchDateFormat: 'datetime' }).getClaims({
      claimStatus: 3,
      ...lastDays(200),
      condition: ClaimSearchCondition.CompletedDate,
    });
    assert.equal(claims.length, 2);
    assert.deepEqual(sim.calls.map((c) => [c.params.search_Sdate.length, c.responseCode]), [[14, 0], [14, 0], [14, 0]]);
  });

  test('the simulator refuses a window over 90 days with -10003', async () => {
    const client = clientFor(sim.url, SHOP_A_KEY, { maxWindowDays: 120 });
    await assert.rejects(client.getClaims({ claimStatus: 3, ...lastDays(100), condition: 3 }), (e: unknown) => {
      return e instanceof Qoo10ApiError && e.qoo10Code === -10003 && !e.retryable;
    });
  });

  test('keeps shops apart: another key sees only its own claims', async () => {
    assert.deepEqual(await clientFor(sim.url, SHOP_B_KEY).getClaims({ claimStatus: 1, ...lastDays(7), condition: 2 }), []);
  });
});

describe('getOrders', () => {
  test('without a status returns 1–3 and leaves cancelled orders out', async () => {
    const orders = await clientFor(sim.url, SHOP_A_KEY).getOrders({ ...lastDays(30), condition: OrderSearchCondition.OrderDate });
    const numbers = orders.map((o) => o.orderNo).sort();
    assert.deepEqual(numbers, [
      ORDERS.awaitingConfirmation,
      ORDERS.requested,
      ORDERS.confirmed,
      ORDERS.cartRequested,
      ORDERS.cartSecondLine,
      ORDERS.unpaid,
    ].sort());
    const confirmed = orders.find((o) => o.orderNo === ORDERS.confirmed);
    assert.equal(confirmed?.shippingStatus, ShippingStatus.Preparing);
    assert.equal(confirmed?.shippingDeadline?.toISOString(), '2026-11-20T15:00:00.000Z');
    assert.equal(confirmed?.paymentMethod, 'クレジットカード');
    const cart = orders.filter((o) => o.packNo === '700000007');
    assert.equal(cart.length, 2, 'both lines of the cart share the PackNo');
  });

  test('filters by one status and by shipping date', async () => {
    const shipped = await clientFor(sim.url, SHOP_A_KEY).getOrders({
      shippingStatus: ShippingStatus.InDelivery,
      ...lastDays(30),
      condition: OrderSearchCondition.ShippingDate,
    });
    assert.deepEqual(shipped.map((o) => [o.orderNo, o.carrier, o.trackingNo]), [[ORDERS.shipped, 'ヤマト宅急便', '400000000016']]);
  });

  test('splits a long range into 90-day calls', async () => {
    const orders = await clientFor(sim.url, SHOP_A_KEY).getOrders({ shippingStatus: 5, ...lastDays(150), condition: 1 });
    assert.deepEqual(orders.map((o) => o.orderNo).sort(), [ORDERS.delivered, ORDERS.oldDelivered]);
    assert.equal(sim.calls.filter((c) => c.method === 'ShippingBasic.GetShippingInfo_v3').length, 2);
  });
});

describe('getOrderSnapshot', () => {
  test('shows the shipping state and the pending request of one order', async () => {
    const snapshot = await clientFor(sim.url, SHOP_A_KEY).getOrderSnapshot(ORDERS.requested);
    assert.deepEqual(snapshot, {
      orderNo: ORDERS.requested,
      packNo: ORDERS.requested,
      shippingStatus: 3,
      orderedAt: new Date(NOW.getTime() - 26 * HOUR),
      shippedAt: null,
      carrier: null,
      trackingNo: null,
      claimStatus: 1,
      claimReason: '注文間違い',
      claimRequestedAt: new Date(NOW.getTime() - 3 * HOUR),
    });
  });

  test('is null for an unknown order and for another shop’s order', async () => {
    const client = clientFor(sim.url, SHOP_A_KEY);
    assert.equal(await client.getOrderSnapshot('1999999999'), null);
    assert.equal(await client.getOrderSnapshot(ORDERS.shopB), null);
  });

  test('method names are case-insensitive and unknown methods answer plain text', async () => {
    const post = (method: string) =>
      fetch(`${sim.url}/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', GiosisCertificationKey: SHOP_A_KEY },
        body: new URLSearchParams({ returnType: 'application/json', OrderNo: ORDERS.requested }),
      });
    const lower = await post('shippingbasic.getshippingandclaiminfobyorderno_v2');
    assert.equal(lower.status, 200);
    assert.equal(((await lower.json()) as { ResultCode: number }).ResultCode, 0);
    const unknown = await post('ShippingBasic.NoSuchMethod');
    assert.equal(unknown.status, 200);
    assert.match(unknown.headers.get('content-type') ?? '', /text\/plain/);
  });
});

describe('createCertificationKey', () => {
  test('exchanges the API key and QSM login for the seller authorization key', async () => {
    const key = await clientFor(sim.url, 'unused-sak').createCertificationKey(SHOP_A_CREDENTIALS);
    assert.equal(key, SHOP_A_KEY);
    const call = sim.calls[0];
    assert.equal(call.method, 'CertificationAPI.CreateCertificationKey');
    assert.equal(call.params.pwd, '[redacted]');
  });

  test('a wrong password is an API error; an unknown API key is an auth error', async () => {
    const client = clientFor(sim.url, 'unused-sak');
    await assert.rejects(client.createCertificationKey({ ...SHOP_A_CREDENTIALS, password: 'nope' }), (e: unknown) => {
      return e instanceof Qoo10ApiError && e.qoo10Code === -10001;
    });
    await assert.rejects(client.createCertificationKey({ ...SHOP_A_CREDENTIALS, apiKey: 'other' }), Qoo10AuthError);
  });
});

describe('authentication', () => {
  test('an unknown key is Qoo10AuthError (-90002), a missing one -10000', async () => {
    await assert.rejects(clientFor(sim.url, 'no-such-key').getOrderSnapshot(ORDERS.requested), (e: unknown) => {
      return e instanceof Qoo10AuthError && e.qoo10Code === -90002;
    });
    const res = await fetch(`${sim.url}/ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'returnType=application/json&OrderNo=1',
    });
    assert.deepEqual(await res.json(), { ErrorCode: -10000, ErrorMsg: 'Please check the certification key' });
  });
});
