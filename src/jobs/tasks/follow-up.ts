import { slotJobId, slotOf, type JobKind } from '../work-queue';
import { keyedJob } from './shop-lease';
import { FOLLOW_UP_QUEUE, RATE_ALERTS_QUEUE } from './job-names';

/** Outbox rows finished this recently have their shop's rate alerts checked again (overlapping slots). */
const RATE_RECHECK_MS = 10 * 60_000;
import type { TaskDeps } from './task-deps';

/**
 * follow-up: one job per claims slot for the whole database (not per process): health alerts, email of the
 * alerts that are due, and the buyer mailer. It also drafts buyer messages of any shop whose buyer-messages
 * job was lost (one query; drafts are stored once per key), raises call-first alerts, and queues rate
 * alerts for shops whose outbox rows finished lately by any path (a person's review, an import), which no
 * job queued after its change.
 */
export function followUpJob(deps: TaskDeps): JobKind<{ slot: string }> {
  return {
    queue: FOLLOW_UP_QUEUE,
    policy: 'slot',
    retryLimit: 0,
    expireInSeconds: 3_600,
    due(at, _shopIds, previous) {
      const slot = slotOf(deps.claimsSchedule, at);
      if (previous && slotOf(deps.claimsSchedule, previous).getTime() >= slot.getTime()) return [];
      return [{ id: slotJobId(FOLLOW_UP_QUEUE, 'all', slot), data: { slot: slot.toISOString() }, startAfter: slot }];
    },
    async run(_data, { signal, enqueue }) {
      const now = deps.now();
      const changed = await deps.actions.shopsWithActionsFinishedSince(new Date(now.getTime() - RATE_RECHECK_MS));
      await enqueue(RATE_ALERTS_QUEUE, changed.map((shopId) => keyedJob({ shopId }, shopId)));
      await deps.alerts.checkHealthAlerts(now);
      await deps.alertMailer.sendPending(now, signal);
      await deps.buyerMessages.draftPending(now);
      await deps.buyerMailer.sendPending(now, signal);
    },
  };
}
