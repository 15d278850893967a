// Contract: the real client against the simulator with injected faults. Backoff waits go through an
// injected sleep, which lets a test heal the fault before the retry. Client timeouts are generous
// (TIMEOUT_MS): a held call is never answered, so a long timeout proves the same thing, and a short one
// could fire before the simulator has even read a call on a loaded machine.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Qoo10ApiError,
  Qoo10AuthError,
  Qoo10KeyExpiredError,
  Qoo10MalformedResponseError,
  Qoo10ServerError,
  Qoo10TimeoutError,
  Qoo10UnknownOutcomeError,
  Qoo10WrongStateError,
} from '../../src/qoo10/errors';
import type { MalformedKind } from '../../src/qoo10/simulator/faults';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { clientFor, DAY, NOW, ORDERS, recordingSleep, SHOP_A_CREDENTIALS, SHOP_A_KEY, smallScenario } from './qoo10-test-helpers';

let sim: SimulatorHandle;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

/** Long enough for any answered call on a loaded machine; a held call never answers. */
const TIMEOUT_MS = 1500;

const query = { claimStatus: 1, from: new Date(NOW.getTime() - 7 * DAY), to: NOW, condition: 2 } as const;

describe('transport faults', () => {
  test('latency slows answers but they still arrive', async () => {
    sim.setFaults({ latencyMs: 40 });
    const started = Date.now();
    const claims = await clientFor(sim.url, SHOP_A_KEY).getClaims(query);
    assert.equal(claims.length, 2);
    assert.ok(Date.now() - started >= 35);
  });

  test('an unanswered call times out, is retried, and succeeds once the fault clears', async () => {
    sim.setFaults({ timeoutRate: 1 });
    const { waits, sleep } = recordingSleep(() => sim.setFaults({}));
    const claims = await clientFor(sim.url, SHOP_A_KEY, { timeoutMs: TIMEOUT_MS, sleep }).getClaims(query);
    assert.equal(claims.length, 2);
    assert.equal(waits.length, 1);
    assert.deepEqual(sim.calls.map((c) => c.fault), ['timeout', null]);
  });

  test('persistent timeouts end in Qoo10TimeoutError after maxRetries', async () => {
    sim.setFaults({ timeoutRate: 1 });
    await assert.rejects(clientFor(sim.url, SHOP_A_KEY, { timeoutMs: TIMEOUT_MS, maxRetries: 1 }).getClaims(query), Qoo10TimeoutError);
    assert.equal(sim.calls.length, 2);
  });

  test('HTTP 500 is retried with capped, jittered backoff, then fails as Qoo10ServerError', async () => {
    sim.setFaults({ http500Rate: 1 });
    const { waits, sleep } = recordingSleep();
    const client = clientFor(sim.url, SHOP_A_KEY, { maxRetries: 3, sleep, random: () => 0.999, backoffBaseMs: 100, backoffCapMs: 250 });
    await assert.rejects(client.getClaims(query), (e: unknown) => e instanceof Qoo10ServerError && e.httpStatus === 500);
    assert.equal(sim.calls.length, 4);
    assert.deepEqual(waits, [99, 199, 249]);
  });

  for (const kind of ['truncated_json', 'html', 'no_result_code', 'result_object_scalar'] as MalformedKind[]) {
    test(`a malformed answer (${kind}) is a retryable error, never "no rows"`, async () => {
      sim.setFaults({ malformedRate: 1, malformedKind: kind });
      await assert.rejects(clientFor(sim.url, SHOP_A_KEY, { maxRetries: 0 }).getClaims(query), (e: unknown) => {
        return e instanceof Qoo10MalformedResponseError && e.retryable;
      });
    });
  }

  test('a malformed answer is retried until a good one comes', async () => {
    sim.setFaults({ malformedRate: 1 });
    const { sleep } = recordingSleep(() => sim.setFaults({}));
    assert.equal((await clientFor(sim.url, SHOP_A_KEY, { sleep }).getClaims(query)).length, 2);
  });

  test('an {ErrorCode} answer is a typed, non-retried error', async () => {
    sim.setFaults({ errorCodeShapeRate: 1 });
    await assert.rejects(clientFor(sim.url, SHOP_A_KEY).getClaims(query), (e: unknown) => {
      return e instanceof Qoo10ApiError && e.qoo10Code === -90001 && !e.retryable;
    });
    sim.setFaults({ errorCodeShapeRate: 1, errorCodeShapeCode: -90003 });
    await assert.rejects(clientFor(sim.url, SHOP_A_KEY).getClaims(query), Qoo10AuthError);
    assert.equal(sim.calls.length, 2);
  });

  test('faults repeat exactly for the same seed', async () => {
    const run = async () => {
      sim.calls.length = 0;
      sim.setFaults({ http500Rate: 0.3, malformedRate: 0.3, seed: 42 });
      const client = clientFor(sim.url, SHOP_A_KEY, { maxRetries: 0 });
      for (let i = 0; i < 12; i += 1) await client.getOrderSnapshot(ORDERS.requested).catch(() => undefined);
      return sim.calls.map((c) => c.fault);
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.some((f) => f !== null) && first.some((f) => f === null));
  });
});

describe('key faults', () => {
  test('an expired key is Qoo10KeyExpiredError, distinct from auth errors, not retried', async () => {
    sim.setFaults({ expiredKey: true });
    await assert.rejects(clientFor(sim.url, SHOP_A_KEY).getClaims(query), (e: unknown) => {
      return e instanceof Qoo10KeyExpiredError && e.code === 'qoo10_key_expired' && e.qoo10Code === -90004;
    });
    assert.equal(sim.calls.length, 1);
  });

  test('renewing an expired key gives a new key that works; the old one stays expired', async () => {
    const shop = sim.state.shopByKey(SHOP_A_KEY);
    assert.ok(shop);
    shop.keyExpired = true;
    const fresh = await clientFor(sim.url, 'unused').createCertificationKey(SHOP_A_CREDENTIALS);
    assert.notEqual(fresh, SHOP_A_KEY);
    assert.equal((await clientFor(sim.url, fresh).getClaims(query)).length, 2);
    await assert.rejects(clientFor(sim.url, SHOP_A_KEY).getClaims(query), Qoo10KeyExpiredError);
  });
});

describe('write faults', () => {
  test('partial bulk failure: failed rows are reported and left unshipped, the rest ship', async () => {
    sim.setFaults({ bulkPartialFailureRate: 0.5, seed: 7 });
    const shop = sim.state.shopByKey(SHOP_A_KEY);
    assert.ok(shop);
    const orderNos = Array.from({ length: 40 }, () => sim.state.addOrder(shop, { itemTitle: 'テスト' }).orderNo);
    const results = await clientFor(sim.url, SHOP_A_KEY).setSendingInfoBulk(
      orderNos.map((orderNo, i) => ({ orderNo, carrier: 'ネコポス', trackingNo: String(500_000_000_000 + i) })),
    );
    const failed = results.filter((r) => !r.ok);
    assert.ok(failed.length > 0 && failed.length < 40, `partial: ${failed.length} failed`);
    for (const r of results) {
      assert.equal(sim.state.order(r.orderNo)?.shippingStatus, r.ok ? 4 : 2);
      if (!r.ok) assert.equal(r.code, -10005);
    }
  });

  test('an order that ships between the read and the write: the cancel is refused, a re-read shows why', async () => {
    sim.setFaults({ shipBetweenReadAndWrite: true });
    const client = clientFor(sim.url, SHOP_A_KEY);
    const before = await client.getOrderSnapshot(ORDERS.requested);
    assert.equal(before?.shippingStatus, 3);
    assert.equal(before?.claimStatus, 1);
    await assert.rejects(client.cancelOrder({ orderNo: ORDERS.requested, cause: 'buyer', memo: '' }), Qoo10WrongStateError);
    const after = await client.getOrderSnapshot(ORDERS.requested);
    assert.equal(after?.shippingStatus, 4);
    assert.ok(after?.trackingNo);
    assert.equal(after?.claimStatus, 1, 'the request stays pending (default behaviour)');
    assert.equal(sim.state.order(ORDERS.requested)?.cancelledAt, null, 'nothing was cancelled');
  });

  test('a faulted write is sent once, its outcome unknown (here the request was lost before handling)', async () => {
    sim.setFaults({ http500Rate: 1 });
    await assert.rejects(
      clientFor(sim.url, SHOP_A_KEY, { maxRetries: 3 }).cancelOrder({ orderNo: ORDERS.requested, cause: 'buyer', memo: '' }),
      (e: unknown) => e instanceof Qoo10UnknownOutcomeError && e.seen === 'qoo10_server_error',
    );
    assert.equal(sim.state.order(ORDERS.requested)?.cancelledAt, null);
  });
});
