// A world for the pipeline benchmarks: a fresh database, the Qoo10 simulator over real HTTP with N shops
// (each with its own seller key), and the same shops registered in the service with the local facts the
// decisions need. Each shop has a pool of confirmed orders, placed 8 hours ago, whose cancel requests end
// in a known way: 'accept' (item in stock), 'seller-fault' (item out of stock) and 'refuse' (parcel
// handed to the carrier, tracking known locally, not yet in Qoo10).
import { compose, defaultShopPolicy, type Services } from '../src/compose';
import { loadConfig, type AppConfig } from '../src/config/config';
import { silentLogger } from '../src/logger';
import { CredentialsCipher } from '../src/persistence/credentials-cipher';
import { FactsRepository } from '../src/persistence/facts-repository';
import { ShopRepository } from '../src/persistence/shop-repository';
import { keyFingerprint } from '../src/qoo10/key-fingerprint';
import type { SimShop } from '../src/qoo10/simulator/sim-state';
import { startSimulator, type SimulatorHandle } from '../src/qoo10/simulator/start-simulator';
import { createBenchDatabase, type BenchDatabase } from './bench-db';

export const BENCH_SECRET = 'bench-credentials-secret-0123456789abcdef';
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const REQUEST_KINDS = ['accept', 'seller-fault', 'refuse'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface BenchShop {
  id: string;
  key: string;
  fingerprint: string;
  sim: SimShop;
  /** Confirmed orders without a request yet, per kind of outcome. */
  pool: Record<RequestKind, string[]>;
}

export interface OpenedRequest {
  shop: BenchShop;
  orderNo: string;
  kind: RequestKind;
}

export interface BenchWorld {
  db: BenchDatabase;
  sim: SimulatorHandle;
  shops: BenchShop[];
  /** The environment every composition of this world starts from (simulator URL, token, decisions). */
  baseEnv: Record<string, string>;
  /** The service composed as compose.ts does, with this environment on top of the base (e.g. pacing). */
  compose(env?: Record<string, string>): { services: Services; config: AppConfig };
  /** The buyer asks to cancel `count` orders of the shop, rotating through the kinds. */
  openRequests(shop: BenchShop, count: number): OpenedRequest[];
  close(): Promise<void>;
}

export interface BenchWorldOptions {
  adminUrl: string;
  shops: number;
  /** Pool orders per kind per shop. */
  poolPerKind: number;
  /** Further orders per shop already shipped this month (the first poll stores them). Default 0. */
  shippedOrders?: number;
  poolSize?: number;
  env?: Record<string, string>;
}

const HOUR_MS = 3_600_000;

/** A Yamato number: an 11-digit base and its remainder mod 7. */
export function yamatoNumber(serial: number): string {
  const base = 30_000_000_000 + serial;
  return `${base}${base % 7}`;
}

export async function createBenchWorld(options: BenchWorldOptions): Promise<BenchWorld> {
  const db = await createBenchDatabase(options.adminUrl, { poolSize: options.poolSize ?? 38 });
  const sim = await startSimulator({ port: 0 });
  const baseEnv: Record<string, string> = {
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    QOO10_API_BASE_URL: sim.url,
    AUTO_DECISIONS: 'accept,refuse,seller-fault',
    ...options.env,
  };
  const baseConfig = loadConfig(baseEnv);
  const shopRepository = new ShopRepository(db.dataSource, new CredentialsCipher(BENCH_SECRET), { policy: defaultShopPolicy(baseConfig) });
  const facts = new FactsRepository(db.dataSource);
  const orderedAt = new Date(Date.now() - 8 * HOUR_MS).toISOString();
  const shipDay = new Date(Date.now() + 2 * 86_400_000);
  let trackingSerial = 0;
  const shops: BenchShop[] = [];
  for (let i = 0; i < options.shops; i += 1) {
    const key = `bench-sak-${process.pid}-${String(i + 1).padStart(5, '0')}`;
    const name = `ベンチ店${i + 1}`;
    const simShop = sim.state.addShop({ sellerAuthKey: key, name, orders: [], claims: [] });
    const shop = await shopRepository.ensureShopForKey({ name, sellerAuthKey: key, isDemo: false });
    await facts.setStock(shop.id, [
      { sellerItemCode: 'OK', available: 1_000_000 },
      { sellerItemCode: 'OUT', available: 0 },
    ]);
    const pool: Record<RequestKind, string[]> = { accept: [], 'seller-fault': [], refuse: [] };
    const confirmed = (sellerItemCode: string) => {
      const order = sim.state.addOrder(simShop, { orderedAt, itemTitle: `ベンチ商品 ${sellerItemCode}`, itemNo: '700001', sellerItemCode });
      sim.state.sellerCheck(simShop, order.orderNo, shipDay);
      return order.orderNo;
    };
    for (let n = 0; n < options.poolPerKind; n += 1) {
      pool.accept.push(confirmed('OK'));
      pool['seller-fault'].push(confirmed('OUT'));
      const refused = confirmed('OK');
      pool.refuse.push(refused);
      trackingSerial += 1;
      await facts.recordOrderFact(shop.id, refused, { handedToCarrierAt: new Date() });
      await facts.recordKnownTracking(shop.id, refused, 'ヤマト宅急便', yamatoNumber(trackingSerial));
    }
    for (let n = 0; n < (options.shippedOrders ?? 0); n += 1) {
      const order = sim.state.addOrder(simShop, { orderedAt, itemTitle: 'ベンチ商品 出荷済み', itemNo: '700002', sellerItemCode: 'OK' });
      sim.state.sellerCheck(simShop, order.orderNo, shipDay);
      sim.state.shipOrder(order.orderNo);
    }
    shops.push({ id: shop.id, key, fingerprint: keyFingerprint(key), sim: simShop, pool });
  }

  let rotation = 0;
  return {
    db,
    sim,
    shops,
    baseEnv,
    compose(env = {}) {
      const config = loadConfig({ ...baseEnv, ...env });
      const services = compose({
        config,
        logger: silentLogger(),
        dataSource: db.dataSource,
        credentialsSecret: BENCH_SECRET,
        adminToken: BENCH_ADMIN_TOKEN,
        qoo10BaseUrl: () => sim.url,
      });
      return { services, config };
    },
    openRequests(shop, count) {
      const opened: OpenedRequest[] = [];
      for (let n = 0; n < count; n += 1) {
        const kind = REQUEST_KINDS[rotation++ % REQUEST_KINDS.length]!;
        const orderNo = shop.pool[kind].shift();
        if (!orderNo) throw new Error(`shop ${shop.key} has no ${kind} order left in its pool`);
        sim.state.requestCancel(orderNo);
        opened.push({ shop, orderNo, kind });
      }
      return opened;
    },
    async close() {
      await sim.close();
      await db.drop();
    },
  };
}

/** The simulator's record of the write that carried out the request's action, if it was applied. */
export function appliedWriteFor(sim: SimulatorHandle, orderNo: string, fromSeq: number) {
  for (let i = fromSeq; i < sim.calls.length; i += 1) {
    const call = sim.calls[i]!;
    if (call.responseCode !== 0) continue;
    if (/SetCancelProcess$/i.test(call.method) && call.params.ContrNo === orderNo) return call;
    if (/SetSendingInfo$/i.test(call.method) && call.params.OrderNo === orderNo) return call;
  }
  return null;
}
