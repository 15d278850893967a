// A world for untrusted-data tests and the Qoo10 bad-data sweep: one database, the composed service with
// a logger whose every line is kept, and the Qoo10 simulator over real HTTP. Each case gets its own shop
// (own key, own orders), so hundreds of cases share one database and one simulator.
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { compose, type Services } from '../../src/compose';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import type { Shop } from '../../src/domain/types';
import { HttpQoo10Client } from '../../src/qoo10/http-qoo10-client';
import type { Qoo10Client } from '../../src/qoo10/qoo10-client';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';

export interface Buyer {
  name: string;
  email: string;
}

export interface HostileShop {
  shop: Shop;
  simShop: SimShop;
  /** The order whose rows are made hostile, and the ones that must be decided whatever happens to it. */
  victim: string;
  bystanders: string[];
  buyers: Buyer[];
}

export interface HostileWorld {
  sim: SimulatorHandle;
  services: Services;
  dataSource: DataSource;
  /** Every log line the service wrote, as written. */
  logs: string[];
  /** A new shop with three confirmed, in-stock orders, each with a pending cancel request. */
  newShop(options?: { victimReason?: string; victimBuyer?: Partial<Buyer> }): Promise<HostileShop>;
  /** Log lines holding any of these buyers' names or e-mails (or any test buyer's e-mail domain). */
  linesWithBuyerData(buyers: readonly Buyer[], fromLine?: number): string[];
  /** The shop's Qoo10 client (real HTTP to the simulator). */
  clientOf(shop: Shop): Promise<Qoo10Client>;
  /** The status and decision code of a request by order number. */
  request(shop: Shop, orderNo: string): Promise<{ status: string; outcome: string | null; code: string | null } | null>;
  close(): Promise<void>;
}

/** Every test buyer's e-mail is at this domain, so a log scan also catches addresses built elsewhere. */
export const BUYER_DOMAIN = 'buyer.invalid';

/** The world on `dataSource` (a migrated test or bench database); the caller drops the database. */
export async function createHostileWorld(dataSource: DataSource): Promise<HostileWorld> {
  const sim = await startSimulator({ port: 0 });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const config = loadConfig({ ADMIN_TOKEN: 'hostile-admin-token-0123456789', QOO10_API_BASE_URL: sim.url, QOO10_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'debug' });
  const logger = createLogger('debug', stream);
  const keys = new Map<string, string>();
  const clientOf = async (shop: Shop): Promise<Qoo10Client> =>
    new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: keys.get(shop.id)!, logger: logger.child({ shopId: shop.id }), minIntervalMs: 0, timeoutMs: 5000, sleep: async () => undefined });
  const services = compose({
    config,
    logger,
    dataSource,
    credentialsSecret: 'hostile-secret-'.padEnd(40, 'x'),
    adminToken: 'hostile-admin-token-0123456789',
    qoo10BaseUrl: () => sim.url,
    // The real HTTP client; retries do not wait, so a malformed answer costs milliseconds.
    qoo10Clients: async (shop) => clientOf(shop),
  });
  let shops = 0;

  return {
    sim,
    services,
    dataSource,
    logs,
    clientOf,
    async newShop(options = {}) {
      shops += 1;
      const key = `hostile-sak-${process.pid}-${shops}-${Date.now()}`;
      const name = `検証店${shops}`;
      const simShop = sim.state.addShop({ sellerAuthKey: key, name, orders: [], claims: [] });
      const shop = await services.shops.ensureShopForKey({ name, sellerAuthKey: key, isDemo: false });
      keys.set(shop.id, key);
      const code = `HOSTILE-${shops}`;
      await services.facts.importStock(shop.id, Buffer.from(`seller_item_code,available\n${code},50\n`));
      const orderNos: string[] = [];
      const buyers: Buyer[] = [];
      for (let i = 0; i < 3; i += 1) {
        const buyer: Buyer = { name: `購入者テスト${shops}の${i}`, email: `shop${shops}.buyer${i}@${BUYER_DOMAIN}`, ...(i === 0 ? options.victimBuyer : {}) };
        buyers.push(buyer);
        const order = sim.state.addOrder(simShop, {
          orderedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
          itemTitle: `検証商品 ${code}`,
          itemNo: `8000${shops}${i}`,
          sellerItemCode: code,
          quantity: 1,
          buyerName: buyer.name,
          buyerEmail: buyer.email,
        });
        sim.state.sellerCheck(simShop, order.orderNo, new Date(Date.now() + 2 * 86_400_000));
        sim.state.requestCancel(order.orderNo, i === 0 && options.victimReason !== undefined ? options.victimReason : `間違えて注文しました（${buyer.name}）`);
        orderNos.push(order.orderNo);
      }
      return { shop, simShop, victim: orderNos[0]!, bystanders: orderNos.slice(1), buyers };
    },
    linesWithBuyerData(buyers, fromLine = 0) {
      const needles = [...buyers.flatMap((b) => [b.name, b.email]), `@${BUYER_DOMAIN}`, '購入者テスト'];
      return logs.slice(fromLine).filter((line) => needles.some((needle) => line.includes(needle)));
    },
    async request(shop, orderNo) {
      const rows: Array<{ status: string; outcome: string | null; code: string | null }> = await dataSource.query(
        `SELECT r.status, r.outcome, d.code FROM cancel_requests r LEFT JOIN decisions d ON d.id = r.current_decision_id
         WHERE r.shop_id = $1 AND r.order_no = $2 ORDER BY r.id DESC LIMIT 1`,
        [shop.id, orderNo],
      );
      return rows[0] ?? null;
    },
    async close() {
      await sim.close();
    },
  };
}
