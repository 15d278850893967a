// Builders and fakes for the Qoo10 client and simulator tests: a fixed clock, a small scenario whose
// orders cover every state, a client wired to a simulator without real waiting, and a captured logger.
import { createLogger, type Logger } from '../../src/logger';
import { HttpQoo10Client, type HttpQoo10ClientOptions } from '../../src/qoo10/http-qoo10-client';
import type { Scenario, ScenarioClaim, ScenarioOrder } from '../../src/qoo10/simulator/scenario';
import { formatJstDateTime } from '../../src/qoo10/qoo10-dates';

/** 2026-11-20 12:00 JST. */
export const NOW = new Date('2026-11-20T03:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const SHOP_A_KEY = 'SAK-shop-a-TOPSECRET-5f1e2d3c';
export const SHOP_B_KEY = 'SAK-shop-b-TOPSECRET-8a7b6c5d';
export const SHOP_A_CREDENTIALS = { apiKey: 'API-KEY-a-TOPSECRET-123', userId: 'shop-a', password: 'pw-TOPSECRET-a' };

export const ago = (ms: number, now = NOW): string => formatJstDateTime(new Date(now.getTime() - ms));

/** Order numbers of the small scenario, by what they show. */
export const ORDERS = {
  awaitingConfirmation: '1000000001',
  requested: '1000000002',
  confirmed: '1000000003',
  shipped: '1000000004',
  delivered: '1000000005',
  cancelled: '1000000006',
  cartRequested: '1000000007',
  cartSecondLine: '1000000008',
  unpaid: '1000000009',
  old: '1000000010',
  oldDelivered: '1000000011',
  shopB: '2000000001',
} as const;

function order(orderNo: string, status: ScenarioOrder['shippingStatus'], orderedAgoMs: number, extra: Partial<ScenarioOrder> = {}): ScenarioOrder {
  const shipped = status >= 4;
  return {
    orderNo,
    orderedAt: ago(orderedAgoMs),
    paidAt: status === 1 ? null : ago(orderedAgoMs - 60_000),
    estimatedShipDate: status >= 3 ? '2026-11-21' : null,
    shippedAt: shipped ? ago(orderedAgoMs - 20 * HOUR) : null,
    deliveredAt: status === 5 ? ago(orderedAgoMs - 40 * HOUR) : null,
    shippingStatus: status,
    itemNo: '912345001',
    sellerItemCode: 'COS-SERUM-30',
    itemTitle: '【公式】ビタミンC 美容液 30ml',
    quantity: 2,
    unitPriceYen: 2480,
    paymentMethod: 'クレジットカード',
    carrier: shipped ? 'ヤマト宅急便' : null,
    trackingNo: shipped ? '400000000016' : null,
    buyerName: '佐藤 花子',
    buyerEmail: 'buyer1@example.jp',
    ...extra,
  };
}

const claim = (orderNo: string, claimStatus: number, requestedAgoMs: number, completedAgoMs?: number): ScenarioClaim => ({
  orderNo,
  claimStatus,
  reason: '注文間違い',
  requestedAt: ago(requestedAgoMs),
  completedAt: completedAgoMs === undefined ? null : ago(completedAgoMs),
});

/** Two shops; shop A has one order in each state that matters. */
export function smallScenario(): Scenario {
  return {
    shops: [
      {
        sellerAuthKey: SHOP_A_KEY,
        name: 'Shop A',
        credentials: SHOP_A_CREDENTIALS,
        orders: [
          order(ORDERS.awaitingConfirmation, 2, 2 * HOUR),
          order(ORDERS.requested, 3, 26 * HOUR),
          order(ORDERS.confirmed, 3, 20 * HOUR),
          order(ORDERS.shipped, 4, 50 * HOUR),
          order(ORDERS.delivered, 5, 90 * HOUR),
          order(ORDERS.cancelled, 3, 30 * HOUR),
          order(ORDERS.cartRequested, 3, 28 * HOUR, { packNo: '700000007' }),
          order(ORDERS.cartSecondLine, 3, 28 * HOUR, { packNo: '700000007', itemTitle: '深蒸し茶 100包' }),
          order(ORDERS.unpaid, 1, 1 * HOUR, { paymentMethod: 'コンビニ決済' }),
          order(ORDERS.old, 3, 130 * DAY),
          order(ORDERS.oldDelivered, 5, 130 * DAY),
        ],
        claims: [
          claim(ORDERS.requested, 1, 3 * HOUR),
          claim(ORDERS.cancelled, 3, 29 * HOUR, 28 * HOUR),
          claim(ORDERS.cartRequested, 1, 2 * HOUR),
          claim(ORDERS.old, 3, 129 * DAY, 120 * DAY),
        ],
      },
      {
        sellerAuthKey: SHOP_B_KEY,
        name: 'Shop B',
        orders: [order(ORDERS.shopB, 3, 10 * HOUR)],
        claims: [],
      },
    ],
  };
}

/** A sleep that never waits and remembers what it was asked; `onSleep` lets a test change the world. */
export function recordingSleep(onSleep?: (ms: number) => void) {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    onSleep?.(ms);
  };
  return { waits, sleep };
}

export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** A client for the simulator that never really waits (pacing and backoff go through `sleep`). */
export function clientFor(
  url: string,
  key: string,
  overrides: Partial<HttpQoo10ClientOptions> = {},
): HttpQoo10Client {
  return new HttpQoo10Client({
    baseUrl: url,
    sellerAuthKey: key,
    logger: captureLogger().logger,
    timeoutMs: 2_000,
    minIntervalMs: 0,
    maxRetries: 3,
    sleep: async () => undefined,
    random: () => 0.5,
    ...overrides,
  });
}
