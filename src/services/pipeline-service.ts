import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import { LEGACY_ORDERS_COUNT, POLL_CLAIMS_JOB, POLL_ORDERS_JOB } from '../domain/job-names';
import { safeErrorMessage } from '../safe-error';
import { isQoo10Error, Qoo10AuthError, Qoo10KeyExpiredError } from '../qoo10/errors';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import type { ShopRepository } from '../persistence/shop-repository';
import type { ShopLock } from '../persistence/shop-lock';
import type { JobRunRepository } from '../persistence/job-run-repository';
import type { CancelRequestRepository } from '../persistence/cancel-request-repository';
import type { Qoo10ClientProvider } from './qoo10-clients';
import type { PollCounts, PollService, PollWindow } from './poll-service';
import type { DecisionService } from './decision-service';
import type { ActionExecutor, SendResult } from './action-executor';
import type { AlertService } from './alert-service';
import type { TrackingService } from './tracking-service';
import type { RequestFollowUpService } from './request-follow-up-service';

export interface ShopCycleReport {
  shopId: string;
  status: 'ok' | 'failed' | 'skipped' | 'aborted';
  counts: Partial<PollCounts> & Record<string, number>;
  error?: string;
}

/** An orders poll; `changed` when it stored new orders (the shop's rate moved). */
export interface OrdersPollReport extends ShopCycleReport {
  changed: boolean;
}

/** A claims poll and what it left to do: requests to decide, outbox rows to send or settle. */
export interface ClaimsPollReport extends ShopCycleReport {
  /** New requests or completed cancels: the shop's rate (or its projection) moved. */
  changed: boolean;
  requestIds: string[];
  actionIds: string[];
}

/** A decision task: what happened to the request, and the outbox rows it queued. */
export interface DecideReport {
  status: 'closed' | 'review' | 'acting' | 'skipped';
  actionIds: string[];
}

type Counts = ShopCycleReport['counts'];

/**
 * The pipeline as a set of tasks, each on one shop whose lease (or lock) the caller holds:
 *
 *   pollOrders → pollClaims → decide (per request) → sendAction (per outbox row) → follow-ups
 *
 * The job queue runs each task as its own job kind (src/jobs/tasks, ADR 0020): a claims poll returns the
 * requests and rows it found open and the job queues them. runShop / runCycle (`poll --once`, tests) run
 * the same tasks inline, in that order, under one lock per shop. Every decision re-reads the order right
 * before acting; the request row locks guard each decision as well.
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
    /** Shops runCycle works on at once; each holds a lock connection and uses one more for its transactions. */
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

  /** Every task for one shop, inline; skipped when another holder is working on the shop right now. */
  async runShop(shop: Shop, signal?: AbortSignal): Promise<ShopCycleReport> {
    const result = await this.shopLock.withLock(shop.id, 0, () => this.runTasksInline(shop, signal));
    return result.locked ? result.value : { shopId: shop.id, status: 'skipped', counts: {} };
  }

  private async runTasksInline(shop: Shop, signal?: AbortSignal): Promise<ShopCycleReport> {
    const orders = await this.pollOrders(shop, signal);
    // A failed read fails the shop's cycle, as before the split: its window is read again next time.
    if (orders.status !== 'ok') return orders;
    const claims = await this.pollClaims(shop, signal, async (client, counts) => {
      const reconciled = await this.executor.reconcile(shop, client, this.now(), signal);
      counts.reconciled = reconciled.succeeded + reconciled.failed;
      counts.decided = 0;
      counts.actionsSucceeded = 0;
      counts.actionsFailed = 0;
      for (const id of await this.openRequestIds(shop.id)) {
        if (signal?.aborted) break;
        const decided = await this.decideWith(shop, client, id, signal);
        if (decided.status !== 'skipped') counts.decided += 1;
        for (const actionId of decided.actionIds) {
          const result = await this.executor.send(shop, client, actionId, this.now(), signal);
          if (result === 'succeeded') counts.actionsSucceeded += 1;
          if (result === 'failed') counts.actionsFailed += 1;
        }
      }
    });
    const { changed: _c, requestIds: _r, actionIds: _a, ...report } = claims;
    return { ...report, counts: { ...orders.counts, ...claims.counts, dataFaults: (orders.counts.dataFaults ?? 0) + (claims.counts.dataFaults ?? 0) } };
  }

  /**
   * Task: the shop's order lists since its last orders poll (the first one from the JST month start, or
   * from where the last poll before the split ended), then tracking numbers the lists confirm.
   */
  async pollOrders(shop: Shop, signal?: AbortSignal): Promise<OrdersPollReport> {
    const legacy = { job: POLL_CLAIMS_JOB, countKey: LEGACY_ORDERS_COUNT };
    const report = await this.recorded(POLL_ORDERS_JOB, shop, legacy, signal, async (client, window, counts) => {
      Object.assign(counts, await this.poll.pollOrders(shop, client, window, signal));
      // The orders were just read back: numbers Qoo10 now shows on shipped orders are confirmed.
      counts.trackingConfirmed = await this.tracking.confirmFromOrders(shop.id);
    });
    return { ...report, changed: (report.counts.newOrders ?? 0) > 0 };
  }

  /**
   * Task: the shop's cancel requests (pending ones with their orders fresh from Qoo10, completed cancels),
   * requests that left Qoo10's pending list, then the shop's follow-ups (refusals, QSM reminders, tracking
   * deadlines). `more` runs inside the same recorded run (the inline cycle decides and sends there).
   * Returns the requests still to decide and the outbox rows still to send or settle.
   */
  async pollClaims(shop: Shop, signal?: AbortSignal, more?: (client: Qoo10Client, counts: Counts) => Promise<void>): Promise<ClaimsPollReport> {
    // Queued (no `more`): a shop with no open request and no unfinished outbox row (most shops, most of the
    // time) skips the per-request follow-ups and look-ups, a third of the poll's statements.
    let open = { requests: true, actions: true };
    const report = await this.recorded(POLL_CLAIMS_JOB, shop, undefined, signal, async (client, window, counts) => {
      Object.assign(counts, await this.poll.pollClaims(shop, client, window, signal));
      if (!more) open = await this.requests.openWork(shop.id);
      // Requests waiting for a person that Qoo10 no longer lists as pending leave the queue with the reason.
      counts.leftQueue = open.requests ? await this.followUp.recheckQueue(shop, client, window.to, signal) : 0;
      if (more) await more(client, counts);
      await this.shopFollowUps(shop, client, counts, open.requests, signal);
    });
    const changed = (report.counts.newRequests ?? 0) > 0 || (report.counts.newCompletedCancels ?? 0) > 0;
    if (report.status !== 'ok') return { ...report, changed, requestIds: [], actionIds: [] };
    const actionIds = open.actions ? (await this.executor.unfinished(shop.id)).map((action) => action.id) : [];
    return { ...report, changed, requestIds: open.requests ? await this.openRequestIds(shop.id) : [], actionIds };
  }

  /** Task: one request decided (the order re-read right before any action); returns the outbox rows it queued. */
  async decide(shop: Shop, requestId: string, signal?: AbortSignal): Promise<DecideReport> {
    return this.keyGuarded(shop, async (client) => this.decideWith(shop, client, requestId, signal));
  }

  /** Task: one outbox row sent, or settled by reading when a dead run left it 'sending' (the caller holds the lease). */
  async sendAction(shop: Shop, actionId: string, signal?: AbortSignal): Promise<SendResult> {
    return this.keyGuarded(shop, async (client) => this.executor.finish(shop, client, actionId, this.now(), signal));
  }

  private async decideWith(shop: Shop, client: Qoo10Client, requestId: string, signal?: AbortSignal): Promise<DecideReport> {
    const outcome = await this.decisions.decideRequest(shop, client, requestId, this.now(), signal);
    return { status: outcome.status, actionIds: outcome.actions.map((action) => action.id) };
  }

  /** Undecided requests, and review items a fact the shop added may now decide. */
  private async openRequestIds(shopId: string): Promise<string[]> {
    return [...(await this.requests.findUndecidedRequestIds(shopId)), ...(await this.decisions.findRedecidableReviewIds(shopId))];
  }

  /**
   * A refusal is done only when Qoo10 shows the request ended; else it is a QSM task for a person. Tracking
   * deadlines. `openRequests` false: the shop has no open request, so only the handover check applies.
   */
  private async shopFollowUps(shop: Shop, client: Qoo10Client, counts: Counts, openRequests: boolean, signal?: AbortSignal): Promise<void> {
    if (openRequests) {
      Object.assign(counts, await this.followUp.verifyRefusals(shop, client, this.now(), signal));
      counts.qsmReminders = await this.followUp.remindQsmRefusals(shop, this.now());
    }
    counts.trackingAlerts = await this.tracking.checkSameDayCutoff(shop, this.now());
    if (!openRequests) return;
    for (const overdue of await this.requests.overdueTrackingRequests(shop.id, this.now())) {
      await this.alerts.trackingOverdue(shop, overdue.id, overdue.orderNo, overdue.deadline);
    }
  }

  /**
   * A poll recorded as a job run with its window: the window advances only on success, so a malformed or
   * failed Qoo10 answer is never "nothing new" (the next run re-reads the same window). A key Qoo10 refuses
   * is recorded on the shop and alerted. The window starts where the last successful run of `job` (or of
   * `orCounting`'s job, runs that counted its key) ended, read in the statement that records the start.
   */
  private async recorded(
    job: string,
    shop: Shop,
    orCounting: { job: string; countKey: string } | undefined,
    signal: AbortSignal | undefined,
    work: (client: Qoo10Client, window: PollWindow, counts: Counts) => Promise<void>,
  ): Promise<ShopCycleReport> {
    const startedAt = this.now();
    const { runId, lastWindowEnd } = await this.jobRuns.startPoll(job, shop.id, startedAt, orCounting);
    const window = this.poll.windowFor(lastWindowEnd, startedAt);
    const counts: Counts = {};
    try {
      await work(await this.clients(shop), window, counts);
      if (shop.keyStatus !== 'ok') await this.shops.recordKeyStatus(shop.id, 'ok');
      const status = signal?.aborted ? 'aborted' : 'ok';
      await this.finish(runId, startedAt, status, counts, null, window);
      return { shopId: shop.id, status, counts };
    } catch (error) {
      await this.keyProblem(shop, error);
      const message = isQoo10Error(error) ? `${error.code}: ${error.message}` : safeErrorMessage(error);
      this.logger.error({ shopId: shop.id, job, err: isQoo10Error(error) ? error.toJSON() : error }, 'poll failed for a shop');
      await this.finish(runId, startedAt, signal?.aborted ? 'aborted' : 'failed', counts, message, window);
      return { shopId: shop.id, status: 'failed', counts, error: message };
    }
  }

  /** Runs a task with the shop's client; a key Qoo10 refuses is recorded and alerted before the error goes on. */
  private async keyGuarded<T>(shop: Shop, work: (client: Qoo10Client) => Promise<T>): Promise<T> {
    try {
      return await work(await this.clients(shop));
    } catch (error) {
      await this.keyProblem(shop, error);
      throw error;
    }
  }

  private async keyProblem(shop: Shop, error: unknown): Promise<void> {
    if (!(error instanceof Qoo10KeyExpiredError || error instanceof Qoo10AuthError)) return;
    const status = error instanceof Qoo10KeyExpiredError ? 'expired' : 'rejected';
    await this.shops.recordKeyStatus(shop.id, status);
    await this.alerts.keyProblem(shop, status);
  }

  private async finish(
    runId: string,
    startedAt: Date,
    status: 'ok' | 'failed' | 'aborted',
    counts: Counts,
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
