import type { Shop } from '../domain/types';
import type { JobRun } from '../persistence/job-run-repository';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentShop(shop: Shop) {
  return {
    id: shop.id,
    name: shop.name,
    isDemo: shop.isDemo,
    active: shop.active,
    keyStatus: shop.keyStatus,
    keyExpiresAt: iso(shop.keyExpiresAt),
    policy: shop.policy,
    carrierNames: shop.carrierNames,
  };
}

export function presentJobRun(run: JobRun) {
  return {
    id: run.id,
    job: run.job,
    shopId: run.shopId,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    status: run.status,
    windowFrom: iso(run.windowFrom),
    windowTo: iso(run.windowTo),
    counts: run.counts,
    error: run.error,
    durationMs: run.durationMs,
  };
}
