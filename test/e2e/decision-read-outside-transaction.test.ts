// Issue 16, "no connection held across a Qoo10 call": a decision reads Qoo10 with no transaction open and
// no row locked, then locks, compares and writes in a short transaction. A request or order that changed
// while Qoo10 was being read is never decided on that (stale) read; two holders never decide one request
// twice; a person's action on a shop another holder has gets a clear 409 shop_busy. Real PostgreSQL, real
// HTTP to the simulator; the hooks below run while a read is on its way, so nothing here depends on speed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';
import { silentLogger } from '../../src/logger';
import type { Qoo10Client } from '../../src/qoo10/qoo10-client';
import type { OrderSnapshot } from '../../src/domain/types';
import { OrderRepository } from '../../src/persistence/order-repository';
import { CancelRequestRepository } from '../../src/persistence/cancel-request-repository';
import { CancelRepository } from '../../src/persistence/cancel-repository';
import { FactsRepository } from '../../src/persistence/facts-repository';
import { ActionRepository } from '../../src/persistence/action-repository';
import { ShopLock } from '../../src/persistence/shop-lock';
import { PollService } from '../../src/services/poll-service';
import { DecisionService } from '../../src/services/decision-service';
import { ActionExecutor } from '../../src/services/action-executor';
import { ReviewService } from '../../src/services/review-service';
import { ConflictError } from '../../src/errors';

/**
 * The client with `hook(orderNo)` run around each order read: 'in-flight' while the read is on its way to
 * the simulator (it was started first), 'answered' after Qoo10 answered and before the service gets it.
 */
function aroundReads(client: Qoo10Client, when: 'in-flight' | 'answered', hook: (orderNo: string) => Promise<void>): Qoo10Client {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'getOrderSnapshot') {
        return async (orderNo: string, signal?: AbortSignal): Promise<OrderSnapshot | null> => {
          const read = target.getOrderSnapshot(orderNo, signal);
          if (when === 'answered') await read;
          try {
            await hook(orderNo);
          } finally {
            await read.catch(() => undefined);
          }
          return read;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('a decision reads Qoo10 outside any transaction, then locks, compares and writes', () => {
  let f: PipelineFixture;
  let watcher: Client;
  let client: Qoo10Client;
  let decisions: DecisionService;
  let executor: ActionExecutor;
  let item = 0;
  const ds = () => f.t.db.dataSource;

  before(async () => {
    // Reads are held at the simulator for a while, so the hooks run while a read is really in flight.
    f = await createPipelineFixture({ AUTO_DECISIONS: 'accept,refuse' });
    f.sim.setFaults({ latencyMs: 150 });
    watcher = new Client({ connectionString: f.t.db.url });
    await watcher.connect();
    client = await f.t.services.qoo10Clients(f.shop);
    const d = ds();
    decisions = new DecisionService(d, new OrderRepository(d), new CancelRequestRepository(d), new FactsRepository(d), new ActionRepository(d), 6, silentLogger());
    executor = new ActionExecutor(d, new ActionRepository(d), new CancelRequestRepository(d), new OrderRepository(d), new CancelRepository(d, 6), f.t.services.shops,
      f.t.services.alerts, silentLogger(), new FactsRepository(d));
  });
  after(async () => {
    await watcher.end();
    await f.close();
  });

  /** An unshipped, in-stock order with a pending cancel request, polled and stored; the rules would accept it. */
  async function storedAcceptableRequest(): Promise<{ orderNo: string; requestId: string }> {
    item += 1;
    const code = `RX-${item}`;
    await f.t.services.facts.setStock(undefined, code, 5);
    const orderNo = f.confirmedOrder({ sellerItemCode: code });
    f.sim.state.requestCancel(orderNo);
    const d = ds();
    const poll = new PollService(d, new OrderRepository(d), new CancelRequestRepository(d), new CancelRepository(d, 6), f.t.services.alerts, silentLogger());
    await poll.pollShop(f.shop, client, poll.windowFor(null, new Date()));
    const [row] = await d.query(`SELECT id, status FROM cancel_requests WHERE order_no = $1`, [orderNo]);
    assert.equal(row?.status, 'pending', 'stored and not decided yet');
    return { orderNo, requestId: String(row.id) };
  }

  /** What the database shows about this test database's other connections right now. */
  async function otherConnections(): Promise<string[]> {
    const { rows } = await watcher.query<{ state: string | null }>(
      `SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows.map((row) => row.state ?? 'unknown');
  }

  /** True when another transaction holds the request's row lock. */
  async function requestRowLocked(requestId: string): Promise<boolean> {
    await watcher.query('BEGIN');
    try {
      const rows = await watcher.query('SELECT id FROM cancel_requests WHERE id = $1 FOR UPDATE SKIP LOCKED', [requestId]);
      return rows.rowCount === 0;
    } finally {
      await watcher.query('ROLLBACK');
    }
  }

  async function requestRow(requestId: string) {
    const [row] = await ds().query(
      `SELECT r.status, d.kind, d.code, (SELECT count(*)::int FROM decisions x WHERE x.request_id = r.id) AS decisions
       FROM cancel_requests r LEFT JOIN decisions d ON d.id = r.current_decision_id WHERE r.id = $1`,
      [requestId],
    );
    return row as { status: string; kind: string | null; code: string | null; decisions: number };
  }

  const actionsOf = (orderNo: string): Promise<Array<{ id: string; kind: string; state: string }>> =>
    ds().query('SELECT id::text AS id, kind, state FROM actions WHERE order_no = $1 ORDER BY id', [orderNo]);

  /**
   * A client whose order reads wait until two are in flight, so both holders have read before either writes.
   * `release` (called when a holder finishes) lets a lone read go on if the other holder never reads.
   */
  function twoReadsAtOnce(): { watched: Qoo10Client; release: () => void; started: () => number } {
    let started = 0;
    let release!: () => void;
    const barrier = new Promise<void>((done) => (release = done));
    const watched = aroundReads(client, 'in-flight', async () => {
      started += 1;
      if (started === 2) release();
      await barrier;
    });
    return { watched, release, started: () => started };
  }

  test('while the fresh read is at the simulator, no connection is idle in a transaction and the request is not locked', async () => {
    const { orderNo, requestId } = await storedAcceptableRequest();
    const seen: Array<{ connections: string[]; locked: boolean }> = [];
    const watched = aroundReads(client, 'in-flight', async () => {
      seen.push({ connections: await otherConnections(), locked: await requestRowLocked(requestId) });
    });

    const outcome = await decisions.decideRequest(f.shop, watched, requestId, new Date());
    assert.equal(outcome.status, 'acting');
    assert.equal(seen.length, 1, 'the decision read the order once, right before acting');
    for (const state of seen[0]!.connections) assert.ok(!state.startsWith('idle in transaction'), `a connection was "${state}" during the read`);
    assert.equal(seen[0]!.locked, false, "the request's row was not locked during the read");

    // The executor's last look before the cancel is a read outside any transaction too.
    const [action] = await actionsOf(orderNo);
    assert.equal(action?.kind, 'cancel');
    seen.length = 0;
    assert.equal(await executor.send(f.shop, watched, action!.id, new Date()), 'succeeded');
    assert.equal(seen.length, 1, 'the last look read the order once');
    for (const state of seen[0]!.connections) assert.ok(!state.startsWith('idle in transaction'), `a connection was "${state}" during the last look`);
    assert.equal(f.sim.state.order(orderNo)?.cancelledAt != null, true, 'the cancel reached Qoo10');
  });

  test("a person's decision reads Qoo10 outside any transaction too", async () => {
    const { requestId } = await storedAcceptableRequest();
    const seen: Array<{ connections: string[]; locked: boolean }> = [];
    const watched = aroundReads(client, 'in-flight', async () => {
      seen.push({ connections: await otherConnections(), locked: await requestRowLocked(requestId) });
    });
    const result = await decisions.decideByPerson(f.shop, watched, requestId, { kind: 'accept', person: 'tester', note: null });
    assert.equal(result.ok, true);
    assert.equal(seen.length, 1);
    for (const state of seen[0]!.connections) assert.ok(!state.startsWith('idle in transaction'), `a connection was "${state}" during the read`);
    assert.equal(seen[0]!.locked, false);
    assert.equal((await requestRow(requestId)).status, 'acting');
  });

  test('an order that shipped while it was being read is not cancelled on the stale read: it is looked at again', async () => {
    const { orderNo, requestId } = await storedAcceptableRequest();
    let reads = 0;
    const watched = aroundReads(client, 'answered', async () => {
      reads += 1;
      if (reads > 1) return;
      // Qoo10 answered "unshipped"; then the parcel leaves, and another run reads the order and stores
      // what it saw, before this decision writes.
      f.sim.state.shipOrder(orderNo, { carrier: 'ヤマト運輸', trackingNo: '123456789012' });
      const later = await client.getOrderSnapshot(orderNo);
      await new OrderRepository(ds()).applySnapshot(f.shop.id, later!);
    });

    const outcome = await decisions.decideRequest(f.shop, watched, requestId, new Date());
    assert.notEqual(outcome.decision?.kind, 'accept', `not accepted on the read made before the order shipped (${JSON.stringify(outcome.decision?.code)})`);
    assert.notEqual(outcome.status, 'skipped', 'decided on the second look');
    assert.deepEqual((await actionsOf(orderNo)).filter((a) => a.kind === 'cancel'), [], 'no cancel queued');
    const row = await requestRow(requestId);
    assert.notEqual(row.kind, 'accept');
    assert.ok(row.decisions <= 1, 'decided at most once');
    const [stored] = await ds().query('SELECT shipping_status FROM orders WHERE shop_id = $1 AND order_no = $2', [f.shop.id, orderNo]);
    assert.ok(Number(stored.shipping_status) >= 4, 'the stored order still shows it shipped (the stale read did not overwrite it)');
  });

  test('a request a person closed while Qoo10 was being read is left alone', async () => {
    const { orderNo, requestId } = await storedAcceptableRequest();
    const watched = aroundReads(client, 'in-flight', async () => {
      assert.equal(await decisions.markHandledInQsm(requestId, 'tester', 'answered in QSM'), true);
    });
    const outcome = await decisions.decideRequest(f.shop, watched, requestId, new Date());
    assert.equal(outcome.status, 'skipped');
    assert.equal(outcome.decision, null);
    const row = await requestRow(requestId);
    assert.equal(row.status, 'closed');
    assert.equal(row.code, 'handled_in_qsm');
    assert.equal(row.decisions, 1, "only the person's mark");
    assert.deepEqual(await actionsOf(orderNo), []);
  });

  test('two holders reading the same request at once: one decides it, the other moves on', async () => {
    const { orderNo, requestId } = await storedAcceptableRequest();
    const { watched, release, started } = twoReadsAtOnce();
    const d = ds();
    const other = new DecisionService(d, new OrderRepository(d), new CancelRequestRepository(d), new FactsRepository(d), new ActionRepository(d), 6, silentLogger());
    const outcomes = await Promise.all(
      [decisions, other].map((holder) => holder.decideRequest(f.shop, watched, requestId, new Date()).finally(release)),
    );
    assert.equal(started(), 2, 'both holders read Qoo10 before either wrote');
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['acting', 'skipped']);
    const row = await requestRow(requestId);
    assert.equal(row.decisions, 1, 'one decision');
    assert.equal(row.kind, 'accept');
    assert.equal((await actionsOf(orderNo)).length, 1, 'one outbox row');
  });

  test("a person and the automatic decision reading the same request at once: exactly one of them decides it", async () => {
    const { orderNo, requestId } = await storedAcceptableRequest();
    const { watched, release, started } = twoReadsAtOnce();
    const [auto, person] = await Promise.all([
      decisions.decideRequest(f.shop, watched, requestId, new Date()).finally(release),
      decisions.decideByPerson(f.shop, watched, requestId, { kind: 'seller-fault', person: 'tester', note: 'out of stock after all' }).finally(release),
    ]);
    assert.equal(started(), 2, 'both read Qoo10 before either wrote');
    const decided = [auto.status === 'acting', person.ok].filter(Boolean).length;
    assert.equal(decided, 1, `exactly one decided (auto ${auto.status}, person ${JSON.stringify(person)})`);
    const row = await requestRow(requestId);
    assert.equal(row.decisions, 1, 'one decision');
    assert.equal((await actionsOf(orderNo)).length, 1, 'one outbox row');
  });

  test("a person's action on a shop another holder has: a clear 409 shop_busy after the wait, then it goes through once the shop is free", async () => {
    const { orderNo, requestId } = await storedAcceptableRequest();
    const d = ds();
    const review = new ReviewService(f.t.services.shops, new ShopLock(d), new CancelRequestRepository(d), new ActionRepository(d), new OrderRepository(d),
      f.t.services.qoo10Clients, decisions, executor, () => new Date(), 300);
    // A holder that stopped without letting go: its lease is live for ten more minutes.
    await d.query(`INSERT INTO shop_leases (shop_id, holder, expires_at) VALUES ($1, gen_random_uuid(), now() + interval '10 minutes')`, [f.shop.id]);
    await assert.rejects(review.override(requestId, 'accept', 'tester', 'buyer asked'), (error: unknown) => error instanceof ConflictError && error.code === 'shop_busy');
    assert.deepEqual(await actionsOf(orderNo), [], 'nothing was queued or sent');

    await d.query(`UPDATE shop_leases SET expires_at = now() - interval '1 second' WHERE shop_id = $1`, [f.shop.id]);
    assert.deepEqual(await review.override(requestId, 'accept', 'tester', 'buyer asked'), ['succeeded'], 'the lapsed lease was taken over');
  });
});
