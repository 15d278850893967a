// Builders for rate tests: a shop, orders and completed cancels written through the real
// repositories (the same writes the poll pipeline makes), and the services on top of them.

import type { DataSource } from 'typeorm';
import type { CancelCause } from '../../src/domain/cancel-rate';
import type { Order, Shop } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { CancelRepository } from '../../src/persistence/cancel-repository';
import { CancelRequestRepository } from '../../src/persistence/cancel-request-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { OrderRepository } from '../../src/persistence/order-repository';
import { RateRepository } from '../../src/persistence/rate-repository';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { AlertService } from '../../src/services/alert-service';
import { RateService, type RateSettings } from '../../src/services/rate-service';
import { aCancelRequest, anOrder } from '../helpers/domain-builders';
import { testShopPolicy } from '../helpers/builders';

const HOUR_MS = 3_600_000;

export const DEFAULT_RATE_SETTINGS: RateSettings = {
  limit: 0.07,
  alertLevels: [0.05, 0.06, 0.07],
  exclusionHours: 6,
  denominator: 'orders_placed',
};

export interface RateWorld {
  shops: ShopRepository;
  orders: OrderRepository;
  cancels: CancelRepository;
  requests: CancelRequestRepository;
  alertRepository: AlertRepository;
  alerts: AlertService;
  rates: RateService;
}

/** Fresh service objects on a database, as a (re)started process builds them. */
export function rateWorld(
  dataSource: DataSource,
  now: () => Date,
  options: { settings?: Partial<RateSettings>; emailConfigured?: boolean } = {},
): RateWorld {
  const settings = { ...DEFAULT_RATE_SETTINGS, ...options.settings };
  const shops = new ShopRepository(dataSource, new CredentialsCipher('r'.repeat(32)), { policy: testShopPolicy() });
  const alertRepository = new AlertRepository(dataSource);
  const alerts = new AlertService(alertRepository, options.emailConfigured ?? true, silentLogger());
  return {
    shops,
    orders: new OrderRepository(dataSource),
    cancels: new CancelRepository(dataSource, settings.exclusionHours),
    requests: new CancelRequestRepository(dataSource),
    alertRepository,
    alerts,
    rates: new RateService(new RateRepository(dataSource), shops, alerts, settings, now),
  };
}

let shopSeq = 0;

export async function aShop(world: RateWorld, name = 'テストショップ'): Promise<Shop> {
  shopSeq += 1;
  return world.shops.ensureShopForKey({ name, sellerAuthKey: `SAK-rate-test-${process.pid}-${shopSeq}`, isDemo: false });
}

let orderSeq = 0;

/** `count` orders placed one minute apart from `start`, paid unless told otherwise. */
export function someOrders(count: number, start: Date, overrides: Partial<Order> = {}): Order[] {
  return Array.from({ length: count }, (_, index) => {
    orderSeq += 1;
    const orderedAt = new Date(start.getTime() + index * 60_000);
    return anOrder({
      orderNo: `R${String(orderSeq).padStart(9, '0')}`,
      packNo: `P${String(orderSeq).padStart(9, '0')}`,
      orderedAt,
      paidAt: orderedAt,
      ...overrides,
    });
  });
}

/** Records a completed cancel of `order`, `hoursAfter` hours after it was placed. */
export async function cancelOrder(
  world: RateWorld,
  shopId: string,
  order: Order,
  hoursAfter: number,
  cause: CancelCause = 'buyer',
): Promise<void> {
  await world.cancels.recordCancel(shopId, {
    orderNo: order.orderNo,
    orderedAt: order.orderedAt,
    cancelledAt: new Date(order.orderedAt.getTime() + hoursAfter * HOUR_MS),
    cause,
    itemKey: order.sellerItemCode ?? order.itemNo,
    itemTitle: order.itemTitle,
    source: 'qoo10',
  });
}

/** A buyer's cancel request on `order`, waiting for an answer. */
export async function requestCancel(world: RateWorld, shopId: string, order: Order, requestedAt: Date): Promise<void> {
  await world.requests.recordRequests(shopId, [
    aCancelRequest({
      orderNo: order.orderNo,
      packNo: order.packNo,
      orderedAt: order.orderedAt,
      requestedAt,
      sellerItemCode: order.sellerItemCode,
      itemTitle: order.itemTitle,
    }),
  ]);
}
