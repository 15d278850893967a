// ADR 0025: pg-boss 10's fetch orders by priority DESC, created_on, id, which its own index does not serve:
// with thousands of jobs waiting every fetch read and sorted all of them. The queue makes an index that
// serves that order on start; here the fetch's plan, with 3,000 ready jobs, reads the index in order and
// stops at its limit (no sequential scan, no sort), and a second start (another process) finds it made.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/logger';
import { FETCH_ORDER_INDEX, WorkQueue, type JobKind } from '../../src/jobs/work-queue';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const kind: JobKind = { queue: 'fetch-index-test', policy: 'slot', retryLimit: 0, expireInSeconds: 60, run: async () => undefined };

describe('the queue\'s index for pg-boss\'s fetch', () => {
  let db: TestDatabase;
  const queues: WorkQueue[] = [];
  const queue = () => {
    const q = new WorkQueue({ connectionString: db.url, kinds: [kind], concurrency: 4, heavySlots: 1, pollIntervalMs: 1_000, logger: silentLogger(), activeShopIds: async () => [] });
    queues.push(q);
    return q;
  };

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const q of queues) await q.stop(1_000);
    await db.drop();
  });

  test('made at start, once for any number of processes; the fetch reads it in order and stops at its limit', async () => {
    await Promise.all([queue().start(false), queue().start(false)]);
    const made = await db.dataSource.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'pgboss' AND indexname = $1`, [FETCH_ORDER_INDEX]);
    assert.equal(made.length, 1);

    const past = new Date(Date.now() - 60_000);
    await queues[0]!.enqueue(kind.queue, Array.from({ length: 3_000 }, (_, i) => ({ data: { shopId: `s${i}` }, startAfter: past })));
    await db.dataSource.query('ANALYZE pgboss.job');
    // pg-boss's fetch statement (plans.js fetchNextJob), its selecting part.
    const plan: Array<{ 'QUERY PLAN': string }> = await db.dataSource.query(
      `EXPLAIN SELECT id, singleton_key, policy FROM pgboss.job
       WHERE name = $1 AND state < 'active' AND start_after < now()
       ORDER BY priority desc, created_on, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [kind.queue, 12],
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    assert.match(text, /Index Scan using \S*name_priority_created_on_id\S*/, text);
    assert.doesNotMatch(text, /Seq Scan|Sort/, text);
  });
});
