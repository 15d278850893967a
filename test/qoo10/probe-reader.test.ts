// verify-live's read-only path against the simulator: reads only, the raw envelope, the key scrubbed from what
// Qoo10 echoes, and every answer kept (never thrown) so a probe can judge it.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Qoo10ProbeReader, type ProbeReadMethod } from '../../src/qoo10/qoo10-probe-reader';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { NOW, ORDERS, SHOP_A_KEY, smallScenario } from './qoo10-test-helpers';

let sim: SimulatorHandle;
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

const reader = (key = SHOP_A_KEY) => new Qoo10ProbeReader({ baseUrl: sim.url, sellerAuthKey: key, timeoutMs: 2_000, minIntervalMs: 0 });

describe('Qoo10ProbeReader', () => {
  test('refuses any method but the three reads, before anything is sent', async () => {
    for (const method of ['Claim.SetCancelProcess', 'ShippingBasic.SetSendingInfo', 'ShippingBasic.SetSellerCheckYN_V2']) {
      await assert.rejects(reader().read(method as ProbeReadMethod, { OrderNo: ORDERS.requested }), /reads only/);
    }
    assert.deepEqual(sim.calls, []);
  });

  test('hands back the raw envelope of a read, claimStatus as sent', async () => {
    const answer = await reader().read('ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2', { OrderNo: ORDERS.requested });
    assert.equal(answer.code, 0);
    assert.equal(answer.httpStatus, 200);
    assert.equal((answer.json as { ResultObject: { claimStatus: string } }).ResultObject.claimStatus, '1');
    assert.equal(sim.calls[0].method, 'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2');
  });

  test('an unknown key that Qoo10 echoes back is scrubbed from the answer', async () => {
    const key = 'SAK-nobody-TOPSECRET-4242';
    const answer = await reader(key).read('ShippingBasic.GetClaimInfo_V3', { ClaimStat: '1', search_Sdate: '20261101', search_Edate: '20261120', search_condition: '2' });
    assert.equal(answer.code, -90002);
    assert.ok(!JSON.stringify(answer).includes('TOPSECRET'), JSON.stringify(answer));
    assert.match(answer.message, /\[redacted\]/);
  });

  test('a plain-text answer is kept as not_json, not thrown', async () => {
    const answer = await reader().read('ShippingBasic.GetShippingInfo_v3', {});
    assert.equal(answer.code, -10002, 'bad dates are a Qoo10 error, still an envelope');
    sim.setFaults({ malformedRate: 1, malformedKind: 'html' });
    const html = await reader().read('ShippingBasic.GetShippingInfo_v3', {});
    assert.equal(html.transportError, 'not_json');
    assert.equal(html.code, null);
  });

  test('no answer within the timeout is kept as a timeout, without the key', async () => {
    sim.setFaults({ timeoutRate: 1, timeoutHoldMs: 10_000 });
    const answer = await new Qoo10ProbeReader({ baseUrl: sim.url, sellerAuthKey: SHOP_A_KEY, timeoutMs: 300, minIntervalMs: 0 })
      .read('ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2', { OrderNo: ORDERS.requested });
    assert.equal(answer.transportError, 'timeout');
    assert.equal(answer.httpStatus, null);
    assert.ok(!JSON.stringify(answer).includes(SHOP_A_KEY));
  });
});
