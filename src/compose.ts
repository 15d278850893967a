import type { DataSource } from 'typeorm';
import type { Express } from 'express';
import type { AppConfig } from './config/config';
import type { Logger } from './logger';
import type { ShopPolicy } from './domain/types';
import { CredentialsCipher } from './persistence/credentials-cipher';
import { ShopRepository } from './persistence/shop-repository';
import { JobRunRepository } from './persistence/job-run-repository';
import { HealthService } from './services/health-service';
import { createApp } from './http/app';

export interface ComposeInput {
  config: AppConfig;
  logger: Logger;
  dataSource: DataSource;
  credentialsSecret: string;
  adminToken: string;
  /** The Qoo10 base URL in use: the configured one, or the in-process simulator's in demo mode. */
  qoo10BaseUrl: string;
  now?: () => Date;
}

export interface Services {
  app: Express;
  shops: ShopRepository;
  jobRuns: JobRunRepository;
  health: HealthService;
}

/** The default decision policy for every shop, from configuration; shops may override it. */
export function defaultShopPolicy(config: AppConfig): ShopPolicy {
  return {
    packedOrders: config.policy.packedOrders,
    refuseMadeToOrder: true,
    sameDayCutoffJst: config.policy.trackingCutoffJst,
    autoDecisions: [...config.policy.autoDecisions],
  };
}

/** The one place that constructs and wires everything. */
export function compose(input: ComposeInput): Services {
  const now = input.now ?? (() => new Date());
  const cipher = new CredentialsCipher(input.credentialsSecret);
  const shops = new ShopRepository(input.dataSource, cipher, { policy: defaultShopPolicy(input.config) });
  const jobRuns = new JobRunRepository(input.dataSource);
  const health = new HealthService(input.dataSource, jobRuns, input.config.pollStaleMinutes, now);
  const app = createApp({ adminToken: input.adminToken, logger: input.logger, health, shops, jobRuns });
  return { app, shops, jobRuns, health };
}
