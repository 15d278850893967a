// The demo shop: its current JST month is already interesting. About 1,500 orders so far, about 5.5 %
// counted cancels (near the 7 % warning), cancels inside 6 h that do not count, and open cancel requests
// that exercise every decision: in stock (two inside 6 h of the order), handed to the carrier with the
// tracking known only locally (a two-line cart), out of stock, past the shipping deadline, packed, and
// made to order. What the shop knows locally (stock, tracking, packed) is in the shop's `local` facts.
import { DAY_MS, jstDayStart, jstMonth, jstMonthStart } from '../qoo10-dates';
import { populateShop } from './generate-scenario';
import { seededRandom } from './prng';
import { SAMPLE_ITEMS, sampleTracking } from './sample-data';
import type { Scenario } from './scenario';
import { HOUR_MS, MINUTE_MS, ShopBuilder, type DraftOrder } from './shop-builder';

export const DEMO_SHOP = Object.freeze({
  name: 'さくら雑貨店（デモ）',
  sellerAuthKey: 'demo-sak-sakura-zakka-0001',
  credentials: Object.freeze({ apiKey: 'demo-api-key-sakura', userId: 'sakura-zakka', password: 'demo-password-1' }),
});

/** Orders of the month so far, hand-made open requests included. */
export const DEMO_ORDER_COUNT = 1500;

const item = (code: string) => {
  const found = SAMPLE_ITEMS.find((i) => i.sellerItemCode === code);
  if (!found) throw new Error(`no sample item ${code}`);
  return found;
};

export function demoScenario(now: Date): Scenario {
  const random = seededRandom('cancel-guard-demo');
  const builder = new ShopBuilder(
    random,
    { name: DEMO_SHOP.name, sellerAuthKey: DEMO_SHOP.sellerAuthKey, credentials: { ...DEMO_SHOP.credentials } },
    1_234_500_000,
  );
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const today = jstDayStart(now);
  const monthStart = jstMonthStart(jstMonth(now)) as Date;
  const handMade = 9;
  populateShop(builder, random, {
    from: monthStart,
    to: new Date(Math.max(monthStart.getTime() + MINUTE_MS, now.getTime() - 10 * MINUTE_MS)),
    count: DEMO_ORDER_COUNT - handMade,
    now,
    // 1,491 × 6.9 % ≈ 103 cancels, 20 % inside 6 h → ≈ 82 counted ≈ 5.5 % of 1,500.
    mix: {
      cancelledRate: 0.069,
      within6hShare: 0.2,
      sellerFaultShare: 0.25,
      pendingUnshipped: 0,
      pendingPacked: 0,
      pendingShipped: 0,
      pendingOutOfStock: 0,
      returnRequests: 2,
    },
  });

  const confirmed = (orderedAgoMs: number, code: string, shipDayOffset: number, cart?: DraftOrder): DraftOrder => {
    const order = builder.newOrder(ago(orderedAgoMs), { item: item(code), cart });
    order.paidAt = order.orderedAt;
    builder.confirm(order, new Date(today.getTime() + shipDayOffset * DAY_MS));
    return order;
  };

  // In stock, buyer's wish, inside 6 h of the order: accepting now keeps them out of the rate.
  const fresh1 = confirmed(2 * HOUR_MS, 'COS-SERUM-30', 1);
  builder.requestCancel(fresh1, ago(20 * MINUTE_MS), '注文間違い');
  const fresh2 = confirmed(4 * HOUR_MS, 'FSH-TEE-OS', 1);
  builder.requestCancel(fresh2, ago(10 * MINUTE_MS), 'サイズ・カラーの選択ミス');

  // In stock, older: accepting counts, but refusing is not allowed.
  const older = confirmed(30 * HOUR_MS, 'HM-TOWEL-5P', 0);
  builder.requestCancel(older, ago(3 * HOUR_MS), '他店で購入済み');

  // Handed to the carrier, tracking only in the label software: refuse and submit it for both lines.
  const cartFirst = confirmed(26 * HOUR_MS, 'FD-COFFEE-1KG', 0);
  const cartSecond = confirmed(26 * HOUR_MS, 'FD-TEA-100', 0, cartFirst);
  builder.requestCancel(cartFirst, ago(1 * HOUR_MS), 'お届け日時の都合');
  const parcel = sampleTracking(random);
  builder.knownTracking.push({ orderNo: cartFirst.orderNo, ...parcel }, { orderNo: cartSecond.orderNo, ...parcel });

  // Out of stock: a seller-fault cancel, with an apology.
  const outOfStock = confirmed(20 * HOUR_MS, 'COS-CUSH-21', 1);
  builder.requestCancel(outOfStock, ago(4 * HOUR_MS), '支払方法を変更したい');
  builder.stock.set('COS-CUSH-21', 0);

  // Past the shipping deadline (発送遅延): not refusable.
  const late = confirmed(5 * DAY_MS, 'HM-RUG-140', -2);
  builder.requestCancel(late, ago(1 * HOUR_MS), '発送が遅いため');

  // Packed (発送準備済み): the shop's policy decides.
  const packed = confirmed(8 * HOUR_MS, 'EL-PB-10000', 0);
  builder.requestCancel(packed, ago(30 * MINUTE_MS), '重複注文');
  builder.packedOrderNos.push(packed.orderNo);

  // Made to order, production started.
  const madeToOrder = confirmed(3 * DAY_MS, 'MTO-NAME-STAMP', 4);
  builder.requestCancel(madeToOrder, ago(2 * HOUR_MS), '購入者都合（気が変わった）');

  for (const code of ['COS-SERUM-30', 'FSH-TEE-OS', 'HM-TOWEL-5P', 'FD-COFFEE-1KG', 'FD-TEA-100', 'HM-RUG-140', 'EL-PB-10000']) {
    builder.stock.set(code, Math.max(builder.stock.get(code) ?? 0, 8));
  }
  // Qoo10's documented behaviour: ship-confirm leaves a request pending until キャンセル拒否 in QSM. Change it at run
  // time with POST /__sim/behaviour {"shop", "shipConfirmEndsRequest": true}.
  return { shops: [{ ...builder.build(), qoo10Behaviour: { shipConfirmEndsRequest: false } }] };
}
