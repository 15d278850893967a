// A slot's poll near the end of its slot (issue 16: 13 of 40,000 shop-slots polled twice at 20,000 shops).
// A poll started in the last seconds of its slot makes its Qoo10 calls in the next slot, whose own job then
// found no poll since its slot began and polled again. The rule: a slot poll does not start in the last
// 5 s of its slot; it hands the shop to the next slot's job (queued under the id the tick gives it, so a
// tick that ran early and saw this job waiting cannot leave the shop without one). Real leases and job runs
// on PostgreSQL; the clock is the test's, so nothing depends on the machine's speed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ShopLock } from '../../src/persistence/shop-lock';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { JobRunRepository } from '../../src/persistence/job-run-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { silentLogger } from '../../src/logger';
import { slotJobId, type JobContext, type QueuedJob } from '../../src/jobs/work-queue';
import { slotEndGuardMs, slotPollUnderLease } from '../../src/jobs/tasks/shop-lease';
import type { TaskDeps } from '../../src/jobs/tasks/task-deps';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { testShopPolicy } from '../helpers/builders';

const QUEUE = 'poll-claims';
const JOB = 'poll';
const SLOT = new Date('2026-12-01T10:02:00.000Z');
const SLOT_END = new Date('2026-12-01T10:04:00.000Z');

describe('slot polls at the end of their slot', () => {
  let db: TestDatabase;
  let shops: ShopRepository;
  let serial = 0;

  before(async () => {
    db = await createTestDatabase();
    shops = new ShopRepository(db.dataSource, new CredentialsCipher('g'.repeat(32)), { policy: testShopPolicy() });
  });
  after(async () => {
    await db.drop();
  });

  async function newShop(): Promise<string> {
    serial += 1;
    return (await shops.ensureShopForKey({ name: `ガード店 ${serial}`, sellerAuthKey: `guard-sak-${serial}`, isDemo: false })).id;
  }

  /** Runs the shop's slot job with the clock at `at`; returns its outcome, whether it polled, and what it queued. */
  async function runAt(shopId: string, at: Date, data: { busy?: number } = {}) {
    const queued: Array<{ queue: string; job: QueuedJob }> = [];
    const context: JobContext = {
      signal: new AbortController().signal,
      enqueue: async (queue, jobs) => void queued.push(...jobs.map((job) => ({ queue, job }))),
    };
    const deps = {
      shops,
      shopLock: new ShopLock(db.dataSource, 30_000),
      jobRuns: new JobRunRepository(db.dataSource),
      logger: silentLogger(),
      now: () => at,
    } as unknown as TaskDeps;
    let polled = 0;
    const outcome = await slotPollUnderLease(deps, context, { queue: QUEUE, data: { shopId, slot: SLOT.toISOString(), ...data }, slotEnd: SLOT_END }, JOB, async () => {
      polled += 1;
      return 'report';
    });
    return { outcome, polled, queued };
  }

  const handedOver = (shopId: string) => ({
    queue: QUEUE,
    job: { id: slotJobId(QUEUE, shopId, SLOT_END), data: { shopId, slot: SLOT_END.toISOString() }, startAfter: SLOT_END },
  });

  test('the guard is 5 s, or a tenth of a short slot', () => {
    assert.equal(slotEndGuardMs(SLOT, SLOT_END), 5_000);
    assert.equal(slotEndGuardMs(new Date('2026-12-01T10:00:00Z'), new Date('2026-12-01T10:00:05Z')), 500);
  });

  test('a poll that would start in the last 5 s of its slot is left to the next slot, whose job is queued now', async () => {
    const shopId = await newShop();
    for (const at of ['2026-12-01T10:03:55.000Z', '2026-12-01T10:03:59.999Z']) {
      const { outcome, polled, queued } = await runAt(shopId, new Date(at));
      assert.deepEqual(outcome, { ran: false, status: 'slot nearly over' }, at);
      assert.equal(polled, 0, at);
      assert.deepEqual(queued, [handedOver(shopId)], at);
    }
  });

  test('earlier in the slot, and after it ended (a late job), the poll runs', async () => {
    const shopId = await newShop();
    for (const at of ['2026-12-01T10:02:00.000Z', '2026-12-01T10:03:54.999Z', '2026-12-01T10:04:00.000Z', '2026-12-01T10:05:30.000Z']) {
      const { outcome, polled, queued } = await runAt(shopId, new Date(at));
      assert.deepEqual(outcome, { ran: true, report: 'report' }, at);
      assert.equal(polled, 1, at);
      assert.deepEqual(queued, [], at);
    }
  });

  test('a busy shop whose retry would fall in the last 5 s hands over to the next slot instead', async () => {
    const shopId = await newShop();
    await db.dataSource.query(`INSERT INTO shop_leases (shop_id, holder, expires_at) VALUES ($1, $2, now() + interval '1 hour')`, [shopId, randomUUID()]);
    // A retry comes back 1.5–3 s later: from 10:03:53.5 on, it would land in the guard.
    const late = await runAt(shopId, new Date('2026-12-01T10:03:53.500Z'));
    assert.deepEqual(late.outcome, { ran: false, status: 'busy, slot over' });
    assert.equal(late.polled, 0);
    assert.deepEqual(late.queued, [handedOver(shopId)]);
    // Earlier, it comes back within its slot under an id of its own.
    const early = await runAt(shopId, new Date('2026-12-01T10:02:30.000Z'));
    assert.deepEqual(early.outcome, { ran: false, status: 'busy, retrying' });
    assert.equal(early.queued.length, 1);
    assert.equal(early.queued[0]!.job.id, slotJobId(QUEUE, `${shopId}\u0000busy 1`, SLOT));
    assert.ok(early.queued[0]!.job.startAfter! < new Date(SLOT_END.getTime() - 5_000));
  });
});
