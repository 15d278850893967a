// SetSendingInfoBulk rows that fail for a transient reason (the simulator's partial-failure fault answers
// -10005 for a row it did not apply) are retried, bounded and with growing waits, until they go through;
// rows Qoo10 rejects for good (-10004, a cancelled order) are not retried; a whole call without an
// answer is not a row failure: it is never resent blind but settled by reading the orders.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/logger';
import { HttpQoo10Client } from '../../src/qoo10/http-qoo10-client';
import { formatJstDateTime } from '../../src/qoo10/qoo10-dates';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { ScenarioOrder } from '../../src/qoo10/simulator/scenario';
import { computeMod7CheckDigit } from '../../src/domain/tracking-number';
import { createTrackingStack, storeOrders, type TrackingStack } from '../helpers/tracking-stack';

const SHOP_KEY = 'SAK-e2e-bulk-retry-0001';
const HOUR = 3_600_000;
const MAX_ATTEMPTS = 4;

function simOrder(orderNo: string, shippingStatus: ScenarioOrder['shippingStatus'] = 3): ScenarioOrder {
  const orderedAt = formatJstDateTime(new Date(Date.now() - 5 * HOUR));
  return {
    orderNo, packNo: orderNo, orderedAt, paidAt: orderedAt, shippingStatus, itemNo: '912345001', itemTitle: 'マグカップ',
    quantity: 1, unitPriceYen: 1980, paymentMethod: 'クレジットカード', estimatedShipDate: shippingStatus >= 3 ? formatJstDateTime(new Date()) : null,
  };
}

const yamato = (base: number) => {
  const digits = String(base).padStart(11, '0');
  return `${digits}${computeMod7CheckDigit(digits)}`;
};

/** Rows of each SetSendingInfoBulk call the simulator received, by order number. */
function bulkCalls(sim: SimulatorHandle, from = 0): string[][] {
  return sim.calls
    .slice(from)
    .filter((call) => /^ShippingBasic\.SetSendingInfoBulk$/i.test(call.method))
    .map((call) => (JSON.parse(call.params.ShippingInfoJson ?? '[]') as Array<{ OrderNo: string }>).map((row) => row.OrderNo));
}

describe('bulk rows that fail for a transient reason', () => {
  let sim: SimulatorHandle;
  let t: TrackingStack;
  const waits: number[] = [];
  const orderNos = Array.from({ length: 12 }, (_, i) => String(1045000001 + i));
  let next = 0;
  /** Four fresh orders per test, so the tests do not see each other's numbers. */
  const freshOrders = () => orderNos.slice(next, (next += 4));

  before(async () => {
    sim = await startSimulator({
      scenario: {
        shops: [{ sellerAuthKey: SHOP_KEY, name: 'Retry Shop', orders: [...orderNos.map((o) => simOrder(o)), simOrder('1045000099', 2)], claims: [] }],
      },
    });
    // Paid but unconfirmed: the buyer's request cancels it at once, so Qoo10 refuses its tracking (-10004).
    sim.state.requestCancel('1045000099');
    const client = new HttpQoo10Client({
      baseUrl: sim.url, sellerAuthKey: SHOP_KEY, logger: silentLogger(), timeoutMs: 300, minIntervalMs: 0, maxRetries: 0, sleep: async () => undefined,
    });
    t = await createTrackingStack({
      client,
      sellerAuthKey: SHOP_KEY,
      rowRetry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 1000, maxDelayMs: 8000, sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
    });
    await storeOrders(t, [...orderNos, '1045000099'].map((orderNo) => ({ orderNo })));
  });
  beforeEach(() => {
    waits.length = 0;
    sim.setFaults({});
  });
  after(async () => {
    await t.close();
    await sim.close();
  });

  test('are retried with growing waits until Qoo10 takes them; a row Qoo10 rejects for good is sent once', async () => {
    const batch = freshOrders();
    sim.setFaults({ bulkPartialFailureRate: 0.3, seed: 3 });
    const from = sim.calls.length;
    const report = await t.service.submitShipments(
      [...batch, '1045000099'].map((orderNo, i) => ({ orderNo, carrier: 'ヤマト', trackingNo: yamato(70_000_000 + next * 10 + i) })),
      'api',
    );
    const calls = bulkCalls(sim, from);
    assert.ok(calls.length >= 2 && calls.length <= MAX_ATTEMPTS, `${calls.length} bulk calls`);
    // Ground truth: what the simulator shows, not what we recorded.
    for (const row of report.accepted.filter((a) => a.orderNos[0] !== '1045000099')) {
      const onQoo10 = sim.state.order(row.orderNos[0]!)!;
      assert.equal(row.outcome, 'submitted', row.orderNos[0]);
      assert.equal(onQoo10.trackingNo, row.trackingNo);
    }
    const refused = report.accepted.find((a) => a.orderNos[0] === '1045000099')!;
    assert.equal(refused.outcome, 'rejected');
    assert.match(refused.error ?? '', /-10004/);
    assert.equal(calls.filter((rows) => rows.includes('1045000099')).length, 1, 'a definite rejection is not retried');
    // Each retry round waited, and each wait was longer than the one before.
    assert.equal(waits.length, calls.length - 1);
    assert.deepEqual([...waits].sort((a, b) => a - b), waits);
    assert.ok(waits[0]! >= 500, `first wait ${waits[0]} ms`);
  });

  test('stop after the bound: a row still failing is closed as failed with Qoo10\'s answer and can be resent by a person', async () => {
    const batch = freshOrders();
    sim.setFaults({ bulkPartialFailureRate: 1 });
    const from = sim.calls.length;
    const report = await t.service.submitShipments(batch.map((orderNo, i) => ({ orderNo, carrier: 'ヤマト', trackingNo: yamato(80_000_000 + i) })), 'api');
    const calls = bulkCalls(sim, from);
    assert.equal(calls.length, MAX_ATTEMPTS);
    assert.ok(calls.every((rows) => rows.length === batch.length));
    assert.deepEqual(waits, [750, 1500, 3000], 'ceilings 1 s, 2 s, 4 s with the jitter at its middle');
    assert.ok(report.accepted.every((a) => a.outcome === 'rejected' && /-10005/.test(a.error ?? '')), JSON.stringify(report.accepted));
    const attempts: Array<{ attempts: number }> = await t.db.dataSource.query('SELECT attempts FROM actions WHERE order_no = ANY($1)', [batch]);
    assert.deepEqual(attempts.map((a) => a.attempts), batch.map(() => MAX_ATTEMPTS));
    for (const orderNo of batch) assert.equal(sim.state.order(orderNo)!.shippingStatus, 3, 'nothing was applied');

    sim.setFaults({});
    const rejected = (await t.service.listShipments({ status: 'rejected' })).filter((s) => batch.includes(s.orderNo));
    for (const shipment of rejected) {
      const resent = await t.held.resendRejected(shipment.id, {}, 'tester');
      assert.equal(resent.accepted[0]!.outcome, 'submitted');
    }
    for (const orderNo of batch) assert.equal(sim.state.order(orderNo)!.shippingStatus, 4);
  });

  test('a whole call without an answer is not a row failure: it is sent once and settled by reading the orders', async () => {
    const batch = freshOrders();
    sim.setFaults({ timeoutRate: 1, timeoutHoldMs: 2_000 });
    const from = sim.calls.length;
    const report = await t.service.submitShipments(batch.map((orderNo, i) => ({ orderNo, carrier: 'ヤマト', trackingNo: yamato(90_000_000 + i) })), 'api');
    assert.equal(bulkCalls(sim, from).length, 1);
    assert.deepEqual(waits, []);
    assert.ok(report.accepted.every((a) => a.outcome === 'sending'));

    sim.setFaults({});
    const reader = new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: SHOP_KEY, logger: silentLogger(), minIntervalMs: 0 });
    const tally = await t.executor.reconcile(t.shop, reader, new Date());
    // The lost call was not applied (the simulator drops it on the way in): each row is read, then sent once more.
    assert.equal(tally.succeeded, batch.length);
    for (const orderNo of batch) assert.equal(sim.state.order(orderNo)!.shippingStatus, 4);
  });
});
