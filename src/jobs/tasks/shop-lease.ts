import type { Shop } from '../../domain/types';
import { slotJobId, type JobContext, type QueuedJob } from '../work-queue';
import type { TaskDeps } from './task-deps';

/** A job that found its shop's lease busy runs again after this (plus up to as much again, so retries spread). */
export const LEASE_BUSY_RETRY_MS = 2_000;
/**
 * Re-queued this many times in a row, a job is dropped with a warning: whatever holds the shop that long,
 * the shop's next claims poll queues the request or outbox row again (it finds every undecided request
 * and every unfinished outbox row).
 */
export const LEASE_BUSY_MAX_RETRIES = 150;

/** The data every per-request and per-row job carries. */
export interface ShopJobData {
  shopId: string;
  /** How many times in a row this job found the shop's lease busy. */
  busy?: number;
}

/** The job of a keyed kind for one request, outbox row or shop. */
export function keyedJob<T extends ShopJobData>(data: T, key: string, startAfter?: Date): QueuedJob {
  return { data, singletonKey: key, ...(startAfter ? { startAfter } : {}) };
}

/**
 * Runs a per-request or per-row job under the shop's lease (one holder per shop: the executor's rule that a
 * row still marked 'sending' was left by a dead run rests on it). When another holder has the shop, the job
 * is not lost: it is queued again under the same key with a delay (a no-op when one is already waiting).
 * Returns null when the shop is gone or inactive, or the lease was busy.
 */
export async function underShopLease<T extends ShopJobData, R>(
  deps: TaskDeps,
  context: JobContext,
  job: { queue: string; data: T; key: string },
  work: (shop: Shop, signal: AbortSignal) => Promise<R>,
): Promise<{ ran: true; value: R } | { ran: false; why: 'inactive' | 'busy' | 'dropped' }> {
  const shop = await deps.shops.findShop(job.data.shopId);
  if (!shop || !shop.active) return { ran: false, why: 'inactive' };
  const result = await deps.shopLock.withLease(shop.id, (lost) => work(shop, AbortSignal.any([context.signal, lost])));
  if (result.locked) return { ran: true, value: result.value };
  const busy = (job.data.busy ?? 0) + 1;
  if (busy > LEASE_BUSY_MAX_RETRIES) {
    deps.logger.warn({ shopId: shop.id, queue: job.queue, key: job.key }, 'shop busy for long; left to the next claims poll');
    return { ran: false, why: 'dropped' };
  }
  const startAfter = new Date(Date.now() + LEASE_BUSY_RETRY_MS + Math.floor(Math.random() * LEASE_BUSY_RETRY_MS));
  await context.enqueue(job.queue, [keyedJob({ ...job.data, busy }, job.key, startAfter)]);
  return { ran: false, why: 'busy' };
}

/** The data of a slot job: the shop and the slot (ISO) it was queued for. */
export interface SlotJobData {
  shopId: string;
  slot: string;
  /** When the slot ends (ISO): claims jobs carry it (older jobs without it compute it). */
  end?: string;
  /** How many times this slot's poll found the shop's lease busy and came back. */
  busy?: number;
}

/** A slot poll that found its shop's lease busy runs again after this (plus up to as much again). */
export const SLOT_BUSY_RETRY_MS = 1_500;

/**
 * A slot's poll does not start in the last moments of its slot (5 s, or a tenth of a short slot): its Qoo10
 * calls would land in the next slot, whose own job then polls the shop again within seconds (two polls
 * in one interval). The next slot's job polls it instead, right at that slot's start.
 */
export function slotEndGuardMs(slot: Date, slotEnd: Date): number {
  return Math.min(5_000, Math.floor((slotEnd.getTime() - slot.getTime()) / 10));
}

/** A slot job: its queue, its data and when its slot ends (the next slot's job takes over then). */
export interface SlotJob {
  queue: string;
  data: SlotJobData;
  slotEnd: Date;
}

/**
 * Runs a slot poll under the shop's lease. Skipped when the shop is inactive, when its `job` runs show it
 * was already polled since the slot began (this job ran late), or when its slot is about to end (the next
 * slot's job polls it: slotEndGuardMs). When another holder has the shop (its own
 * decisions and sends, or a dead worker's lease not yet expired), the poll comes back a few seconds later
 * under an id of its own for each attempt, until its slot is over: then the next slot's job takes over
 * (queued here, under the id the next tick gives it).
 */
export async function slotPollUnderLease<R>(
  deps: TaskDeps,
  context: JobContext,
  slotJob: SlotJob,
  job: string,
  poll: (shop: Shop, signal: AbortSignal) => Promise<R>,
): Promise<{ ran: true; report: R } | { ran: false; status: 'inactive' | 'busy, retrying' | 'busy, slot over' | 'already polled' | 'slot nearly over' }> {
  const { data, queue } = slotJob;
  const shop = await deps.shops.findShop(data.shopId);
  if (!shop || !shop.active) return { ran: false, status: 'inactive' };
  const slot = new Date(data.slot);
  const guardFrom = slotJob.slotEnd.getTime() - slotEndGuardMs(slot, slotJob.slotEnd);
  const result = await deps.shopLock.withLease(shop.id, async (lost) => {
    if (await deps.jobRuns.ranSince(job, shop.id, slot)) return 'already polled' as const;
    // Judged after the lease and the look-up, right before the poll's first statement.
    const now = deps.now().getTime();
    if (now >= guardFrom && now < slotJob.slotEnd.getTime()) return 'slot nearly over' as const;
    return { report: await poll(shop, AbortSignal.any([context.signal, lost])) };
  });
  if (result.locked && typeof result.value !== 'string') return { ran: true, report: result.value.report };
  if (result.locked && result.value === 'already polled') return { ran: false, status: 'already polled' };
  if (result.locked) {
    await handOver(context, slotJob);
    return { ran: false, status: 'slot nearly over' };
  }
  const busy = (data.busy ?? 0) + 1;
  const startAfter = new Date(deps.now().getTime() + SLOT_BUSY_RETRY_MS + Math.floor(Math.random() * SLOT_BUSY_RETRY_MS));
  if (startAfter.getTime() >= guardFrom) {
    deps.logger.info({ shopId: shop.id, queue, busy }, 'shop busy until its slot ended; the next slot polls it');
    await handOver(context, slotJob);
    return { ran: false, status: 'busy, slot over' };
  }
  deps.logger.debug({ shopId: shop.id, queue, busy }, 'shop busy; slot poll comes back shortly');
  await context.enqueue(queue, [{ id: slotJobId(queue, `${shop.id}\u0000busy ${busy}`, slot), data: { ...data, busy }, startAfter }]);
  return { ran: false, status: 'busy, retrying' };
}

/**
 * Queues the next slot's job for the shop now, exactly as the tick at that slot would (same id, so the
 * tick's insert, before or after, is a no-op): a tick that ran a moment early and saw this job still
 * waiting would otherwise leave the shop without a job for the next slot.
 */
async function handOver(context: JobContext, { queue, data, slotEnd }: SlotJob): Promise<void> {
  // The next slot's own end is left for that job to compute (jobs without `end` do).
  await context.enqueue(queue, [{ id: slotJobId(queue, data.shopId, slotEnd), data: { shopId: data.shopId, slot: slotEnd.toISOString() }, startAfter: slotEnd }]);
}
