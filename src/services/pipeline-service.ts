import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import { POLL_JOB } from '../domain/job-names';
import { safeErrorMessage } from '../safe-error';
import { isQoo10Error, Qoo10AuthError, Qoo10KeyExpiredError } from '../qoo10/errors';
import type { ShopRepository } from '../persistence/shop-repository';
import type { ShopLock } from '../persistence/shop-lock';
import type { JobRunRepository } from '../persistence/job-run-repository';
import type { CancelRequestRepository } from '../persistence/cancel-request-repository';
import type { Qoo10ClientProvider } from './qoo10-clients';
import type { PollCounts, PollService } from './poll-service';
import type { DecisionService } from './decision-service';
import type { ActionExecutor } from './action-executor';
import type { AlertService } from './alert-service';
import type { TrackingService } from './tracking-service';
import type { RequestFollowUpService } from './request-follow-up-service';


export interface ShopCycleReport {
  shopId: string;
  status: 'ok' | 'failed' | 'skipped' | 'aborted';
  counts: Partial<PollCounts> & Record<string, number>;
  error?: string;
}

/**
 * One poll cycle per shop, reading like the business: fetch → finish what is open → decide
 * (re-reading each order right before acting) → act → record → alert. A shop is worked on by one
 * process at a time (ShopLock); the request row locks guard each decision as well.
 */
export class PipelineService {
  constructor(
    private readonly shopLock: ShopLock,
    private readonly shops: ShopRepository,
    private readonly jobRuns: JobRunRepository,
    private readonly requests: CancelRequestRepository,
    private readonly clients: Qoo10ClientProvider,
    private readonly poll: PollService,
    private readonly decisions: DecisionService,
    private readonly executor: ActionExecutor,
    private readonly tracking: TrackingService,
    private readonly alerts: AlertService,
    private readonly followUp: RequestFollowUpService,
    private readonly logger: Logger,
    private readonly now: () => Date,
    /** Shops worked on at once; each holds a lock connection and uses one more for its transactions. */
    private readonly concurrency: number,
  ) {}

  async runCycle(signal?: AbortSignal): Promise<ShopCycleReport[]> {
    const shops = await this.shops.listActiveShops();
    const reports: ShopCycleReport[] = [];
    let next = 0;
    const worker = async () => {
      while (next < shops.length && !signal?.aborted) {
        const shop = shops[next++]!;
        try {
          reports.push(await this.runShop(shop, signal));
        } catch (error) {
          // One shop's failure (a database hiccup before its run is recorded, say) never costs the
          // other shops their cycle.
          this.logger.error({ shopId: shop.id, err: error }, 'shop cycle failed before it could be recorded');
          reports.push({ shopId: shop.id, status: 'failed', counts: {}, error: safeErrorMessage(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, shops.length) }, worker));
    return reports;
  }

  /** One cycle for one shop; skipped when another process is working on the shop right now. */
  async runShop(shop: Shop, signal?: AbortSignal): Promise<ShopCycleReport> {
    const result = await this.shopLock.withLock(shop.id, 0, () => this.runLockedShop(shop, signal));
    return result.locked ? result.value : { shopId: shop.id, status: 'skipped', counts: {} };
  }

  /**
   * One cycle for one shop as a queued job: under the shop's lease (no connection held, so it works
   * behind PgBouncer in transaction mode); skipped when another holder has the shop. A lost lease
   * (this worker stalled past SHOP_LEASE_SECONDS) aborts the run like a shutdown does.
   */
  async runShopJob(shopId: string, slot: Date, signal?: AbortSignal): Promise<ShopCycleReport> {
    const skipped: ShopCycleReport = { shopId, status: 'skipped', counts: {} };
    const shop = await this.shops.findShop(shopId);
    if (!shop || !shop.active) return skipped;
    const result = await this.shopLock.withLease(shop.id, async (lost) => {
      // Once per slot: a job that runs late (its slot's successor already polled the shop, or it
      // was picked up after the next tick and another job got there first) has nothing left to do.
      if (await this.jobRuns.ranSince(POLL_JOB, shop.id, slot)) return skipped;
      return this.runLockedShop(shop, signal ? AbortSignal.any([signal, lost]) : lost);
    });
    return result.locked ? result.value : skipped;
  }

  private async runLockedShop(shop: Shop, signal?: AbortSignal): Promise<ShopCycleReport> {
    const startedAt = this.now();
    const runId = await this.jobRuns.startRun(POLL_JOB, shop.id, startedAt);
    const window = this.poll.windowFor(await this.jobRuns.lastWindowEnd(POLL_JOB, shop.id), startedAt);
    const counts: ShopCycleReport['counts'] = {};
    try {
      const client = await this.clients(shop);
      Object.assign(counts, await this.poll.pollShop(shop, client, window, signal));

      const reconciled = await this.executor.reconcile(shop, client, this.now(), signal);
      counts.reconciled = reconciled.succeeded + reconciled.failed;
      // The poll just read the orders back: numbers Qoo10 now shows on shipped orders are confirmed.
      counts.trackingConfirmed = await this.tracking.confirmFromOrders(shop.id);

      // Requests waiting for a person that Qoo10 no longer lists as pending leave the queue with the reason.
      counts.leftQueue = await this.followUp.recheckQueue(shop, client, window.to, signal);

      const ids = [...(await this.requests.findUndecidedRequestIds(shop.id)), ...(await this.decisions.findRedecidableReviewIds(shop.id))];
      counts.decided = 0;
      counts.actionsSucceeded = 0;
      counts.actionsFailed = 0;
      for (const id of ids) {
        if (signal?.aborted) break;
        const outcome = await this.decisions.decideRequest(shop, client, id, this.now(), signal);
        if (outcome.status !== 'skipped') counts.decided += 1;
        for (const action of outcome.actions) {
          const result = await this.executor.send(shop, client, action.id, this.now(), signal);
          if (result === 'succeeded') counts.actionsSucceeded += 1;
          if (result === 'failed') counts.actionsFailed += 1;
        }
      }

      // A refusal is done only when Qoo10 shows the request ended; else it is a QSM task for a person.
      Object.assign(counts, await this.followUp.verifyRefusals(shop, client, this.now(), signal));
      counts.qsmReminders = await this.followUp.remindQsmRefusals(shop, this.now());

      counts.trackingAlerts = await this.tracking.checkSameDayCutoff(shop, this.now());

      for (const overdue of await this.requests.overdueTrackingRequests(shop.id, this.now())) {
        await this.alerts.trackingOverdue(shop, overdue.id, overdue.orderNo, overdue.deadline);
      }
      if (shop.keyStatus !== 'ok') await this.shops.recordKeyStatus(shop.id, 'ok');

      const status = signal?.aborted ? 'aborted' : 'ok';
      await this.finish(runId, startedAt, status, counts, null, window);
      return { shopId: shop.id, status, counts };
    } catch (error) {
      if (error instanceof Qoo10KeyExpiredError || error instanceof Qoo10AuthError) {
        const status = error instanceof Qoo10KeyExpiredError ? 'expired' : 'rejected';
        await this.shops.recordKeyStatus(shop.id, status);
        await this.alerts.keyProblem(shop, status);
      }
      // A malformed or failed Qoo10 answer is never "no requests": the run fails and the next one
      // re-reads the same window (the window only advances on success).
      const message = isQoo10Error(error) ? `${error.code}: ${error.message}` : safeErrorMessage(error);
      this.logger.error({ shopId: shop.id, err: isQoo10Error(error) ? error.toJSON() : error }, 'poll cycle failed for a shop');
      await this.finish(runId, startedAt, signal?.aborted ? 'aborted' : 'failed', counts, message, window);
      return { shopId: shop.id, status: 'failed', counts, error: message };
    }
  }

  private async finish(
    runId: string,
    startedAt: Date,
    status: 'ok' | 'failed' | 'aborted',
    counts: ShopCycleReport['counts'],
    error: string | null,
    window: { from: Date; to: Date },
  ): Promise<void> {
    const finishedAt = this.now();
    await this.jobRuns.finishRun(runId, {
      status,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      counts: counts as Record<string, number>,
      error,
      windowFrom: window.from,
      windowTo: window.to,
    });
  }
}
