import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { ScenarioShop } from '../qoo10/simulator/scenario';
import type { ShopRepository } from '../persistence/shop-repository';
import type { FactsRepository } from '../persistence/facts-repository';

/**
 * Demo mode (no Qoo10 key configured): the demo shop is registered against the in-process simulator
 * and given the local facts a real shop would feed in (stock, packed parcels, tracking numbers known
 * only to the shop). At each start the demo shop keeps its row (id, name, policy, key status), so an
 * open dashboard tab still finds it, while everything stored under it (orders, requests, decisions,
 * actions, rate figures, alerts, messages, facts) is reset: the simulator regenerates its month
 * around the current time, and old rows would no longer match it.
 */
export class DemoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shops: ShopRepository,
    private readonly facts: FactsRepository,
    private readonly logger: Logger,
  ) {}

  async seed(scenarioShop: ScenarioShop, now: Date): Promise<Shop> {
    await this.resetDemoData();
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

  /**
   * Deletes the demo shops and puts their rows back unchanged in one transaction: ON DELETE CASCADE
   * clears every table that hangs off a shop (including tables added later) without listing them here.
   */
  private async resetDemoData(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('CREATE TEMP TABLE demo_shops_kept ON COMMIT DROP AS SELECT * FROM shops WHERE is_demo = true');
      await em.query('DELETE FROM shops WHERE is_demo = true');
      await em.query('INSERT INTO shops SELECT * FROM demo_shops_kept');
    });
  }
}
