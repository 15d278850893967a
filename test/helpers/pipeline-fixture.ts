import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import type { Shop } from '../../src/domain/types';
import { createTestApp, type TestApp } from './test-app';

export const TEST_SHOP_KEY = 'test-sak-pipeline-0001';

export interface PipelineFixture {
  t: TestApp;
  sim: SimulatorHandle;
  simShop: SimShop;
  shop: Shop;
  /** An order confirmed by the seller (配送準備, 3) with a ship date two days ahead. */
  confirmedOrder(input: { sellerItemCode: string; packNo?: string; orderNo?: string; quantity?: number; orderedAgoHours?: number }): string;
  /** The shop knows the parcel left with this tracking number (label software, not yet in Qoo10). */
  handedOver(orderNo: string, carrier: string, trackingNo: string): Promise<void>;
  /** Write calls the simulator received, as `Method key=value ...` lines, in order. */
  writes(): Array<{ method: string; params: Record<string, string> }>;
  close(): Promise<void>;
}

const WRITE_METHODS = /SetCancelProcess|SetSendingInfo|SetSellerCheck/i;

/** A test database, the composed service and a Qoo10 simulator with one shop, over real HTTP. */
export async function createPipelineFixture(env: Record<string, string> = {}): Promise<PipelineFixture> {
  const sim = await startSimulator({ port: 0 });
  const simShop = sim.state.addShop({ sellerAuthKey: TEST_SHOP_KEY, name: 'テスト雑貨店', orders: [], claims: [] });
  const t = await createTestApp({
    QOO10_API_BASE_URL: sim.url,
    QOO10_MIN_INTERVAL_MS: '0',
    QOO10_TIMEOUT_MS: '2000',
    ...env,
  });
  const shop = await t.services.shops.ensureShopForKey({ name: 'テスト雑貨店', sellerAuthKey: TEST_SHOP_KEY, isDemo: false });
  let next = 0;
  return {
    t,
    sim,
    simShop,
    shop,
    confirmedOrder(input) {
      next += 1;
      const orderedAt = new Date(Date.now() - (input.orderedAgoHours ?? 10) * 3_600_000);
      const order = sim.state.addOrder(simShop, {
        ...(input.orderNo ? { orderNo: input.orderNo } : {}),
        ...(input.packNo ? { packNo: input.packNo } : {}),
        orderedAt: orderedAt.toISOString(),
        itemTitle: `テスト商品 ${input.sellerItemCode}`,
        itemNo: `9000${next}`,
        sellerItemCode: input.sellerItemCode,
        quantity: input.quantity ?? 1,
      });
      sim.state.sellerCheck(simShop, order.orderNo, new Date(Date.now() + 2 * 86_400_000));
      return order.orderNo;
    },
    async handedOver(orderNo, carrier, trackingNo) {
      await t.services.facts.recordOrderFact(shop.id, orderNo, { handedToCarrier: true }, new Date());
      await t.db.dataSource.query(
        `INSERT INTO tracking_numbers (shop_id, order_no, carrier, qoo10_carrier_name, tracking_no, source)
         VALUES ($1, $2, $3, $3, $4, 'manual')`,
        [shop.id, orderNo, carrier, trackingNo],
      );
    },
    writes() {
      return sim.calls
        .filter((call) => WRITE_METHODS.test(call.method) && call.responseCode !== null)
        .map((call) => ({ method: call.method.replace(/^.*\./, ''), params: call.params }));
    },
    async close() {
      await sim.close();
      await t.close();
    },
  };
}
