// The tracking path wired the way compose.ts wires it, on a fresh real database, with the Qoo10 client a
// test chooses (the hand-written fake or an HttpQoo10Client on the simulator), plus an admin app that
// mounts only the tracking routes the way app.ts does (token → JSON body → routes → error middleware).
import express, { type Express } from 'express';
import type { Order, Shop, ShopPolicy } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { OrderRepository } from '../../src/persistence/order-repository';
import { CancelRequestRepository } from '../../src/persistence/cancel-request-repository';
import { CancelRepository } from '../../src/persistence/cancel-repository';
import { FactsRepository } from '../../src/persistence/facts-repository';
import { ActionRepository } from '../../src/persistence/action-repository';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { TrackingRepository } from '../../src/persistence/tracking-repository';
import { ShopLock } from '../../src/persistence/shop-lock';
import { AlertService } from '../../src/services/alert-service';
import { ActionExecutor } from '../../src/services/action-executor';
import { BulkTrackingSender, type RowRetryPolicy } from '../../src/services/bulk-tracking-sender';
import { TrackingService } from '../../src/services/tracking-service';
import { HeldTrackingService } from '../../src/services/tracking-held-service';
import { HeldShipmentRepository } from '../../src/persistence/held-shipment-repository';
import type { Qoo10Client } from '../../src/qoo10/qoo10-client';
import { requireAdminToken } from '../../src/http/auth';
import { errorMiddleware } from '../../src/http/error-middleware';
import { trackingRoutes } from '../../src/http/routes/tracking-routes';
import { anOrder } from './domain-builders';
import { testShopPolicy } from './builders';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TRACKING_TEST_TOKEN = 'tracking-test-token-0123456789';

export interface TrackingStack {
  db: TestDatabase;
  shop: Shop;
  shops: ShopRepository;
  orders: OrderRepository;
  facts: FactsRepository;
  actions: ActionRepository;
  tracking: TrackingRepository;
  alertsRepository: AlertRepository;
  executor: ActionExecutor;
  service: TrackingService;
  held: HeldTrackingService;
  heldRows: HeldShipmentRepository;
  app: Express;
  close(): Promise<void>;
}

export interface TrackingStackOptions {
  client: Qoo10Client;
  now?: () => Date;
  policy?: Partial<ShopPolicy>;
  carrierNames?: Record<string, string>;
  /** The shop's seller key (an HttpQoo10Client on the simulator must use the simulator shop's key). */
  sellerAuthKey?: string;
  /** How bulk rows that failed for a transient reason are retried (tests pass a sleep that does not wait). */
  rowRetry?: Partial<RowRetryPolicy>;
}

export async function createTrackingStack(options: TrackingStackOptions): Promise<TrackingStack> {
  const db = await createTestDatabase();
  const logger = silentLogger();
  const now = options.now ?? (() => new Date());
  const ds = db.dataSource;
  const shops = new ShopRepository(ds, new CredentialsCipher('t'.repeat(32)), { policy: testShopPolicy(options.policy) });
  const orders = new OrderRepository(ds);
  const requests = new CancelRequestRepository(ds);
  const cancels = new CancelRepository(ds, 6);
  const facts = new FactsRepository(ds);
  const actions = new ActionRepository(ds);
  const alertsRepository = new AlertRepository(ds);
  const tracking = new TrackingRepository(ds);
  const alerts = new AlertService(alertsRepository, false, logger);
  const executor = new ActionExecutor(ds, actions, requests, orders, cancels, shops, alerts, logger, new FactsRepository(ds));
  const sender = new BulkTrackingSender(actions, tracking, executor, logger, undefined, options.rowRetry);
  const heldRows = new HeldShipmentRepository(ds);
  const service = new TrackingService(ds, shops, new ShopLock(ds), tracking, heldRows, actions, sender, alerts, async () => options.client, logger, now);
  const held = new HeldTrackingService(ds, shops, heldRows, tracking, service, logger);

  let shop = await shops.ensureShopForKey({ name: 'Tracking Test Shop', sellerAuthKey: options.sellerAuthKey ?? 'SAK-tracking-test-0001', isDemo: false });
  if (options.carrierNames) {
    await ds.query('UPDATE shops SET carrier_names = $2::jsonb WHERE id = $1', [shop.id, JSON.stringify(options.carrierNames)]);
    shop = (await shops.findShop(shop.id))!;
  }
  return { db, shop, shops, orders, facts, actions, tracking, alertsRepository, executor, service, held, heldRows, app: trackingApp(service, held), close: () => db.drop() };
}

/** Stores orders the way a poll would (shipping status 3, 配送準備, unless said otherwise). */
export async function storeOrders(stack: TrackingStack, orders: Array<Partial<Order> & { orderNo: string }>): Promise<void> {
  await stack.orders.upsertOrders(stack.shop.id, orders.map((o) => anOrder({ packNo: o.orderNo, ...o })));
}

function trackingApp(service: TrackingService, held: HeldTrackingService): Express {
  const app = express();
  const api = express.Router();
  api.use(requireAdminToken(TRACKING_TEST_TOKEN));
  api.use(express.json({ limit: '1mb' }));
  api.use(trackingRoutes(service, held));
  app.use('/api', api);
  app.use(errorMiddleware(silentLogger()));
  return app;
}
