import type { JobKind } from '../work-queue';
import { keyedJob, underShopLease, type ShopJobData } from './shop-lease';
import { DECIDE_QUEUE, SEND_ACTION_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

interface DecideData extends ShopJobData {
  requestId: string;
}

/**
 * decide: one job per request, keyed by the request (at most one waits at a time). Queued by the claims
 * poll that found the request undecided (or a review item a new fact may decide). Under the shop's lease:
 * the decision, with the order re-read right before any action. Then, with the lease released, a
 * send-action job per outbox row the decision queued. A busy lease re-queues the job (shop-lease.ts).
 */
export function decideJob(deps: TaskDeps): JobKind<DecideData> {
  return {
    queue: DECIDE_QUEUE,
    policy: 'keyed',
    retryLimit: 0,
    expireInSeconds: 900,
    heavy: true,
    async run(data, context) {
      const { shopId, requestId } = data;
      const result = await underShopLease(deps, context, { queue: DECIDE_QUEUE, data, key: requestId }, (shop, signal) =>
        deps.pipeline.decide(shop, requestId, signal),
      );
      if (!result.ran) return { status: result.why };
      await context.enqueue(SEND_ACTION_QUEUE, result.value.actionIds.map((actionId) => keyedJob({ shopId, actionId }, actionId)));
      return { status: result.value.status, actions: result.value.actionIds.length };
    },
  };
}
