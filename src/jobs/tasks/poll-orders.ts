import { createHash } from 'node:crypto';
import { POLL_ORDERS_JOB } from '../../domain/job-names';
import { SLOT_TOLERANCE_MS, slotJobId, type JobKind } from '../work-queue';
import { keyedJob, slotPollUnderLease, type SlotJobData } from './shop-lease';
import { POLL_ORDERS_QUEUE, RATE_ALERTS_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

/** Where in the orders interval a shop's orders poll falls: a stable hash of its id, so shops spread evenly. */
export function ordersOffsetMs(shopId: string, intervalMs: number): number {
  return createHash('sha1').update(shopId).digest().readUInt32BE(0) % intervalMs;
}

/** The start of the shop's orders slot that `at` falls in: every intervalMs from the shop's own offset. */
export function ordersSlotOf(shopId: string, intervalMs: number, at: Date): Date {
  const offset = ordersOffsetMs(shopId, intervalMs);
  return new Date(Math.floor((at.getTime() + SLOT_TOLERANCE_MS - offset) / intervalMs) * intervalMs + offset);
}

/**
 * poll-orders: one job per shop per orders slot (POLL_ORDERS_INTERVAL, default 10 minutes). Each shop's
 * slots start at its own offset in the interval, so a tick of the claims clock queues only the shops whose
 * orders slot began since (about a fifth of them at the defaults), not all at once, and none before its
 * slot begins. Under the shop's lease; when another holder has the shop it comes back a few seconds later
 * until its slot is over (then its next slot polls it, re-reading from where the last successful orders
 * poll ended); skipped when its orders were polled since the slot began. An order the claims
 * poll needs before then is read on demand (PollService.pollClaims reads unknown and stale orders).
 */
export function pollOrdersJob(deps: TaskDeps): JobKind<SlotJobData> {
  return {
    queue: POLL_ORDERS_QUEUE,
    policy: 'slot',
    retryLimit: 0,
    expireInSeconds: 3_600,
    due(at, shopIds, previous) {
      const jobs = [];
      for (const shopId of shopIds) {
        const slot = ordersSlotOf(shopId, deps.ordersIntervalMs, at);
        if (previous && ordersSlotOf(shopId, deps.ordersIntervalMs, previous).getTime() >= slot.getTime()) continue;
        jobs.push({ id: slotJobId(POLL_ORDERS_QUEUE, shopId, slot), data: { shopId, slot: slot.toISOString() }, startAfter: slot });
      }
      return jobs;
    },
    async run(data, context) {
      const { shopId } = data;
      const slotEnd = new Date(new Date(data.slot).getTime() + deps.ordersIntervalMs);
      const polled = await slotPollUnderLease(deps, context, { queue: POLL_ORDERS_QUEUE, data, slotEnd }, POLL_ORDERS_JOB, (shop, signal) => deps.pipeline.pollOrders(shop, signal));
      if (!polled.ran) return { status: polled.status };
      const report = polled.report;
      if (report.status === 'failed') deps.logger.warn({ shopId }, 'orders poll failed');
      if (report.changed) await context.enqueue(RATE_ALERTS_QUEUE, [keyedJob({ shopId }, shopId)]);
      return { status: report.status };
    },
  };
}
