import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { ScenarioShop } from '../qoo10/simulator/scenario';
import type { ShopRepository } from '../persistence/shop-repository';
import type { FactsRepository } from '../persistence/facts-repository';

/**
 * Demo mode (no Qoo10 key configured): the demo shop is registered against the in-process simulator
 * and given the local facts a real shop would feed in (stock, packed parcels, tracking numbers known
 * only to the shop). The demo shop's stored data is reset at each start, because the simulator
 * regenerates its month around the current time.
 */
export class DemoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shops: ShopRepository,
    private readonly facts: FactsRepository,
    private readonly logger: Logger,
  ) {}

  async seed(scenarioShop: ScenarioShop, now: Date): Promise<Shop> {
    await this.dataSource.query('DELETE FROM shops WHERE is_demo = true');
    const shop = await this.shops.ensureShopForKey({ name: scenarioShop.name, sellerAuthKey: scenarioShop.sellerAuthKey, isDemo: true });
    const local = scenarioShop.local ?? {};
    await this.facts.setStock(shop.id, local.stock ?? []);
    for (const code of local.madeToOrderSellerItemCodes ?? []) await this.facts.setMadeToOrder(shop.id, code, true);
    for (const orderNo of local.packedOrderNos ?? []) await this.facts.recordOrderFact(shop.id, orderNo, { packedAt: now });
    for (const known of local.knownTracking ?? []) {
      await this.facts.recordOrderFact(shop.id, known.orderNo, { handedToCarrierAt: now });
      await this.facts.recordKnownTracking(shop.id, known.orderNo, known.carrier, known.trackingNo);
    }
    this.logger.info({ shopId: shop.id }, 'demo shop ready');
    return shop;
  }
}
