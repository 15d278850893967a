// What a tick queues (ADR 0027): each process ticks every few seconds and offers only the slots that began
// since its previous tick; its first tick offers every shop's current slot. Claims slots are each shop's own
// (its phase into the interval), orders slots too (their own offset), the follow-up the whole interval's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pollClaimsJob } from '../../src/jobs/tasks/poll-claims';
import { pollOrdersJob } from '../../src/jobs/tasks/poll-orders';
import { followUpJob } from '../../src/jobs/tasks/follow-up';
import type { TaskDeps } from '../../src/jobs/tasks/task-deps';
import type { QueuedJob } from '../../src/jobs/work-queue';

const deps = { claimsSchedule: '0 */2 * * * *', ordersIntervalMs: 600_000 } as unknown as TaskDeps;
const shops = Array.from({ length: 600 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const START = new Date('2026-12-01T10:00:00.300Z').getTime();

/** Ticks every 5 s for `minutes`, as one process would; returns every job offered, by tick. */
function tickFor(kind: { due?: (at: Date, shopIds: readonly string[], previous: Date | null) => QueuedJob[] }, minutes: number) {
  const offered: QueuedJob[][] = [];
  let previous: Date | null = null;
  for (let t = START; t < START + minutes * 60_000; t += 5_000) {
    offered.push(kind.due!(new Date(t), shops, previous));
    previous = new Date(t);
  }
  return offered;
}

describe('ticks offer the slots that began since the previous tick', () => {
  test('claims: the first tick offers every shop; then each shop once per 2 minutes, no job before its slot, none later than a tick after it', () => {
    const ticks = tickFor(pollClaimsJob(deps), 6);
    assert.equal(ticks[0]!.length, shops.length, 'the first tick: every shop\'s current slot');
    const later = ticks.slice(1).flat();
    const perShop = new Map<string, number>();
    for (const job of later) perShop.set((job.data as { shopId: string }).shopId, (perShop.get((job.data as { shopId: string }).shopId) ?? 0) + 1);
    // 6 minutes after the first tick: every shop's slot began 3 times (± the edges).
    for (const shop of shops) assert.ok([2, 3].includes(perShop.get(shop) ?? 0), `${shop}: ${perShop.get(shop)}`);
    const ids = later.map((job) => job.id);
    assert.equal(new Set(ids).size, ids.length, 'never the same slot twice');
    ticks.forEach((jobs, i) => {
      const at = START + i * 5_000;
      for (const job of jobs.slice(i === 0 ? shops.length : 0)) {
        const slot = job.startAfter!.getTime();
        assert.ok(slot <= at + 2_000 && slot > at - 5_000 - 2_000, 'queued on the tick its slot began');
      }
    });
    // Spread: no tick after the first offers more than a few percent of the shops.
    assert.ok(Math.max(...ticks.slice(1).map((jobs) => jobs.length)) < shops.length * 0.1);
  });

  test('orders: each shop once per 10 minutes after the first tick; follow-up once per 2 minutes', () => {
    const orders = tickFor(pollOrdersJob(deps), 20).slice(1).flat();
    const perShop = new Map<string, number>();
    for (const job of orders) perShop.set((job.data as { shopId: string }).shopId, (perShop.get((job.data as { shopId: string }).shopId) ?? 0) + 1);
    for (const shop of shops) assert.ok([1, 2].includes(perShop.get(shop) ?? 0), `${shop}: ${perShop.get(shop)}`);
    const followUps = tickFor(followUpJob(deps), 6);
    assert.equal(followUps[0]!.length, 1);
    assert.equal(followUps.slice(1).flat().length, 2, 'one per slot began: 10:02 and 10:04');
  });
});
