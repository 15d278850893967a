import type { Logger } from '../../logger';
import type { ShopRepository } from '../../persistence/shop-repository';
import type { ShopLock } from '../../persistence/shop-lock';
import type { JobRunRepository } from '../../persistence/job-run-repository';
import type { PipelineService } from '../../services/pipeline-service';
import type { RateService } from '../../services/rate-service';
import type { AlertService } from '../../services/alert-service';
import type { AlertMailer } from '../../services/alert-mailer';
import type { BuyerMessageService } from '../../services/buyer-message-service';
import type { BuyerMailer } from '../../services/buyer-mailer';

/** What the job kinds work with (built once by the composition root). */
export interface TaskDeps {
  shops: ShopRepository;
  shopLock: ShopLock;
  jobRuns: JobRunRepository;
  pipeline: PipelineService;
  rates: RateService;
  alerts: AlertService;
  alertMailer: AlertMailer;
  buyerMessages: BuyerMessageService;
  buyerMailer: BuyerMailer;
  /** The claims poll's cron schedule (POLL_CLAIMS_INTERVAL); its ticks are every slot kind's clock. */
  claimsSchedule: string;
  /** POLL_ORDERS_INTERVAL in ms. */
  ordersIntervalMs: number;
  logger: Logger;
  now(): Date;
}
