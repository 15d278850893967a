import type { DataSource } from 'typeorm';
import type { Express } from 'express';
import type { AppConfig } from './config/config';
import type { Logger } from './logger';
import type { ShopPolicy } from './domain/types';
import { CredentialsCipher } from './persistence/credentials-cipher';
import { ShopRepository } from './persistence/shop-repository';
import { JobRunRepository } from './persistence/job-run-repository';
import { OrderRepository } from './persistence/order-repository';
import { CancelRequestRepository } from './persistence/cancel-request-repository';
import { CancelRepository } from './persistence/cancel-repository';
import { FactsRepository } from './persistence/facts-repository';
import { ActionRepository } from './persistence/action-repository';
import { AlertRepository } from './persistence/alert-repository';
import { ShopLock } from './persistence/shop-lock';
import { HealthService } from './services/health-service';
import { AlertService } from './services/alert-service';
import { httpQoo10ClientProvider, type Qoo10ClientProvider } from './services/qoo10-clients';
import { PollService } from './services/poll-service';
import { DecisionService } from './services/decision-service';
import { ActionExecutor } from './services/action-executor';
import { PipelineService } from './services/pipeline-service';
import { ReviewService } from './services/review-service';
import { FactsService } from './services/facts-service';
import { RequestFollowUpService } from './services/request-follow-up-service';
import { DemoService } from './services/demo-service';
import { RateRepository } from './persistence/rate-repository';
import { RateService } from './services/rate-service';
import { AlertMailer } from './services/alert-mailer';
import { createMailer } from './notifications/smtp-mailer';
import type { Mailer } from './notifications/mailer';
import { SmtpMailer } from './notifications/smtp-mailer';
import { BuyerMessageRepository } from './persistence/buyer-message-repository';
import { CaseLogRepository } from './persistence/case-log-repository';
import { BuyerMessageService } from './services/buyer-message-service';
import { BuyerMailer } from './services/buyer-mailer';
import { TrackingRepository } from './persistence/tracking-repository';
import { BulkTrackingSender } from './services/bulk-tracking-sender';
import { TrackingService } from './services/tracking-service';
import { HeldShipmentRepository } from './persistence/held-shipment-repository';
import { jobKinds } from './jobs/tasks';
import type { JobKind } from './jobs/work-queue';
import { HeldTrackingService } from './services/tracking-held-service';
import { RequestListRepository } from './persistence/request-list-repository';
import { DashboardService } from './services/dashboard-service';
import { createApp } from './http/app';
import { Qoo10FactRepository } from './persistence/qoo10-fact-repository';
import { VerifiedFacts } from './services/verified-facts';
import { VerifyLiveService } from './services/verify-live-service';

export interface ComposeInput {
  config: AppConfig;
  logger: Logger;
  dataSource: DataSource;
  credentialsSecret: string;
  adminToken: string;
  /**
   * The Qoo10 base URL in use: the configured one, or the in-process simulator's in demo mode (which
   * is only known after the database says whether a live shop exists, hence a function).
   */
  qoo10BaseUrl: () => string;
  /** Tests pass their own provider (e.g. clients with no pacing); default: HttpQoo10Client per shop. */
  qoo10Clients?: Qoo10ClientProvider;
  now?: () => Date;
}

export interface Services {
  app: Express;
  shops: ShopRepository;
  jobRuns: JobRunRepository;
  orders: OrderRepository;
  requests: CancelRequestRepository;
  actions: ActionRepository;
  alertsRepository: AlertRepository;
  health: HealthService;
  alerts: AlertService;
  pipeline: PipelineService;
  review: ReviewService;
  facts: FactsService;
  demo: DemoService;
  rates: RateService;
  buyerMessages: BuyerMessageService;
  buyerMailer: BuyerMailer;
  alertMailer: AlertMailer;
  mailer: Mailer | null;
  qoo10Clients: Qoo10ClientProvider;
  tracking: TrackingService;
  heldTracking: HeldTrackingService;
  dashboard: DashboardService;
  /** What verify-live settled about Qoo10 per shop; the refusal flow asks it. */
  verifiedFacts: VerifiedFacts;
  verifyLive: VerifyLiveService;
  /** The pipeline's job kinds for the job queue, in the order workers take them (src/jobs/tasks, ADR 0020). */
  jobs: JobKind[];
}

/**
 * Shops `poll --once` works on at once: each holds a session-lock connection for its whole cycle and uses
 * one more for its transactions, so the pool bounds it (the job queue's workers hold none across a job).
 */
export function cycleConcurrency(config: AppConfig): number {
  return Math.max(1, Math.min(config.workerConcurrency, Math.floor(config.databasePoolSize / 2) - 1));
}

/** The default decision policy for every shop, from configuration; shops may override it. */
export function defaultShopPolicy(config: AppConfig): ShopPolicy {
  return {
    packedOrders: config.policy.packedOrders,
    refuseMadeToOrder: true,
    sameDayCutoffJst: config.policy.trackingCutoffJst,
    stockMeaning: config.policy.stockMeaning,
    autoDecisions: [...config.policy.autoDecisions],
  };
}

/** The one place that constructs and wires everything. */
export function compose(input: ComposeInput): Services {
  const { config, dataSource, logger } = input;
  const now = input.now ?? (() => new Date());
  const cipher = new CredentialsCipher(input.credentialsSecret);

  const shops = new ShopRepository(dataSource, cipher, { policy: defaultShopPolicy(config) });
  const jobRuns = new JobRunRepository(dataSource);
  const orders = new OrderRepository(dataSource);
  const requests = new CancelRequestRepository(dataSource);
  const cancels = new CancelRepository(dataSource, config.rate.exclusionHours);
  const factsRepository = new FactsRepository(dataSource);
  const actions = new ActionRepository(dataSource);
  const alertsRepository = new AlertRepository(dataSource);

  const qoo10Clients =
    input.qoo10Clients ??
    httpQoo10ClientProvider({
      shops,
      baseUrl: input.qoo10BaseUrl,
      timeoutMs: config.qoo10.timeoutMs,
      minIntervalMs: config.qoo10.minIntervalMs,
      searchDateFormat: config.qoo10.searchDateFormat,
      logger,
    });
  const health = new HealthService(dataSource, jobRuns, config.pollStaleMinutes, now);
  // Email counts as configured only with both a server and recipients; otherwise alerts are recorded
  // as 'not_configured' and shown in the API and dashboard.
  const mailer = createMailer(config.email);
  const alerts = new AlertService(alertsRepository, mailer !== null, logger.child({ module: 'alerts' }), {
    pollStaleMinutes: config.pollStaleMinutes,
    keyExpiryWarningDays: 30,
  });
  const rates = new RateService(new RateRepository(dataSource), shops, alerts, config.rate, now);
  const alertMailer = new AlertMailer(alertsRepository, mailer, config.email.to, logger);
  const poll = new PollService(dataSource, orders, requests, cancels, alerts, logger.child({ module: 'poll' }));
  const decisions = new DecisionService(dataSource, orders, requests, factsRepository, actions, config.rate.exclusionHours, logger.child({ module: 'decisions' }));
  const shopLock = new ShopLock(dataSource, config.shopLeaseMs);
  const executor = new ActionExecutor(dataSource, actions, requests, orders, cancels, shops, alerts, logger.child({ module: 'actions' }), factsRepository);
  const trackingRepository = new TrackingRepository(dataSource);
  const heldShipments = new HeldShipmentRepository(dataSource);
  const tracking = new TrackingService(
    dataSource, shops, shopLock, trackingRepository, heldShipments, actions,
    new BulkTrackingSender(actions, trackingRepository, executor, logger.child({ module: 'tracking-sender' })),
    alerts, qoo10Clients, logger.child({ module: 'tracking' }), now,
  );
  const qoo10Facts = new Qoo10FactRepository(dataSource);
  const verifiedFacts = new VerifiedFacts(qoo10Facts);
  const followUp = new RequestFollowUpService(dataSource, requests, alerts, logger.child({ module: 'follow-up' }), verifiedFacts);
  const heldTracking = new HeldTrackingService(dataSource, shops, heldShipments, trackingRepository, tracking, logger.child({ module: 'tracking-held' }));
  const pipeline = new PipelineService(
    shopLock, shops, jobRuns, requests, qoo10Clients, poll, decisions, executor, tracking, alerts, followUp,
    logger.child({ module: 'pipeline' }), now, cycleConcurrency(config),
  );
  const review = new ReviewService(shops, shopLock, requests, actions, orders, qoo10Clients, decisions, executor, now);
  const facts = new FactsService(shops, factsRepository);
  // Buyer emails need only an SMTP server (the buyer is the recipient), alerts also need ALERT_EMAIL_TO.
  const smtpUrl = config.email.smtpUrl;
  const buyerMessageRepository = new BuyerMessageRepository(dataSource);
  const buyerMessages = new BuyerMessageService(buyerMessageRepository, new CaseLogRepository(dataSource), requests, orders, shops,
    logger, { emailConfigured: smtpUrl !== null, callFirstEscalateMs: config.buyerEmail.callFirstEscalateHours * 3_600_000 }, alerts);
  const buyerMailer = new BuyerMailer(buyerMessageRepository, smtpUrl ? (from) => new SmtpMailer(smtpUrl, from) : null, config.buyerEmail.from,
    logger, { defaultReplyTo: config.buyerEmail.replyTo });
  const demo = new DemoService(dataSource, shops, factsRepository, logger.child({ module: 'demo' }));

  const requestList = new RequestListRepository(dataSource);
  const dashboard = new DashboardService({
    shops, rates, requests, requestList, alerts: alertsRepository, jobRuns, pollStaleMinutes: config.pollStaleMinutes, now, verifiedFacts,
  });
  const verifyLive = new VerifyLiveService({
    shops, facts: qoo10Facts, shopLock, qoo10Clients, baseUrl: input.qoo10BaseUrl, timeoutMs: config.qoo10.timeoutMs,
    minIntervalMs: config.qoo10.minIntervalMs, logger, now,
  });
  const app = createApp({ adminToken: input.adminToken, logger, health, shops, jobRuns, review, facts, rates, alertsRepository, tracking, heldTracking, buyerMessages, requestList, dashboard, verifiedFacts, now });
  const jobs = jobKinds({
    shops, shopLock, jobRuns, pipeline, rates, alerts, alertMailer, buyerMessages, buyerMailer,
    claimsSchedule: config.claimsSchedule, ordersIntervalMs: config.ordersIntervalMs, logger: logger.child({ module: 'jobs' }), now,
  });
  return {
    app, shops, jobRuns, orders, requests, actions, alertsRepository, health, alerts, pipeline, review, facts, demo, rates,
    alertMailer, mailer, buyerMessages, buyerMailer, qoo10Clients, tracking, heldTracking, dashboard, verifiedFacts, verifyLive, jobs,
  };
}
