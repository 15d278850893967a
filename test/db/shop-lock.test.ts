// ShopLock (ADR 0021): one holder per shop through a lease row only — no session advisory lock, no
// connection held while the holder works, so it works behind PgBouncer in transaction mode. withLock waits
// for a lease to be released or to lapse (a holder that died), and gives a clear "not locked" after waitMs.
// Leases are planted with expiry times far from "now" or already past, and waits are generous: nothing
// here depends on the machine's speed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ShopLock } from '../../src/persistence/shop-lock';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { testShopPolicy } from '../helpers/builders';

describe('ShopLock: leases only', () => {
  let db: TestDatabase;
  let lock: ShopLock;
  let shops: ShopRepository;
  let serial = 0;

  before(async () => {
    db = await createTestDatabase();
    lock = new ShopLock(db.dataSource, 30_000);
    shops = new ShopRepository(db.dataSource, new CredentialsCipher('l'.repeat(32)), { policy: testShopPolicy() });
  });
  after(async () => {
    await db.drop();
  });

  async function newShop(): Promise<string> {
    serial += 1;
    const shop = await shops.ensureShopForKey({ name: `ロック店 ${serial}`, sellerAuthKey: `lock-sak-${serial}`, isDemo: false });
    return shop.id;
  }

  /** A lease left by a holder that died: it lapses `seconds` from now (negative: already lapsed). */
  async function deadHolder(shopId: string, seconds: number): Promise<string> {
    const holder = randomUUID();
    await db.dataSource.query(
      `INSERT INTO shop_leases (shop_id, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')`,
      [shopId, holder, seconds],
    );
    return holder;
  }

  const leaseOf = async (shopId: string): Promise<{ holder: string; lapsed: boolean } | null> => {
    const [row] = await db.dataSource.query(`SELECT holder::text AS holder, expires_at < now() AS lapsed FROM shop_leases WHERE shop_id = $1`, [shopId]);
    return row ?? null;
  };

  test('while the holder works it holds no advisory lock and no open transaction; the lease is released afterwards', async () => {
    const shopId = await newShop();
    const result = await lock.withLock(shopId, 0, async () => {
      const [{ advisory }] = await db.dataSource.query(`SELECT count(*)::int AS advisory FROM pg_locks
         WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      const [{ open }] = await db.dataSource.query(
        `SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      return { advisory, open, lease: await leaseOf(shopId) };
    });
    assert.equal(result.locked, true);
    assert.ok(result.locked);
    assert.equal(result.value.advisory, 0, 'no advisory lock');
    assert.equal(result.value.open, 0, 'no transaction left open');
    assert.equal(result.value.lease?.lapsed, false, 'the lease row is there while it works');
    assert.equal((await leaseOf(shopId))?.lapsed, true, 'released at the end: the row stays, expired, for the next holder to take');
  });

  test('a released lease is taken again at once, by updating its row: one row per shop however often it is held', async () => {
    const shopId = await newShop();
    const holders: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await lock.withLease(shopId, async () => (await leaseOf(shopId))!.holder);
      assert.ok(result.locked, `hold ${i + 1} taken at once after the release before it`);
      holders.push(result.value);
    }
    assert.equal(new Set(holders).size, 3, 'each hold had a holder of its own');
    const [{ rows }] = await db.dataSource.query(`SELECT count(*)::int AS rows FROM shop_leases WHERE shop_id = $1`, [shopId]);
    assert.equal(rows, 1);
    assert.equal((await leaseOf(shopId))?.lapsed, true);
  });

  test('a shop another holder has: withLock(0) and withLease move on at once, without running the work', async () => {
    const shopId = await newShop();
    const other = await deadHolder(shopId, 600);
    let ran = false;
    assert.deepEqual(await lock.withLock(shopId, 0, async () => (ran = true)), { locked: false });
    assert.deepEqual(await lock.withLease(shopId, async () => (ran = true)), { locked: false });
    assert.equal(ran, false);
    assert.equal((await leaseOf(shopId))?.holder, other, "the other holder's lease is untouched");
  });

  test('withLock gives up after waitMs with { locked: false } while the other lease is live', async () => {
    const shopId = await newShop();
    const other = await deadHolder(shopId, 600);
    let ran = false;
    const result = await lock.withLock(shopId, 500, async () => (ran = true));
    assert.deepEqual(result, { locked: false });
    assert.equal(ran, false);
    assert.equal((await leaseOf(shopId))?.holder, other);
  });

  test('withLock waits for the lease of a holder that died to lapse, then takes it', async () => {
    const shopId = await newShop();
    // Lapses about a second from now; the wait allows a minute.
    const dead = await deadHolder(shopId, 1);
    const result = await lock.withLock(shopId, 60_000, async () => ({ lease: await leaseOf(shopId) }));
    assert.ok(result.locked, 'taken once it lapsed');
    assert.notEqual(result.value.lease?.holder, dead, 'a new holder');
    assert.equal(result.value.lease?.lapsed, false, "the new holder's lease is live while it works");
  });

  test('an already lapsed lease is taken at once, even with waitMs 0', async () => {
    const shopId = await newShop();
    await deadHolder(shopId, -1);
    const result = await lock.withLock(shopId, 0, async () => 'worked');
    assert.deepEqual(result, { locked: true, value: 'worked' });
  });

  test('two holders waiting on one shop take turns: the second works only after the first let go', async () => {
    const shopId = await newShop();
    const events: string[] = [];
    let letGo!: () => void;
    const firstMayFinish = new Promise<void>((done) => (letGo = done));
    let firstHolds!: () => void;
    const firstHolding = new Promise<void>((done) => (firstHolds = done));
    const first = lock.withLock(shopId, 0, async () => {
      events.push('first starts');
      firstHolds();
      await firstMayFinish;
      events.push('first ends');
    });
    await firstHolding;
    const second = lock.withLock(shopId, 60_000, async () => {
      events.push('second starts');
    });
    // The second is waiting now; its turn comes only when the first ends.
    const [{ holders }] = await db.dataSource.query(`SELECT count(*)::int AS holders FROM shop_leases WHERE shop_id = $1`, [shopId]);
    assert.equal(holders, 1);
    letGo();
    assert.equal((await first).locked, true);
    assert.equal((await second).locked, true);
    assert.deepEqual(events, ['first starts', 'first ends', 'second starts']);
  });

  test("a holder whose lease was taken over (it stalled past the lease) is told through the lost signal", async () => {
    const shopId = await newShop();
    const short = new ShopLock(db.dataSource, 600); // renewed every 200 ms
    const result = await short.withLock(shopId, 0, async (lost) => {
      // Another holder takes the shop, as if this one had stalled past its lease.
      await db.dataSource.query(`UPDATE shop_leases SET holder = gen_random_uuid() WHERE shop_id = $1`, [shopId]);
      await new Promise<void>((done) => {
        if (lost.aborted) return done();
        lost.addEventListener('abort', () => done(), { once: true });
      });
      return lost.aborted;
    });
    assert.deepEqual(result, { locked: true, value: true });
    assert.equal((await leaseOf(shopId))?.lapsed, false, "the other holder's lease stays live: a holder releases only its own lease");
  });
});
