// One cancel, two reports: our action (we sent SetCancelProcess) and the poll (Qoo10 lists the order
// as cancelled). Whichever arrives first, the booking is the same: Qoo10's completion time, the cause
// we decided and sent. The poll reads the Qoo10 simulator over real HTTP; the database is real.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CancelCause } from '../../src/domain/cancel-rate';
import type { Shop } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { HttpQoo10Client } from '../../src/qoo10/http-qoo10-client';
import { formatJstDateTime } from '../../src/qoo10/qoo10-dates';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import { ActionRepository } from '../../src/persistence/action-repository';
import { PollService } from '../../src/services/poll-service';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, rateWorld, type RateWorld } from './rate-fixtures';

const HOUR_MS = 3_600_000;
/** 2026-11-30 18:00:00 JST: six hours later is 00:00 JST on December 1, the month boundary. */
const ORDERED_AT = new Date('2026-11-30T09:00:00Z');
/** Our call left at 5 h 59 min 58.7 s: 23:59:58.7 JST on November 30. */
const SENT_AT = new Date(ORDERED_AT.getTime() + 6 * HOUR_MS - 1_300);
/** Qoo10 completed it at 6 h 00 min 01.7 s; its date string carries whole seconds: 00:00:01 JST, December 1. */
const QOO10_COMPLETED_AT = new Date(ORDERED_AT.getTime() + 6 * HOUR_MS + 1_700);
const QOO10_DATE = new Date(ORDERED_AT.getTime() + 6 * HOUR_MS + 1_000);

interface Booking {
  cancelled_at: Date;
  cause: CancelCause;
  counted: boolean;
  cancel_month: string;
  time_source: string;
  cause_source: string;
}

describe('a cancel booked by our action and by the poll, in either order', () => {
  let db: TestDatabase;
  let sim: SimulatorHandle;
  let world: RateWorld;
  let poll: PollService;
  let actions: ActionRepository;
  let simNow = ORDERED_AT;
  let shopSeq = 0;

  before(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ port: 0, now: () => simNow });
    world = rateWorld(db.dataSource, () => new Date('2026-12-01T03:00:00Z'));
    poll = new PollService(db.dataSource, world.orders, world.requests, world.cancels, world.alerts, silentLogger());
    actions = new ActionRepository(db.dataSource);
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  /** A shop in both worlds, and its Qoo10 client over HTTP. */
  async function aPolledShop(): Promise<{ shop: Shop; simShop: SimShop; client: HttpQoo10Client }> {
    shopSeq += 1;
    const shop = await aShop(world, `予約の店 ${shopSeq}`);
    const key = `SAK-booking-${process.pid}-${shopSeq}`;
    const simShop = sim.state.addShop({ sellerAuthKey: key, name: shop.name, orders: [], claims: [] });
    const client = new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: key, logger: silentLogger(), minIntervalMs: 0, maxRetries: 0 });
    return { shop, simShop, client };
  }

  async function pollAt(shop: Shop, client: HttpQoo10Client, at: Date): Promise<void> {
    simNow = at;
    await poll.pollShop(shop, client, { from: new Date(ORDERED_AT.getTime() - 24 * HOUR_MS), to: at });
  }

  /**
   * An order confirmed by the seller, the buyer's request with a buyer-reason text, our decision
   * (`cause`) and its outbox cancel, sent at SENT_AT. Returns the order number.
   */
  async function aSentCancel(shop: Shop, simShop: SimShop, client: HttpQoo10Client, cause: 'stock-out' | 'buyer', orderedAt = ORDERED_AT): Promise<string> {
    simNow = orderedAt;
    const order = sim.state.addOrder(simShop, { orderedAt: formatJstDateTime(orderedAt), itemTitle: 'マグカップ', sellerItemCode: 'MUG-1' });
    sim.state.sellerCheck(simShop, order.orderNo, new Date(orderedAt.getTime() + 48 * HOUR_MS));
    simNow = new Date(orderedAt.getTime() + HOUR_MS);
    sim.state.requestCancel(order.orderNo, '注文を間違えました');
    await pollAt(shop, client, new Date(orderedAt.getTime() + 2 * HOUR_MS));
    const [request] = await db.dataSource.query('SELECT id FROM cancel_requests WHERE shop_id = $1 AND order_no = $2', [shop.id, order.orderNo]);
    await db.dataSource.transaction(async (em) => {
      const decisionId = await world.requests.recordDecision(
        em,
        String(request.id),
        cause === 'stock-out'
          ? { kind: 'seller-fault', code: 'out_of_stock', reason: 'stock 0', trail: [], sellerFaultCause: 'out_of_stock' }
          : { kind: 'accept', code: 'in_stock', reason: 'in stock', trail: [] },
        'auto',
      );
      await world.requests.setStatus(em, String(request.id), 'acting');
      const action = await actions.enqueue(em, {
        shopId: shop.id,
        requestId: String(request.id),
        decisionId,
        kind: 'cancel',
        orderNo: order.orderNo,
        idempotencyKey: `cancel:${request.id}`,
        request: { ContrNo: order.orderNo },
      });
      await em.query(`UPDATE actions SET state = 'sending', attempts = 1, sent_at = $2 WHERE id = $1`, [action.id, SENT_AT]);
    });
    return order.orderNo;
  }

  /** Qoo10 applies our cancel ("" = 在庫なし, "1" = 注文変更); the request keeps the buyer's text. */
  function qoo10Completes(simShop: SimShop, orderNo: string, cancelReason: string, at: Date): void {
    simNow = at;
    sim.state.sellerCancel(simShop, orderNo, cancelReason, 'test');
  }

  /** What ActionExecutor.settleRequestIfDone books when our call succeeded (the time is our send time). */
  async function actionBooks(shop: Shop, orderNo: string, cause: CancelCause, at: Date): Promise<void> {
    await world.cancels.recordCancel(shop.id, {
      orderNo,
      orderedAt: ORDERED_AT,
      cancelledAt: at,
      cause,
      itemKey: 'MUG-1',
      itemTitle: 'マグカップ',
      source: 'action',
    });
  }

  async function bookingOf(shop: Shop, orderNo: string): Promise<Booking> {
    const [row] = await db.dataSource.query(
      'SELECT cancelled_at, cause, counted, cancel_month, time_source, cause_source FROM cancels WHERE shop_id = $1 AND order_no = $2',
      [shop.id, orderNo],
    );
    return row as Booking;
  }

  async function expectConsistent(shop: Shop): Promise<void> {
    for (const period of ['2026-11', '2026-12', '2026-Q4', '2027-Q1']) {
      const recount = await world.rates.recountFromScratch(shop.id, period);
      assert.deepEqual(recount.differences, [], `${period}: ${recount.differences.join('; ')}`);
    }
  }

  const EXPECTED = {
    cancelled_at: QOO10_DATE,
    cause: 'seller_fault',
    counted: true,
    cancel_month: '2026-12',
    time_source: 'qoo10',
    cause_source: 'decision',
  };

  for (const order of ['poll first', 'action first'] as const) {
    test(`a stock-out Qoo10 completed at 6 h 00 min 01.7 s, ${order}: counted in December as seller fault`, async () => {
      const { shop, simShop, client } = await aPolledShop();
      const orderNo = await aSentCancel(shop, simShop, client, 'stock-out');
      qoo10Completes(simShop, orderNo, '', QOO10_COMPLETED_AT);
      if (order === 'poll first') {
        await pollAt(shop, client, new Date(QOO10_COMPLETED_AT.getTime() + 60_000));
        // Qoo10's row still carries the buyer's text; the cause we sent already wins, before our action reports.
        assert.deepEqual(await bookingOf(shop, orderNo), EXPECTED);
        await actionBooks(shop, orderNo, 'seller_fault', SENT_AT);
      } else {
        await actionBooks(shop, orderNo, 'seller_fault', SENT_AT);
        const early = await bookingOf(shop, orderNo);
        assert.deepEqual([early.counted, early.cancel_month], [false, '2026-11'], 'until Qoo10 dates it, our send time stands');
        await pollAt(shop, client, new Date(QOO10_COMPLETED_AT.getTime() + 60_000));
      }
      assert.deepEqual(await bookingOf(shop, orderNo), EXPECTED);

      const november = await world.rates.monthlyRate(shop.id, '2026-11');
      const december = await world.rates.monthlyRate(shop.id, '2026-12');
      assert.deepEqual([november.countedCancels, november.excludedCancels], [0, 0]);
      assert.deepEqual([december.countedCancels, december.byReason.seller_fault.counted, december.byReason.buyer.counted], [1, 1, 0]);
      assert.equal(december.topItems[0]?.sellerFault, 1);
      await expectConsistent(shop);
    });
  }

  for (const order of ['poll first', 'action first'] as const) {
    test(`an accepted buyer cancel across the month boundary, ${order}: December by Qoo10's date, buyer reason`, async () => {
      const { shop, simShop, client } = await aPolledShop();
      // Ordered 10:00 JST on Nov 30: both times are past six hours, only the month differs.
      const orderedAt = new Date('2026-11-30T01:00:00Z');
      const orderNo = await aSentCancel(shop, simShop, client, 'buyer', orderedAt);
      const sentAt = new Date('2026-11-30T14:59:59Z');
      const completedAt = new Date('2026-11-30T15:00:02Z');
      qoo10Completes(simShop, orderNo, '1', completedAt);
      const book = () =>
        world.cancels.recordCancel(shop.id, { orderNo, orderedAt, cancelledAt: sentAt, cause: 'buyer', itemKey: 'MUG-1', itemTitle: 'マグカップ', source: 'action' });
      if (order === 'poll first') {
        await pollAt(shop, client, new Date(completedAt.getTime() + 60_000));
        await book();
      } else {
        await book();
        await pollAt(shop, client, new Date(completedAt.getTime() + 60_000));
      }
      assert.deepEqual(await bookingOf(shop, orderNo), {
        cancelled_at: completedAt,
        cause: 'buyer',
        counted: true,
        cancel_month: '2026-12',
        time_source: 'qoo10',
        cause_source: 'decision',
      });
      assert.equal((await world.rates.monthlyRate(shop.id, '2026-11')).countedCancels, 0);
      assert.equal((await world.rates.monthlyRate(shop.id, '2026-12')).countedCancels, 1);
      await expectConsistent(shop);
    });
  }

  test('a cancel we did not send takes the cause from Qoo10: a QSM stock-out is seller fault, a buyer cancel is the buyer’s', async () => {
    const { shop, simShop, client } = await aPolledShop();
    simNow = ORDERED_AT;
    const stockOut = sim.state.addOrder(simShop, { orderedAt: formatJstDateTime(ORDERED_AT), itemTitle: '皿', sellerItemCode: 'MUG-2' });
    const instant = sim.state.addOrder(simShop, { orderedAt: formatJstDateTime(ORDERED_AT), itemTitle: '箸', sellerItemCode: 'MUG-3' });
    await pollAt(shop, client, new Date(ORDERED_AT.getTime() + HOUR_MS));
    qoo10Completes(simShop, stockOut.orderNo, '', new Date(ORDERED_AT.getTime() + 8 * HOUR_MS));
    simNow = new Date(ORDERED_AT.getTime() + 9 * HOUR_MS);
    sim.state.requestCancel(instant.orderNo, '気が変わりました');
    await pollAt(shop, client, new Date(ORDERED_AT.getTime() + 10 * HOUR_MS));
    assert.deepEqual(
      [(await bookingOf(shop, stockOut.orderNo)).cause, (await bookingOf(shop, instant.orderNo)).cause],
      ['seller_fault', 'buyer'],
    );
    assert.equal((await bookingOf(shop, stockOut.orderNo)).cause_source, 'qoo10');
    await expectConsistent(shop);
  });

  test('a poll that sees the cancel again changes nothing, and a second action report cannot move Qoo10’s time back', async () => {
    const { shop, simShop, client } = await aPolledShop();
    const orderNo = await aSentCancel(shop, simShop, client, 'stock-out');
    qoo10Completes(simShop, orderNo, '', QOO10_COMPLETED_AT);
    await pollAt(shop, client, new Date(QOO10_COMPLETED_AT.getTime() + 60_000));
    await actionBooks(shop, orderNo, 'seller_fault', SENT_AT);
    await pollAt(shop, client, new Date(QOO10_COMPLETED_AT.getTime() + 120_000));
    await actionBooks(shop, orderNo, 'seller_fault', new Date(SENT_AT.getTime() - 60_000));
    assert.deepEqual(await bookingOf(shop, orderNo), EXPECTED);
    assert.equal((await world.rates.monthlyRate(shop.id, '2026-12')).countedCancels, 1);
    await expectConsistent(shop);
  });
});
