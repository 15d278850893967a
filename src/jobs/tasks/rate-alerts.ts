import type { JobKind } from '../work-queue';
import type { ShopJobData } from './shop-lease';
import { RATE_ALERTS_QUEUE } from './job-names';
import type { TaskDeps } from './task-deps';

/**
 * rate-alerts: one job per shop after a change in it (new orders, a new request, a completed cancel, a sent
 * action), keyed by the shop, so changes close together make one check. Needs no lease: it reads the rate
 * and raises alerts once per dedupe key. pg-boss runs it again if its worker died.
 */
export function rateAlertsJob(deps: TaskDeps): JobKind<ShopJobData> {
  return {
    queue: RATE_ALERTS_QUEUE,
    policy: 'keyed',
    retryLimit: 2,
    expireInSeconds: 300,
    async run({ shopId }) {
      const shop = await deps.shops.findShop(shopId);
      if (!shop || !shop.active) return { status: 'inactive' };
      const raised = await deps.rates.checkRateAlerts(shop, deps.now());
      return { raised: raised.length };
    },
  };
}
