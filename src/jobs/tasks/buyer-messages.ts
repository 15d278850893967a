import type { JobKind } from '../work-queue';
import type { ShopJobData } from './shop-lease';
import { BUYER_MESSAGES_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

/**
 * buyer-messages: one job per shop after a request of it settled, keyed by the shop: drafts the buyer
 * messages of the shop's settled requests (sending them is the slot's follow-up, buyer mailer). Drafts are
 * stored once per draft key, so a second run writes nothing twice. pg-boss runs it again if its worker died.
 */
export function buyerMessagesJob(deps: TaskDeps): JobKind<ShopJobData> {
  return {
    queue: BUYER_MESSAGES_QUEUE,
    policy: 'keyed',
    retryLimit: 2,
    expireInSeconds: 300,
    async run({ shopId }) {
      const report = await deps.buyerMessages.draftPending(deps.now(), shopId);
      return { drafted: report.drafted };
    },
  };
}
