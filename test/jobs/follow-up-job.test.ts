// The slot's follow-up job queues rate alerts for shops whose outbox rows finished by a path that queues
// no job of its own (a person's review, an import), and only for those: the job kinds are run as the
// queue runs them, with the queue's enqueue recorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { QueuedJob } from '../../src/jobs/work-queue';
import { FOLLOW_UP_QUEUE, RATE_ALERTS_QUEUE } from '../../src/jobs/tasks/job-names';

describe('the slot follow-up job', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('queues the rate alerts of shops with an outbox row finished in the last minutes, not of the others', async () => {
    const busy = await t.services.shops.ensureShopForKey({ name: '動いた店', sellerAuthKey: 'test-sak-follow-up-0001', isDemo: false });
    const quiet = await t.services.shops.ensureShopForKey({ name: '静かな店', sellerAuthKey: 'test-sak-follow-up-0002', isDemo: false });
    const row = (shopId: string, key: string, completedAgoMinutes: number) =>
      t.db.dataSource.query(
        `INSERT INTO actions (shop_id, kind, order_no, idempotency_key, state, request, completed_at)
         VALUES ($1, 'cancel', '1001', $2, 'succeeded', '{}'::jsonb, now() - $3 * interval '1 minute')`,
        [shopId, key, completedAgoMinutes],
      );
    await row(busy.id, 'cancel:by-person', 1);
    await row(quiet.id, 'cancel:long-ago', 60);

    const queued: Array<{ queue: string; jobs: readonly QueuedJob[] }> = [];
    const followUp = t.services.jobs.find((kind) => kind.queue === FOLLOW_UP_QUEUE)!;
    await followUp.run({ slot: new Date().toISOString() }, { signal: new AbortController().signal, enqueue: async (queue, jobs) => void queued.push({ queue, jobs }) });

    const rateJobs = queued.filter((q) => q.queue === RATE_ALERTS_QUEUE).flatMap((q) => q.jobs);
    assert.deepEqual(rateJobs.map((job) => job.singletonKey), [busy.id]);
  });
});
