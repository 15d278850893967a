import { POLL_CLAIMS_JOB } from '../../domain/job-names';
import { shopSlotBoundsAt, shopSlotEnd, slotJobId, type JobKind } from '../work-queue';
import { keyedJob, slotPollUnderLease, type SlotJobData } from './shop-lease';
import { DECIDE_QUEUE, POLL_CLAIMS_QUEUE, RATE_ALERTS_QUEUE, SEND_ACTION_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

/**
 * poll-claims: one job per shop per claims slot (POLL_CLAIMS_INTERVAL, default 2 minutes), each shop's
 * slots shifted by its own phase so the polls spread over the interval (ADR 0027), first in every worker's
 * priority order, never started before its slot begins. Under the shop's lease: the claims poll
 * and the shop's follow-ups. When another holder has the shop it comes back a few seconds later until its
 * slot is over; skipped when the shop's claims were already polled since the slot began (the job ran late). Then, with the lease released, it queues what it found open: a decide job per undecided
 * request and a send-action job per unfinished outbox row, keyed by request and row, so this is also the
 * safety net for any such job that was lost.
 */
export function pollClaimsJob(deps: TaskDeps): JobKind<SlotJobData> {
  return {
    queue: POLL_CLAIMS_QUEUE,
    policy: 'slot',
    retryLimit: 0,
    expireInSeconds: 3_600,
    due(at, shopIds, previous) {
      // Each shop's own slot (its phase into every claims slot); queued on the first tick at or after it begins
      // (startAfter: a tick just before it, within SLOT_TOLERANCE_MS, does not make it run early).
      const slotNow = shopSlotBoundsAt(deps.claimsSchedule, at);
      const slotBefore = previous ? shopSlotBoundsAt(deps.claimsSchedule, previous) : null;
      const jobs = [];
      for (const shopId of shopIds) {
        const { slot, end } = slotNow(shopId);
        if (slotBefore && slotBefore(shopId).slot.getTime() >= slot.getTime()) continue;
        jobs.push({ id: slotJobId(POLL_CLAIMS_QUEUE, shopId, slot), data: { shopId, slot: slot.toISOString(), end: end.toISOString() }, startAfter: slot });
      }
      return jobs;
    },
    async run(data, context) {
      const { shopId } = data;
      // Carried by the job (parsing the schedule per job was 13 % of a worker's CPU at 20,000 shops).
      const slotEnd = data.end ? new Date(data.end) : shopSlotEnd(deps.claimsSchedule, shopId, new Date(data.slot));
      const polled = await slotPollUnderLease(deps, context, { queue: POLL_CLAIMS_QUEUE, data, slotEnd }, POLL_CLAIMS_JOB, (shop, signal) => deps.pipeline.pollClaims(shop, signal));
      if (!polled.ran) return { status: polled.status };
      const report = polled.report;
      if (report.status === 'failed') deps.logger.warn({ shopId }, 'claims poll failed');
      await context.enqueue(DECIDE_QUEUE, report.requestIds.map((requestId) => keyedJob({ shopId, requestId }, requestId)));
      await context.enqueue(SEND_ACTION_QUEUE, report.actionIds.map((actionId) => keyedJob({ shopId, actionId }, actionId)));
      if (report.changed) await context.enqueue(RATE_ALERTS_QUEUE, [keyedJob({ shopId }, shopId)]);
      return { status: report.status, decide: report.requestIds.length, send: report.actionIds.length };
    },
  };
}
