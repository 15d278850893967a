import type { JobKind } from '../work-queue';
import { pollClaimsJob } from './poll-claims';
import { sendActionJob } from './send-action';
import { decideJob } from './decide';
import { pollOrdersJob } from './poll-orders';
import { rateAlertsJob } from './rate-alerts';
import { buyerMessagesJob } from './buyer-messages';
import { followUpJob } from './follow-up';
import type { TaskDeps } from './task-deps';

export type { TaskDeps } from './task-deps';

/**
 * Every job kind, in the order a free worker looks for work: claims polls first (they must all start
 * within the claims interval's first 30 s), then the sends and decisions they lead to (sends first: a
 * row is the nearer to done), then orders polls, then the per-shop and per-slot follow-ups.
 */
export function jobKinds(deps: TaskDeps): JobKind[] {
  return [
    pollClaimsJob(deps),
    sendActionJob(deps),
    decideJob(deps),
    pollOrdersJob(deps),
    rateAlertsJob(deps),
    buyerMessagesJob(deps),
    followUpJob(deps),
  ] as JobKind[];
}
