import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJstDateTime } from '../../src/qoo10/qoo10-dates';
import { DEMO_ORDER_COUNT, DEMO_SHOP, demoScenario } from '../../src/qoo10/simulator/demo-scenario';
import { generateScenario } from '../../src/qoo10/simulator/generate-scenario';
import { OrderStream } from '../../src/qoo10/simulator/order-stream';
import { SimulatorState } from '../../src/qoo10/simulator/sim-state';
import { ScenarioValidationError, validateScenario, type Scenario, type ScenarioShop } from '../../src/qoo10/simulator/scenario';
import { NOW, smallScenario } from './qoo10-test-helpers';

const SIX_HOURS = 6 * 3_600_000;
const at = (text: string | null | undefined) => (text ? (parseJstDateTime(text) as Date).getTime() : NaN);

function issuesOf(input: unknown): string[] {
  try {
    validateScenario(input);
  } catch (error) {
    assert.ok(error instanceof ScenarioValidationError);
    return error.issues;
  }
  return [];
}

describe('validateScenario', () => {
  test('accepts the test scenario and a generated one after a JSON round trip', () => {
    assert.doesNotThrow(() => validateScenario(smallScenario()));
    const generated = generateScenario({ seed: 3, now: NOW, ordersPerMonth: 600 });
    assert.doesNotThrow(() => validateScenario(JSON.parse(JSON.stringify(generated))));
  });

  const broken: Array<[string, (s: Scenario) => void, RegExp]> = [
    ['a missing order number', (s) => delete (s.shops[0].orders[0] as Partial<ScenarioShop['orders'][0]>).orderNo, /shops\[0\]\.orders\[0\]\.orderNo: is required/],
    ['a non-digit order number', (s) => (s.shops[0].orders[0].orderNo = 'A-1'), /orderNo: must be digits/],
    ['an unreadable date', (s) => (s.shops[0].orders[0].orderedAt = 'yesterday'), /orders\[0\]\.orderedAt: must be/],
    ['a status outside 1–5', (s) => ((s.shops[0].orders[0] as { shippingStatus: number }).shippingStatus = 7), /shippingStatus: must be an integer from 1 to 5/],
    ['a shipped order without tracking', (s) => (s.shops[0].orders[3].trackingNo = null), /needs carrier, trackingNo and shippedAt/],
    ['a claim on an unknown order', (s) => (s.shops[0].claims[0].orderNo = '1999999999'), /claims\[0\]\.orderNo: is not an order of this shop/],
    ['a request on an unconfirmed order', (s) => (s.shops[0].claims[0].orderNo = s.shops[0].orders[0].orderNo), /exists only on an order in 配送準備/],
    ['a return request on an unshipped order', (s) => (s.shops[0].claims[0].claimStatus = 4), /needs a shipped order/],
    ['a completed cancel without completedAt', (s) => (s.shops[0].claims[1].completedAt = null), /needs completedAt/],
    ['two shops with one key', (s) => (s.shops[1].sellerAuthKey = s.shops[0].sellerAuthKey), /is used by another shop/],
    ['a behaviour that is not a boolean', (s) => (s.shops[0].qoo10Behaviour = { shipConfirmEndsRequest: 'yes' as unknown as boolean }), /qoo10Behaviour\.shipConfirmEndsRequest: must be true or false/],
    ['an unknown behaviour', (s) => (s.shops[0].qoo10Behaviour = { nonsense: true } as never), /qoo10Behaviour\.nonsense: is not a behaviour/],
    ['an order number used twice', (s) => (s.shops[1].orders[0].orderNo = s.shops[0].orders[0].orderNo), /duplicates/],
  ];
  for (const [what, breakIt, expected] of broken) {
    test(`reports ${what} with its path`, () => {
      const scenario = smallScenario();
      breakIt(scenario);
      const issues = issuesOf(scenario);
      assert.ok(issues.some((i) => expected.test(i)), issues.join('\n'));
    });
  }

  test('lists every problem at once', () => {
    const scenario = smallScenario();
    scenario.shops[0].orders[0].orderNo = 'x';
    scenario.shops[0].orders[1].orderedAt = 'x';
    assert.ok(issuesOf(scenario).length >= 2);
    assert.deepEqual(issuesOf('nope'), ['scenario: must be a JSON object with "shops"']);
  });
});

describe('generateScenario', () => {
  const end = new Date('2026-11-30T14:59:00Z');
  test('is deterministic for a seed and differs across seeds', () => {
    const a = generateScenario({ seed: 11, now: NOW, ordersPerMonth: 900 });
    assert.deepEqual(generateScenario({ seed: 11, now: NOW, ordersPerMonth: 900 }), a);
    assert.notDeepEqual(generateScenario({ seed: 12, now: NOW, ordersPerMonth: 900 }), a);
  });

  test('produces a realistic month: volume, Japanese titles, payment mix, carts, cancels and requests', () => {
    const [shop] = generateScenario({ seed: 5, now: end, ordersPerMonth: 3000 }).shops;
    assert.ok(shop.orders.length >= 2990 && shop.orders.length <= 3000, `${shop.orders.length} orders`);
    assert.ok(shop.orders.every((o) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(o.itemTitle) && o.sellerItemCode));
    const payments = new Set(shop.orders.map((o) => o.paymentMethod));
    for (const method of ['クレジットカード', 'Qcash', '銀行振込', 'コンビニ決済']) assert.ok(payments.has(method), method);
    const packs = new Map<string, number>();
    for (const o of shop.orders) packs.set(o.packNo as string, (packs.get(o.packNo as string) ?? 0) + 1);
    assert.ok([...packs.values()].some((n) => n > 1), 'multi-line carts exist');
    const orders = new Map(shop.orders.map((o) => [o.orderNo, o]));
    const cancels = shop.claims.filter((c) => c.claimStatus === 3);
    assert.ok(Math.abs(cancels.length / shop.orders.length - 0.06) < 0.005);
    const quick = cancels.filter((c) => at(c.completedAt) - at(orders.get(c.orderNo)?.orderedAt) < SIX_HOURS);
    assert.ok(quick.length > 0 && quick.length < cancels.length);
    assert.ok(cancels.some((c) => c.cancelReason === ''), 'seller-fault stock-outs exist');
    const requests = shop.claims.filter((c) => c.claimStatus === 1);
    assert.equal(requests.length, 6);
    assert.ok(requests.every((c) => orders.get(c.orderNo)?.shippingStatus === 3));
    assert.equal(shop.local?.knownTracking?.length, 1);
    assert.equal(shop.local?.packedOrderNos?.length, 1);
    assert.ok(shop.local?.stock?.some((s) => s.available === 0));
    assert.ok(shop.orders.filter((o) => o.shippingStatus === 5).length > shop.orders.length / 2, 'most of the month is delivered');
  });

  test('a month in progress gets its elapsed share of orders, all in the past', () => {
    const [shop] = generateScenario({ seed: 5, now: NOW, ordersPerMonth: 3000 }).shops;
    assert.equal(shop.orders.length, Math.round((3000 * (NOW.getTime() - Date.parse('2026-10-31T15:00:00Z'))) / (30 * 86_400_000)));
    assert.ok(shop.orders.every((o) => at(o.orderedAt) <= NOW.getTime()));
    assert.ok(shop.claims.every((c) => at(c.requestedAt) <= NOW.getTime()));
  });
});

describe('demoScenario', () => {
  const [shop] = demoScenario(NOW).shops;
  const orders = new Map(shop.orders.map((o) => [o.orderNo, o]));
  const requests = shop.claims.filter((c) => c.claimStatus === 1);

  test('has about 1,500 orders this JST month and a counted cancel rate near 5.5 %', () => {
    assert.equal(shop.orders.length, DEMO_ORDER_COUNT);
    assert.equal(shop.sellerAuthKey, DEMO_SHOP.sellerAuthKey);
    const monthStart = Date.parse('2026-10-31T15:00:00Z');
    assert.ok(shop.orders.filter((o) => at(o.orderedAt) >= monthStart).length >= 1_495);
    const cancels = shop.claims.filter((c) => c.claimStatus === 3);
    const counted = cancels.filter((c) => at(c.completedAt) - at(orders.get(c.orderNo)?.orderedAt) >= SIX_HOURS);
    const rate = counted.length / shop.orders.length;
    assert.ok(rate > 0.05 && rate < 0.06, `counted rate ${rate}`);
    assert.ok(counted.length < cancels.length, 'some cancels were inside 6 h');
  });

  test('has open requests for every kind of decision', () => {
    assert.equal(requests.length, 8);
    const ageAtRequest = (orderNo: string) => NOW.getTime() - at(orders.get(orderNo)?.orderedAt);
    assert.equal(requests.filter((c) => ageAtRequest(c.orderNo) < SIX_HOURS).length, 2, 'two inside 6 h of the order');
    const tracked = shop.local?.knownTracking ?? [];
    assert.equal(tracked.length, 2);
    assert.equal(orders.get(tracked[0].orderNo)?.packNo, orders.get(tracked[1].orderNo)?.packNo, 'one parcel for a two-line cart');
    const outOfStock = requests.filter((c) => shop.local?.stock?.find((s) => s.sellerItemCode === orders.get(c.orderNo)?.sellerItemCode)?.available === 0);
    assert.equal(outOfStock.length, 1);
    const today = Date.parse('2026-11-19T15:00:00Z');
    assert.equal(requests.filter((c) => at(orders.get(c.orderNo)?.estimatedShipDate) < today).length, 1, 'one past its deadline');
    assert.equal(shop.local?.packedOrderNos?.length, 1);
  });

  test('is valid and loads into the simulator', () => {
    const state = new SimulatorState(validateScenario(JSON.parse(JSON.stringify(demoScenario(NOW)))), () => NOW);
    assert.equal(state.shops[0].orders.size, DEMO_ORDER_COUNT);
    assert.equal(state.shops[0].behaviour.shipConfirmEndsRequest, false, 'the documented behaviour');
  });

  test('a scenario shop may say ship-confirm ends a pending request; the default is that it does not', () => {
    const scenario = smallScenario();
    scenario.shops[0].qoo10Behaviour = { shipConfirmEndsRequest: true };
    const state = new SimulatorState(validateScenario(JSON.parse(JSON.stringify(scenario))), () => NOW);
    assert.equal(state.shops[0].behaviour.shipConfirmEndsRequest, true);
    assert.equal(state.shops[1].behaviour.shipConfirmEndsRequest, false);
  });
});

describe('OrderStream', () => {
  test('adds orders at the configured rate by the simulated clock, carrying fractions', () => {
    const state = new SimulatorState(smallScenario(), () => NOW);
    const key = state.shops[0].sellerAuthKey;
    const before = state.shops[0].orders.size;
    const stream = new OrderStream(state, { sellerAuthKey: key, ratePerMinute: 0.5 }, NOW);
    assert.equal(stream.tick(new Date(NOW.getTime() + 3 * 60_000)).length, 1);
    assert.equal(stream.tick(new Date(NOW.getTime() + 4 * 60_000)).length, 1);
    const added = stream.tick(new Date(NOW.getTime() + 64 * 60_000));
    assert.equal(added.length, 30);
    assert.equal(state.shops[0].orders.size, before + 32);
    assert.ok(added.every((o) => o.shippingStatus === 2 && o.orderedAt.getTime() <= NOW.getTime() + 64 * 60_000));
    stream.stop();
    assert.deepEqual(stream.tick(new Date(NOW.getTime() + 600 * 60_000)), []);
  });
});
