import express, { type Express } from 'express';
import type { Logger } from '../logger';
import { NotFoundError } from '../errors';
import type { HealthService } from '../services/health-service';
import type { ShopRepository } from '../persistence/shop-repository';
import type { JobRunRepository } from '../persistence/job-run-repository';
import { requireAdminToken } from './auth';
import { errorMiddleware } from './error-middleware';
import { healthRoutes } from './routes/health-routes';
import { shopRoutes } from './routes/shop-routes';
import { reviewRoutes } from './routes/review-routes';
import { factsRoutes } from './routes/facts-routes';
import type { ReviewService } from '../services/review-service';
import type { FactsService } from '../services/facts-service';
import type { RateService } from '../services/rate-service';
import type { AlertRepository } from '../persistence/alert-repository';
import { rateRoutes } from './routes/rate-routes';
import { alertRoutes } from './routes/alert-routes';
import { messageRoutes } from './routes/message-routes';
import type { BuyerMessageService } from '../services/buyer-message-service';
import { trackingRoutes } from './routes/tracking-routes';
import { cancelRequestRoutes } from './routes/cancel-request-routes';
import { dashboardApiRoutes, dashboardPageRoutes } from './routes/dashboard-routes';
import { openapiRoutes } from './routes/openapi-routes';
import type { RequestListRepository } from '../persistence/request-list-repository';
import type { DashboardService } from '../services/dashboard-service';
import type { TrackingService } from '../services/tracking-service';
import type { VerifiedFacts } from '../services/verified-facts';
import { qoo10FactsRoutes } from './routes/qoo10-facts-routes';
import type { HeldTrackingService } from '../services/tracking-held-service';

export interface AppDeps {
  adminToken: string;
  logger: Logger;
  health: HealthService;
  shops: ShopRepository;
  jobRuns: JobRunRepository;
  review: ReviewService;
  facts: FactsService;
  rates: RateService;
  alertsRepository: AlertRepository;
  tracking: TrackingService;
  heldTracking: HeldTrackingService;
  requestList: RequestListRepository;
  dashboard: DashboardService;
  buyerMessages: BuyerMessageService;
  verifiedFacts: VerifiedFacts;
  now?: () => Date;
}

/** Builds the HTTP app without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(healthRoutes(deps.health));
  app.use(dashboardPageRoutes());

  const api = express.Router();
  api.use(requireAdminToken(deps.adminToken));
  api.use(express.json({ limit: '1mb' }));
  api.use(shopRoutes(deps.shops, deps.jobRuns));
  api.use(reviewRoutes(deps.review));
  api.use(factsRoutes(deps.facts, deps.now ?? (() => new Date())));
  api.use(rateRoutes(deps.rates));
  api.use(alertRoutes(deps.alertsRepository));
  api.use(messageRoutes(deps.buyerMessages, deps.now ?? (() => new Date())));
  api.use(trackingRoutes(deps.tracking, deps.heldTracking));
  api.use(cancelRequestRoutes(deps.requestList));
  api.use(dashboardApiRoutes(deps.dashboard));
  api.use(qoo10FactsRoutes(deps.shops, deps.verifiedFacts));
  api.use(openapiRoutes());
  api.use((req, _res, next) => next(new NotFoundError(`The route ${req.method} /api${req.path}`)));
  app.use('/api', api);

  app.use(errorMiddleware(deps.logger));
  return app;
}
