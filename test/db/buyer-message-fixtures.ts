// Builders for buyer-message tests: shops, orders and settled requests written through the real
// repositories (the same writes the pipeline makes), and the message services on top of them.

import type { DataSource } from 'typeorm';
import type { Decision, Order } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import type { Mailer } from '../../src/notifications/mailer';
import { BuyerMessageRepository, type StoredMessageSettings } from '../../src/persistence/buyer-message-repository';
import { CancelRequestRepository, type RequestStatus } from '../../src/persistence/cancel-request-repository';
import { CaseLogRepository } from '../../src/persistence/case-log-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { OrderRepository } from '../../src/persistence/order-repository';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { BuyerMailer, type BuyerMailerOptions } from '../../src/services/buyer-mailer';
import { BuyerMessageService, type BuyerMessageOptions } from '../../src/services/buyer-message-service';
import { testShopPolicy } from '../helpers/builders';
import { aCancelRequest, anOrder, YAMATO } from '../helpers/domain-builders';

export interface MessageWorld {
  repository: BuyerMessageRepository;
  requests: CancelRequestRepository;
  orders: OrderRepository;
  shops: ShopRepository;
  service: BuyerMessageService;
}

/** Fresh service objects on a database, as a (re)started process builds them. */
export function messageWorld(dataSource: DataSource, options: Partial<BuyerMessageOptions> = {}): MessageWorld {
  const repository = new BuyerMessageRepository(dataSource);
  const requests = new CancelRequestRepository(dataSource);
  const orders = new OrderRepository(dataSource);
  const shops = new ShopRepository(dataSource, new CredentialsCipher('m'.repeat(32)), { policy: testShopPolicy() });
  const service = new BuyerMessageService(repository, new CaseLogRepository(dataSource), requests, orders, shops, silentLogger(), {
    emailConfigured: true,
    ...options,
  });
  return { repository, requests, orders, shops, service };
}

export function buyerMailer(dataSource: DataSource, mailer: Mailer | null, options: Partial<BuyerMailerOptions> = {}): BuyerMailer {
  return new BuyerMailer(new BuyerMessageRepository(dataSource), mailer ? () => mailer : null, 'cancel-guard@example.test', silentLogger(), options);
}

export async function aShop(dataSource: DataSource, name: string, settings: StoredMessageSettings = {}): Promise<string> {
  const [row] = await dataSource.query('INSERT INTO shops (name, message_settings) VALUES ($1, $2::jsonb) RETURNING id', [
    name,
    JSON.stringify(settings),
  ]);
  return row.id as string;
}

let orderSeq = 0;

/** A unique order number per call, so many cases fit in one database. */
export function nextOrderNo(): string {
  orderSeq += 1;
  return String(3_000_000_000 + orderSeq);
}

export const ACCEPT: Decision = { kind: 'accept', code: 'unshipped_in_stock', reason: 'Unshipped and in stock.', trail: [] };
export const REFUSE: Decision = { kind: 'refuse', code: 'shipped_with_tracking', reason: 'Already shipped.', trail: [], tracking: YAMATO };
export const STOCK_OUT: Decision = { kind: 'seller-fault', code: 'out_of_stock', reason: 'Out of stock.', trail: [], sellerFaultCause: 'out_of_stock' };

/**
 * An order with a cancel request and a decision, in `status` (default 'done': settled by us) since
 * `settledAt`; the decision is dated `decidedAt` (default settledAt).
 */
export async function aCase(
  world: MessageWorld,
  dataSource: DataSource,
  input: { shopId: string; decision: Decision; settledAt: Date; decidedAt?: Date; order?: Partial<Order>; status?: RequestStatus },
): Promise<{ requestId: string; decisionId: string; order: Order }> {
  const orderNo = input.order?.orderNo ?? nextOrderNo();
  const order = anOrder({ packNo: orderNo, ...input.order, orderNo });
  await world.orders.upsertOrders(input.shopId, [order]);
  await world.requests.recordRequests(input.shopId, [aCancelRequest({ orderNo, packNo: order.packNo, orderedAt: order.orderedAt })]);
  const [request] = await dataSource.query('SELECT id FROM cancel_requests WHERE shop_id = $1 AND order_no = $2', [input.shopId, orderNo]);
  const requestId = String(request.id);
  const decisionId = await dataSource.transaction(async (em) => {
    const id = await world.requests.recordDecision(em, requestId, input.decision, 'auto');
    await world.requests.setStatus(em, requestId, input.status ?? 'done', 'accepted');
    return id;
  });
  await dataSource.query('UPDATE cancel_requests SET updated_at = $2 WHERE id = $1', [requestId, input.settledAt]);
  await dataSource.query('UPDATE decisions SET created_at = $2 WHERE id = $1', [decisionId, input.decidedAt ?? input.settledAt]);
  return { requestId, decisionId, order };
}
