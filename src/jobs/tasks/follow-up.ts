import { slotJobId, slotOf, type JobKind } from '../work-queue';
import { FOLLOW_UP_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

/**
 * follow-up: one job per claims slot for the whole database (not per process): health alerts, email of the
 * alerts that are due, and the buyer mailer. It also drafts buyer messages of any shop whose buyer-messages
 * job was lost (one query; drafts are stored once per key) and raises call-first alerts.
 */
export function followUpJob(deps: TaskDeps): JobKind<{ slot: string }> {
  return {
    queue: FOLLOW_UP_QUEUE,
    policy: 'slot',
    retryLimit: 0,
    expireInSeconds: 3_600,
    due(at) {
      const slot = slotOf(deps.claimsSchedule, at);
      return [{ id: slotJobId(FOLLOW_UP_QUEUE, 'all', slot), data: { slot: slot.toISOString() } }];
    },
    async run(_data, { signal }) {
      const now = deps.now();
      await deps.alerts.checkHealthAlerts(now);
      await deps.alertMailer.sendPending(now, signal);
      await deps.buyerMessages.draftPending(now);
      await deps.buyerMailer.sendPending(now, signal);
    },
  };
}
