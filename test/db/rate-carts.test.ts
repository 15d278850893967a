// The cart (Qoo10 PackNo) as the counting unit (CANCEL_RATE_COUNTING_UNIT=cart), on PostgreSQL,
// written through the same repositories the poll uses: carts of one and several lines, partly
// cancelled carts, the 6-hour rule per line, the JST month boundary, and the per-cart counts
// against a recount from the raw rows under every definition.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Order, Shop } from '../../src/domain/types';
import { formatRateReport, rateReportToJson } from '../../src/services/rate-report';
import type { RateSettings } from '../../src/services/rate-service';
import { anOrder } from '../helpers/domain-builders';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, rateWorld, requestCancel, type RateWorld } from './rate-fixtures';

const HOUR_MS = 3_600_000;
/** 2026-11-20 12:00 JST. */
const NOW = new Date('2026-11-20T03:00:00Z');
const at = (iso: string) => new Date(iso);
const hoursAfter = (date: Date, hours: number) => new Date(date.getTime() + hours * HOUR_MS);

let lineSeq = 0;

/** A cart of lines, all placed at `orderedAt` (or at the given instants), paid one minute later. */
function aCart(packNo: string, orderedAt: Date | Date[], lines = 1): Order[] {
  const times = Array.isArray(orderedAt) ? orderedAt : Array.from({ length: lines }, () => orderedAt);
  return times.map((time) => {
    lineSeq += 1;
    return anOrder({
      orderNo: `C${String(lineSeq).padStart(9, '0')}`,
      packNo,
      orderedAt: time,
      paidAt: new Date(time.getTime() + 60_000),
      sellerItemCode: `SKU-${packNo}`,
      itemTitle: `Item of ${packNo}`,
    });
  });
}

async function cancelLine(world: RateWorld, shopId: string, line: Order, cancelledAt: Date, source: 'qoo10' | 'action' = 'qoo10'): Promise<void> {
  await world.cancels.recordCancel(shopId, {
    orderNo: line.orderNo,
    orderedAt: line.orderedAt,
    cancelledAt,
    cause: 'buyer',
    itemKey: line.sellerItemCode ?? line.itemNo,
    itemTitle: line.itemTitle,
    source,
  });
}

const DEFINITIONS: Array<Partial<RateSettings>> = [
  { cohort: 'completed_in_period', cancelMonthBasis: 'cancel_time' },
  { cohort: 'completed_in_period', cancelMonthBasis: 'order_time' },
  { cohort: 'completed_in_period', denominator: 'orders_paid' },
  { cohort: 'paid_cohort' },
];

describe('counting carts (PackNo)', () => {
  let db: TestDatabase;
  let lines: RateWorld;
  let carts: RateWorld;
  let shop: Shop;
  const cart: Record<string, Order[]> = {};
  before(async () => {
    db = await createTestDatabase();
    lines = rateWorld(db.dataSource, () => NOW);
    carts = rateWorld(db.dataSource, () => NOW, { settings: { countingUnit: 'cart' } });
    shop = await aShop(lines, 'Carts');
    const nov5 = at('2026-11-05T01:00:00Z');
    cart.A = aCart('PA', nov5); // one line, cancelled after 10 h: counted
    cart.B = aCart('PB', nov5, 3); // three lines, none cancelled
    cart.C = aCart('PC', nov5, 3); // 2 h (excluded), 7 h and 8 h (counted): one counted cart at 7 h
    cart.D = aCart('PD', nov5, 2); // both within 6 h: one excluded cart
    cart.E = aCart('PE', nov5, 2); // one line cancelled after 10 h, the other kept: counted
    // The 6-hour rule per line: F's lines placed an hour apart, both cancelled at 6 h after the first.
    cart.F = aCart('PF', [nov5, hoursAfter(nov5, 1)]);
    cart.G = aCart('PG', nov5); // 5 h 59 min 59.999 s: excluded
    // Placed 20:00 JST on Oct 31; one line cancelled 23:30 JST (3.5 h, excluded, October), the other
    // 03:00 JST on Nov 1 (7 h, counted, November): the cart counts in November.
    cart.H = aCart('PH', at('2026-10-31T11:00:00Z'), 2);
    await lines.orders.upsertOrders(shop.id, Object.values(cart).flat());
    // A cart whose second line is listed later with an earlier time, across the month boundary:
    // the cart is October's (its earliest line), not November's.
    cart.K = aCart('PK', [at('2026-10-31T15:30:00Z'), at('2026-10-31T14:50:00Z')]);
    await lines.orders.upsertOrders(shop.id, [cart.K[0]!]);
    await lines.orders.upsertOrders(shop.id, [cart.K[1]!]);

    await cancelLine(lines, shop.id, cart.A[0]!, hoursAfter(nov5, 10));
    await cancelLine(lines, shop.id, cart.C[2]!, hoursAfter(nov5, 8));
    await cancelLine(lines, shop.id, cart.C[0]!, hoursAfter(nov5, 2));
    await cancelLine(lines, shop.id, cart.C[1]!, hoursAfter(nov5, 7));
    await cancelLine(lines, shop.id, cart.D[0]!, hoursAfter(nov5, 1));
    await cancelLine(lines, shop.id, cart.D[1]!, hoursAfter(nov5, 5.99));
    await cancelLine(lines, shop.id, cart.E[0]!, hoursAfter(nov5, 10));
    await cancelLine(lines, shop.id, cart.F[0]!, hoursAfter(nov5, 6));
    await cancelLine(lines, shop.id, cart.F[1]!, hoursAfter(nov5, 6));
    await cancelLine(lines, shop.id, cart.G[0]!, new Date(nov5.getTime() + 6 * HOUR_MS - 1));
    // H: the counted line is booked first, by our action at our send time (inside the window),
    // then Qoo10's completion time (7 h) corrects it; the excluded line comes last.
    await cancelLine(lines, shop.id, cart.H[1]!, at('2026-10-31T13:00:00Z'), 'action');
    await cancelLine(lines, shop.id, cart.H[1]!, at('2026-10-31T18:00:00Z'));
    await cancelLine(lines, shop.id, cart.H[0]!, at('2026-10-31T14:30:00Z'));
  });
  after(async () => {
    await db.drop();
  });

  test('a cart is one order and one cancel; counted if any cancelled line counts', async () => {
    const byCart = await carts.rates.monthlyRate(shop.id, '2026-11');
    // November carts: A B C D E F G (H and K are October's). Cancelled: A C E F H counted, D G excluded.
    assert.deepEqual([byCart.orders, byCart.countedCancels, byCart.excludedCancels], [7, 5, 2]);
    assert.equal(byCart.countingUnit, 'cart');
    // The same rows by order line: 15 November lines (K's later line is placed 00:30 JST on Nov 1);
    // counted A1 C2 C3 E1 F1 H2, excluded C1 D1 D2 F2 G1.
    const byLine = await lines.rates.monthlyRate(shop.id, '2026-11');
    assert.deepEqual([byLine.orders, byLine.countedCancels, byLine.excludedCancels], [15, 6, 5]);
    assert.equal(byLine.countingUnit, 'order_line');
  });

  test("a cart's cancel takes the first counted line's time, so it falls in that line's JST month", async () => {
    const october = await carts.rates.monthlyRate(shop.id, '2026-10');
    // October: carts H and K placed; H's excluded line of Oct 31 does not make an October cancel.
    assert.deepEqual([october.orders, october.countedCancels, october.excludedCancels], [2, 0, 0]);
    const octoberLines = await lines.rates.monthlyRate(shop.id, '2026-10');
    assert.deepEqual([octoberLines.orders, octoberLines.countedCancels, octoberLines.excludedCancels], [3, 0, 1]);
    const page = await carts.rates.countedCancels(shop.id, '2026-11', { limit: 50 });
    const cancelOf = (pack: string) => page.items.find((item) => item.itemKey === `SKU-${pack}`);
    assert.equal(page.items.length, 5);
    assert.equal(cancelOf('PC')!.orderNo, cart.C![1]!.orderNo);
    assert.equal(cancelOf('PC')!.cancelledAt.getTime(), hoursAfter(at('2026-11-05T01:00:00Z'), 7).getTime());
    assert.equal(cancelOf('PH')!.cancelledAt.toISOString(), '2026-10-31T18:00:00.000Z');
    assert.equal(cancelOf('PH')!.orderNo, cart.H![1]!.orderNo);
  });

  test('under the order-month basis a cart counts in the month of its earliest line', async () => {
    const byOrderMonth = rateWorld(db.dataSource, () => NOW, { settings: { countingUnit: 'cart', cancelMonthBasis: 'order_time' } }).rates;
    const october = await byOrderMonth.monthlyRate(shop.id, '2026-10');
    assert.deepEqual([october.orders, october.countedCancels, october.excludedCancels], [2, 1, 0]);
  });

  test('the per-cart counts equal a recount from the raw rows, under every definition and both units', async () => {
    for (const unit of ['order_line', 'cart'] as const) {
      for (const settings of DEFINITIONS) {
        const rates = rateWorld(db.dataSource, () => NOW, { settings: { ...settings, countingUnit: unit } }).rates;
        for (const period of ['2026-10', '2026-11', '2026-Q4']) {
          const recount = await rates.recountFromScratch(shop.id, period);
          assert.deepEqual(recount.differences, [], `${unit} ${JSON.stringify(settings)} ${period}: ${recount.differences.join('; ')}`);
        }
      }
    }
  });

  test('a recount notices a cart cancel whose counts were not kept', async () => {
    const [row] = await db.dataSource.query(
      `SELECT order_month, paid_month, cause FROM cancel_totals WHERE shop_id = $1 AND unit = 'cart' AND cancel_month = '2026-11' AND counted > 0 LIMIT 1`,
      [shop.id],
    );
    const adjust = (delta: number) =>
      db.dataSource.query(
        `UPDATE cancel_totals SET counted = counted + $2 WHERE shop_id = $1 AND unit = 'cart' AND cancel_month = '2026-11'
           AND order_month = $3 AND paid_month = $4 AND cause = $5`,
        [shop.id, delta, row.order_month, row.paid_month, row.cause],
      );
    await adjust(-1);
    try {
      const recount = await carts.rates.recountFromScratch(shop.id, '2026-11');
      assert.equal(recount.consistent, false);
      assert.ok(recount.differences.some((line) => line.startsWith('countedCancels: aggregate 4, scan 5')), recount.differences.join('; '));
      // The order-line counts are apart and untouched.
      assert.equal((await lines.rates.recountFromScratch(shop.id, '2026-11')).consistent, true);
    } finally {
      await adjust(1);
    }
  });

  test('the pending what-if counts carts: two requests of a cart are one, a counted cart adds none', async () => {
    const other = await aShop(lines, 'Carts pending');
    const b = aCart('QB', at('2026-11-10T01:00:00Z'), 2);
    const e = aCart('QE', at('2026-11-10T01:00:00Z'), 2);
    await lines.orders.upsertOrders(other.id, [...b, ...e]);
    await cancelLine(lines, other.id, e[0]!, at('2026-11-10T12:00:00Z'));
    for (const line of [...b, e[1]!]) await requestCancel(lines, other.id, line, at('2026-11-19T01:00:00Z'));
    const byLine = await lines.rates.monthlyRate(other.id, '2026-11');
    assert.deepEqual([byLine.pending.total, byLine.ifAllPendingAccepted.addedCountedCancels], [3, 3]);
    const byCart = await carts.rates.monthlyRate(other.id, '2026-11');
    assert.deepEqual([byCart.pending.total, byCart.ifAllPendingAccepted.addedCountedCancels], [1, 1]);
    assert.deepEqual([byCart.orders, byCart.countedCancels], [2, 1]);
  });

  test('every report says which unit it used', async () => {
    const report = await carts.rates.monthlyRate(shop.id, '2026-11');
    const json = rateReportToJson(report);
    assert.equal(json.definition.countingUnit, 'cart');
    assert.match(json.definition.text, /one order is one cart \(Qoo10 PackNo\)/);
    assert.match(json.definition.formula, /÷ all carts placed in the month/);
    assert.match(formatRateReport(report), /one cart \(Qoo10 PackNo\)/);
    const paid = rateWorld(db.dataSource, () => NOW, { settings: { countingUnit: 'cart', cohort: 'paid_cohort' } }).rates;
    assert.match(rateReportToJson(await paid.monthlyRate(shop.id, '2026-11')).definition.formula, /carts paid in the period/);
    assert.equal(rateReportToJson(await lines.rates.monthlyRate(shop.id, '2026-11')).definition.countingUnit, 'order_line');
  });

  test('the daily series counts carts under the cart unit', async () => {
    const series = await carts.rates.dailySeries(shop.id, '2026-11');
    const nov5 = series.days.find((day) => day.date === '2026-11-05')!;
    assert.deepEqual([nov5.orders, nov5.countedCancels, nov5.excludedCancels], [7, 4, 2]);
    const nov1 = series.days.find((day) => day.date === '2026-11-01')!;
    assert.deepEqual([nov1.orders, nov1.countedCancels], [0, 1]);
  });
});
