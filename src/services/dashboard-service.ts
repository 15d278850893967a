import type { Shop } from '../domain/types';
import { jstDayRangeOf } from '../domain/jst-calendar';
import { NotFoundError } from '../errors';
import type { AlertRecord, AlertRepository } from '../persistence/alert-repository';
import type { CancelRequestRepository, ReviewItem } from '../persistence/cancel-request-repository';
import type { JobRun, JobRunRepository } from '../persistence/job-run-repository';
import type { RefusalRow, RequestListRepository } from '../persistence/request-list-repository';
import type { ShopRepository } from '../persistence/shop-repository';
import { ASSUMED_KEY_LIFETIME_DAYS } from './alert-service';
import { POLL_JOB } from '../domain/job-names';
import type { ShopFact, VerifiedFacts } from './verified-facts';
import type { RateDay, RateReport, RateService } from './rate-service';

const DAY_MS = 86_400_000;
/** Alerts the page shows; the full list is GET /api/alerts. */
const RECENT_ALERTS = 10;
/** Poll runs read to find this shop's latest (runs of every shop share the table). */
const RECENT_RUNS = 50;

/**
 * in: Qoo10 took the number (or shows the order in delivery); sending: queued or in flight;
 * failed: Qoo10 refused it; missing: no number known yet, a person must enter it.
 */
export type TrackingState = 'in' | 'sending' | 'failed' | 'missing';

export interface RefusalToday extends RefusalRow {
  trackingState: TrackingState;
  /** The same-day deadline has passed and the number is not in Qoo10. */
  overdue: boolean;
}

export interface ConnectionHealth {
  lastPollAt: Date | null;
  lastPollAgeSeconds: number | null;
  /** No successful poll for POLL_STALE_MINUTES (or never). */
  pollStale: boolean;
  /** This shop's latest poll run, successful or not (its error says why a poll failed). */
  lastRun: JobRun | null;
  keyStatus: Shop['keyStatus'];
  keyExpiresAt: Date | null;
  /** Qoo10 does not report the expiry: it is estimated as a year after the key was stored. */
  keyExpiryEstimated: boolean;
  keyDaysLeft: number | null;
  demo: boolean;
}

/** Everything the dashboard's first screen shows, in one answer. */
export interface DashboardSummary {
  asOf: Date;
  /** The shop shown; null when no active shop exists yet. */
  shop: Shop | null;
  /** Active shops, for the shop switcher. */
  shops: Shop[];
  rate: RateReport | null;
  days: RateDay[];
  reviewQueue: ReviewItem[];
  refusalsToday: RefusalToday[];
  alerts: AlertRecord[];
  connection: ConnectionHealth | null;
  /** What verify-live settled about Qoo10 on this shop's account (every fact; 'unknown' where nothing was). */
  qoo10Facts: ShopFact[];
}

export interface DashboardDeps {
  shops: ShopRepository;
  rates: RateService;
  requests: CancelRequestRepository;
  requestList: RequestListRepository;
  alerts: AlertRepository;
  jobRuns: JobRunRepository;
  pollStaleMinutes: number;
  now: () => Date;
  /** Absent in tests that do not look at it: the page then lists no facts. */
  verifiedFacts?: Pick<VerifiedFacts, 'forShop'>;
}

export function trackingStateOf(refusal: RefusalRow): TrackingState {
  // 4 配送中 / 5 配送完了: Qoo10 already shows the parcel moving, whoever entered the number.
  if (refusal.shippingStatus !== null && refusal.shippingStatus >= 4) return 'in';
  if (refusal.actions.length === 0) return 'missing';
  if (refusal.actions.some((action) => action.state === 'failed')) return 'failed';
  return refusal.actions.every((action) => action.state === 'succeeded') ? 'in' : 'sending';
}

/**
 * The dashboard's summary: the month's rate and its daily series, the review queue, today's
 * refusals and their tracking, recent alerts and the Qoo10 connection, read in parallel so the page
 * needs one request. Nothing here calls Qoo10.
 */
export class DashboardService {
  constructor(private readonly deps: DashboardDeps) {}

  async summary(shopId?: string): Promise<DashboardSummary> {
    const now = this.deps.now();
    const shops = await this.deps.shops.listActiveShops();
    const shop = shopId === undefined ? (shops[0] ?? null) : await this.deps.shops.findShop(shopId);
    if (shopId !== undefined && !shop) throw new NotFoundError(`The shop ${shopId}`);
    if (!shop) {
      return { asOf: now, shop: null, shops, rate: null, days: [], reviewQueue: [], refusalsToday: [], alerts: [], connection: null, qoo10Facts: [] };
    }
    const today = jstDayRangeOf(now);
    const [rate, series, reviewQueue, refusals, alerts, connection, qoo10Facts] = await Promise.all([
      this.deps.rates.monthlyRate(shop.id),
      this.deps.rates.dailySeries(shop.id),
      this.deps.requests.reviewQueue(shop.id),
      this.deps.requestList.refusalsOfDay(shop.id, today.start, today.end),
      this.deps.alerts.recentAlerts(RECENT_ALERTS, shop.id),
      this.connection(shop, now),
      this.deps.verifiedFacts ? this.deps.verifiedFacts.forShop(shop.id) : Promise.resolve([] as ShopFact[]),
    ]);
    const refusalsToday = refusals.map((refusal) => {
      const trackingState = trackingStateOf(refusal);
      const overdue = trackingState !== 'in' && refusal.trackingDeadline !== null && refusal.trackingDeadline.getTime() < now.getTime();
      return { ...refusal, trackingState, overdue };
    });
    return { asOf: now, shop, shops, rate, days: series.days, reviewQueue, refusalsToday, alerts, connection, qoo10Facts };
  }

  private async connection(shop: Shop, now: Date): Promise<ConnectionHealth> {
    const [lastPollAt, runs, keyDates] = await Promise.all([
      this.deps.jobRuns.lastSuccess(POLL_JOB, shop.id),
      this.deps.jobRuns.recentRuns(RECENT_RUNS, POLL_JOB),
      this.deps.alerts.findShopKeyDates(),
    ]);
    const ageSeconds = lastPollAt ? Math.max(0, Math.round((now.getTime() - lastPollAt.getTime()) / 1000)) : null;
    const obtainedAt = keyDates.find((key) => key.shopId === shop.id)?.keyObtainedAt ?? null;
    const keyExpiresAt = shop.keyExpiresAt ?? (obtainedAt ? new Date(obtainedAt.getTime() + ASSUMED_KEY_LIFETIME_DAYS * DAY_MS) : null);
    return {
      lastPollAt,
      lastPollAgeSeconds: ageSeconds,
      pollStale: ageSeconds === null || ageSeconds > this.deps.pollStaleMinutes * 60,
      lastRun: runs.find((run) => run.shopId === shop.id) ?? null,
      keyStatus: shop.keyStatus,
      keyExpiresAt,
      keyExpiryEstimated: shop.keyExpiresAt === null && keyExpiresAt !== null,
      keyDaysLeft: keyExpiresAt ? Math.ceil((keyExpiresAt.getTime() - now.getTime()) / DAY_MS) : null,
      demo: shop.isDemo,
    };
  }
}
