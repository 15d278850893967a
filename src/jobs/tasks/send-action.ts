import type { JobKind } from '../work-queue';
import { keyedJob, underShopLease, type ShopJobData } from './shop-lease';
import { BUYER_MESSAGES_QUEUE, RATE_ALERTS_QUEUE, SEND_ACTION_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

interface SendActionData extends ShopJobData {
  actionId: string;
}

/**
 * send-action: one job per outbox row, keyed by the row. Queued by the decision that wrote the row, and by
 * every claims poll while the row is unfinished. Under the shop's lease, so a row still marked 'sending' was
 * left by a run that died: it is settled by reading the order, never sent again blindly (ActionExecutor).
 * A row that went through settles its request: the shop's rate alerts and buyer messages are queued.
 * A busy lease re-queues the job (shop-lease.ts).
 */
export function sendActionJob(deps: TaskDeps): JobKind<SendActionData> {
  return {
    queue: SEND_ACTION_QUEUE,
    policy: 'keyed',
    retryLimit: 0,
    expireInSeconds: 900,
    heavy: true,
    async run(data, context) {
      const { shopId, actionId } = data;
      const result = await underShopLease(deps, context, { queue: SEND_ACTION_QUEUE, data, key: actionId }, (shop, signal) =>
        deps.pipeline.sendAction(shop, actionId, signal),
      );
      if (!result.ran) return { status: result.why };
      if (result.value === 'succeeded' || result.value === 'failed') {
        await context.enqueue(RATE_ALERTS_QUEUE, [keyedJob({ shopId }, shopId)]);
        await context.enqueue(BUYER_MESSAGES_QUEUE, [keyedJob({ shopId }, shopId)]);
      }
      return { status: result.value };
    },
  };
}
