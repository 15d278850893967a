// Issue 13: nothing Qoo10 sends can block a shop, close a request silently, or put buyer data in the
// logs. The whole service against the simulator over HTTP, on a real database, with every log line kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { createHostileWorld, type HostileShop, type HostileWorld } from '../helpers/hostile-world';
import type { SimClaim } from '../../src/qoo10/simulator/sim-state';
import { OrderRepository } from '../../src/persistence/order-repository';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('untrusted Qoo10 data', () => {
  let db: TestDatabase;
  let w: HostileWorld;

  before(async () => {
    db = await createTestDatabase();
    w = await createHostileWorld(db.dataSource);
  });
  after(async () => {
    w.sim.hostile.set([]);
    await w.close();
    await db.drop();
  });

  async function cycle(s: HostileShop) {
    const report = await w.services.pipeline.runShop(s.shop);
    assert.equal(report.status, 'ok', report.error);
    return report;
  }

  async function assertBystandersAccepted(s: HostileShop) {
    for (const orderNo of s.bystanders) {
      const row = await w.request(s.shop, orderNo);
      assert.deepEqual({ status: row?.status, code: row?.code }, { status: 'done', code: 'unshipped_in_stock' }, `bystander ${orderNo}`);
    }
  }

  const clientOf = (s: HostileShop) => w.clientOf(s.shop);

  async function alertsOf(s: HostileShop, kind: string) {
    return db.dataSource.query('SELECT subject, payload FROM alerts WHERE shop_id = $1 AND kind = $2', [s.shop.id, kind]);
  }

  test('defect 1: a NUL in a buyer reason and a buyer name is cleaned; every request of the shop is decided', async () => {
    const s = await w.newShop({ victimReason: '間違えて\u0000注文\u0007しました\uD800', victimBuyer: { name: '毒\u0000入り 太郎' } });
    await cycle(s);
    const victim = await w.request(s.shop, s.victim);
    assert.equal(victim?.status, 'done');
    const [stored] = await db.dataSource.query('SELECT reason FROM cancel_requests WHERE shop_id = $1 AND order_no = $2', [s.shop.id, s.victim]);
    assert.equal(stored.reason, '間違えて注文しました\uFFFD');
    const [order] = await db.dataSource.query('SELECT buyer_name FROM orders WHERE shop_id = $1 AND order_no = $2', [s.shop.id, s.victim]);
    assert.equal(order.buyer_name, '毒入り 太郎');
    await assertBystandersAccepted(s);
  });

  test('defect 2: an unreadable request row goes to a person with the fault, an alert names it, the others are decided', async () => {
    const s = await w.newShop();
    w.sim.hostile.set([{ method: 'claims', field: 'orderDate', variant: 'wrong_type', orderNo: s.victim }]);
    try {
      await cycle(s);
    } finally {
      w.sim.hostile.set([]);
    }
    const victim = await w.request(s.shop, s.victim);
    assert.deepEqual({ status: victim?.status, code: victim?.code }, { status: 'review', code: 'qoo10_data_unreadable' });
    const [decision] = await db.dataSource.query(
      'SELECT d.reason FROM decisions d JOIN cancel_requests r ON r.current_decision_id = d.id WHERE r.shop_id = $1 AND r.order_no = $2',
      [s.shop.id, s.victim],
    );
    assert.match(decision.reason, /orderDate/, 'the fault is recorded with the request');
    const alerts = await alertsOf(s, 'qoo10_data_fault');
    assert.ok(alerts.some((a: { payload: { orderNo: string } }) => a.payload.orderNo === s.victim), JSON.stringify(alerts));
    await assertBystandersAccepted(s);
  });

  test('defect 2 and 6: an order row in an unreadable shape is read by number and its request decided normally', async () => {
    const s = await w.newShop();
    w.sim.hostile.set([{ method: 'orders', field: 'OrderDate', variant: 'nul', orderNo: s.victim }]);
    try {
      await cycle(s);
    } finally {
      w.sim.hostile.set([]);
    }
    const victim = await w.request(s.shop, s.victim);
    assert.deepEqual({ status: victim?.status, code: victim?.code }, { status: 'done', code: 'unshipped_in_stock' });
    assert.ok((await alertsOf(s, 'qoo10_data_fault')).length >= 1, 'the unreadable order row is alerted');
    await assertBystandersAccepted(s);
  });

  test('defect 3: a fresh read without claimStatus sends the request to a person, never closes it', async () => {
    const s = await w.newShop();
    w.sim.hostile.set([{ method: 'snapshot', field: 'claimStatus', variant: 'missing', orderNo: s.victim }]);
    try {
      await cycle(s);
    } finally {
      w.sim.hostile.set([]);
    }
    const victim = await w.request(s.shop, s.victim);
    assert.deepEqual({ status: victim?.status, code: victim?.code }, { status: 'review', code: 'fresh_read_unreadable' });
    assert.equal(w.sim.state.order(s.victim)?.cancelledAt, null, 'nothing was sent for it');
    await assertBystandersAccepted(s);
  });

  test('defect 3: a request closed by mistake reopens when the next poll lists it as pending again', async () => {
    const s = await w.newShop();
    // The buyer's request is pending on Qoo10, but a lagging fresh read shows no claim: it is closed.
    w.sim.hostile.set([{ method: 'snapshot', field: 'claimStatus', variant: 'empty', orderNo: s.victim }]);
    await cycle(s);
    assert.equal((await w.request(s.shop, s.victim))?.status, 'closed');
    w.sim.hostile.set([]);
    await cycle(s);
    const victim = await w.request(s.shop, s.victim);
    assert.deepEqual({ status: victim?.status, code: victim?.code }, { status: 'done', code: 'unshipped_in_stock' });
  });

  test('defect 3: when the list keeps saying pending and the fresh read keeps saying not, a person decides (no close-reopen loop)', async () => {
    const s = await w.newShop();
    w.sim.hostile.set([{ method: 'snapshot', field: 'claimStatus', variant: 'empty', orderNo: s.victim }]);
    try {
      await cycle(s);
      await cycle(s);
      await cycle(s);
    } finally {
      w.sim.hostile.set([]);
    }
    const victim = await w.request(s.shop, s.victim);
    assert.deepEqual({ status: victim?.status, code: victim?.code }, { status: 'review', code: 'pending_state_conflict' });
    const [{ n }] = await db.dataSource.query(
      'SELECT count(*)::int AS n FROM decisions d JOIN cancel_requests r ON r.id = d.request_id WHERE r.shop_id = $1 AND r.order_no = $2',
      [s.shop.id, s.victim],
    );
    assert.equal(n, 2, 'closed once, then handed to a person; not a new decision every cycle');
  });

  test('defect 5: a shipping deadline the seller moved later is honoured, not a stale one', async () => {
    const s = await w.newShop();
    await cycle(s);
    // An order placed three days ago (outside today's poll window), stored by an earlier poll while
    // its ship date was the day before yesterday.
    const late = w.sim.state.addOrder(s.simShop, {
      orderedAt: new Date(Date.now() - 3 * DAY_MS).toISOString(),
      itemTitle: '検証商品',
      itemNo: '80009',
      sellerItemCode: `HOSTILE-${s.shop.name.replace(/\D/g, '')}`,
      quantity: 1,
      buyerName: '期限 花子',
      buyerEmail: 'late@buyer.invalid',
    });
    w.sim.state.sellerCheck(s.simShop, late.orderNo, new Date(Date.now() - 2 * DAY_MS));
    const listed = await (await clientOf(s)).getOrders({ from: new Date(Date.now() - 4 * DAY_MS), to: new Date(), condition: 1 });
    await new OrderRepository(db.dataSource).upsertOrders(s.shop.id, listed.filter((o) => o.orderNo === late.orderNo));
    const [stale] = await db.dataSource.query('SELECT shipping_deadline FROM orders WHERE shop_id = $1 AND order_no = $2', [s.shop.id, late.orderNo]);
    assert.ok(stale.shipping_deadline.getTime() < Date.now() - DAY_MS, 'the stored deadline is the old one');

    // The seller moves the ship date later in QSM; then the buyer asks to cancel.
    w.sim.state.sellerCheck(s.simShop, late.orderNo, new Date(Date.now() + 3 * DAY_MS));
    w.sim.state.requestCancel(late.orderNo);
    await cycle(s);
    const row = await w.request(s.shop, late.orderNo);
    assert.deepEqual({ status: row?.status, code: row?.code }, { status: 'done', code: 'unshipped_in_stock' }, 'an on-time, in-stock order is accepted as the buyer’s cancel');
  });

  test('defect 6: the first poll finds a request pending for weeks on an order placed before the month, and decides it', async () => {
    const s = await w.newShop();
    const old = w.sim.state.addOrder(s.simShop, {
      orderedAt: new Date(Date.now() - 40 * DAY_MS).toISOString(),
      itemTitle: '検証商品',
      itemNo: '80010',
      sellerItemCode: `HOSTILE-${s.shop.name.replace(/\D/g, '')}`,
      quantity: 1,
    });
    w.sim.state.sellerCheck(s.simShop, old.orderNo, new Date(Date.now() + 2 * DAY_MS));
    const claim: SimClaim = {
      orderNo: old.orderNo, claimStatus: 1, reason: '注文間違い', requestedAt: new Date(Date.now() - 30 * DAY_MS),
      completedAt: null, cancelReason: null, sellerMemo: null, withdrawnAt: null,
    };
    s.simShop.claims.push(claim);
    await cycle(s);
    const row = await w.request(s.shop, old.orderNo);
    assert.deepEqual({ status: row?.status, code: row?.code }, { status: 'done', code: 'unshipped_in_stock' });
    await assertBystandersAccepted(s);
  });

  test('defect 6: a never-listed order that is long past its ship date is decided as late, not accepted as the buyer’s', async () => {
    const s = await w.newShop();
    const old = w.sim.state.addOrder(s.simShop, {
      orderedAt: new Date(Date.now() - 40 * DAY_MS).toISOString(),
      itemTitle: '検証商品',
      itemNo: '80011',
      sellerItemCode: `HOSTILE-${s.shop.name.replace(/\D/g, '')}`,
      quantity: 1,
    });
    w.sim.state.sellerCheck(s.simShop, old.orderNo, new Date(Date.now() - 35 * DAY_MS));
    s.simShop.claims.push({
      orderNo: old.orderNo, claimStatus: 1, reason: '届かない', requestedAt: new Date(Date.now() - 20 * DAY_MS),
      completedAt: null, cancelReason: null, sellerMemo: null, withdrawnAt: null,
    });
    await cycle(s);
    const row = await w.request(s.shop, old.orderNo);
    assert.equal(row?.code, 'past_shipping_deadline', JSON.stringify(row));
  });

  test('no log line of this file carries a test buyer’s name, e-mail or reason', () => {
    assert.ok(w.logs.length > 20, `only ${w.logs.length} log lines were written`);
    assert.deepEqual(w.linesWithBuyerData([]), []);
  });
});
