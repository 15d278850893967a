// Benchmark: storing orders. (1) 100,000 orders of one JST month through OrderRepository.upsertOrders in
// batches the size a poll hands over, then the same orders again (the overlap every later poll re-reads:
// the update path). (2) The first poll of a generated month (generateScenario: realistic carts, shipping,
// cancels and requests) through the composed pipeline over real HTTP, no latency and no pacing, so the
// figure is our own cost of reading, mapping and storing.
// Run: npm run build && node dist/bench/ingest.js
import { performance } from 'node:perf_hooks';
import type { Order } from '../src/domain/types';
import { CredentialsCipher } from '../src/persistence/credentials-cipher';
import { OrderRepository } from '../src/persistence/order-repository';
import { ShopRepository } from '../src/persistence/shop-repository';
import { compose } from '../src/compose';
import { loadConfig } from '../src/config/config';
import { silentLogger } from '../src/logger';
import { generateScenario } from '../src/qoo10/simulator/generate-scenario';
import { startSimulator } from '../src/qoo10/simulator/start-simulator';
import { createBenchDatabase, withBenchServer } from './bench-db';
import { loadAverage, say, seconds } from './bench-stats';
import type { BenchFigure } from './bench-report';
import { BENCH_ADMIN_TOKEN, BENCH_SECRET } from './bench-world';

const quick = process.env.BENCH_QUICK === '1';
const ORDERS = quick ? 10_000 : 100_000;
const BATCHES = [500, 2_000];
const POLL_ORDERS = quick ? 5_000 : 100_000;
/** 2026-11-01 00:00 JST; orders every 20 s from there. */
const MONTH_START_MS = Date.parse('2026-10-31T15:00:00Z');

function order(i: number): Order {
  const orderedAt = new Date(MONTH_START_MS + i * 20_000);
  return {
    orderNo: String(1_500_000_000 + i),
    packNo: String(1_500_000_000 + i - (i % 3 === 2 ? 1 : 0)),
    orderedAt,
    paidAt: i % 40 === 0 ? null : new Date(orderedAt.getTime() + 60_000),
    shippingDeadline: null,
    shippedAt: null,
    deliveredAt: null,
    shippingStatus: 3,
    itemNo: String(800_000 + (i % 500)),
    sellerItemCode: `SKU-${i % 500}`,
    itemTitle: `商品 ${i % 500} 〈ベンチ〉`,
    itemOption: i % 4 === 0 ? 'カラー:ブラック' : null,
    quantity: 1 + (i % 3),
    unitPriceYen: 1980,
    totalYen: 1980 * (1 + (i % 3)),
    paymentMethod: 'クレジットカード',
    carrier: null,
    trackingNo: null,
    buyerName: '山田 太郎',
    buyerEmail: 'buyer@example.jp',
  };
}

async function upsertRun(adminUrl: string, batch: number): Promise<{ insertMs: number; updateMs: number }> {
  const db = await createBenchDatabase(adminUrl);
  try {
    const shops = new ShopRepository(db.dataSource, new CredentialsCipher(BENCH_SECRET), {
      policy: { packedOrders: 'review', refuseMadeToOrder: true, sameDayCutoffJst: '17:00', stockMeaning: 'on_hand', autoDecisions: ['accept', 'refuse'] },
    });
    const shop = await shops.ensureShopForKey({ name: 'Ingest shop', sellerAuthKey: 'SAK-bench-ingest-0001', isDemo: false });
    const repository = new OrderRepository(db.dataSource);
    const all = Array.from({ length: ORDERS }, (_, i) => order(i));
    const pass = async () => {
      const started = performance.now();
      for (let start = 0; start < all.length; start += batch) await repository.upsertOrders(shop.id, all.slice(start, start + batch));
      return performance.now() - started;
    };
    const insertMs = await pass();
    const updateMs = await pass();
    const [{ n }] = await db.dataSource.query('SELECT orders_placed AS n FROM monthly_order_counts WHERE shop_id = $1', [shop.id]);
    if (Number(n) !== ORDERS) throw new Error(`monthly_order_counts says ${n}, expected ${ORDERS}`);
    return { insertMs, updateMs };
  } finally {
    await db.drop();
  }
}

async function pollRun(adminUrl: string): Promise<{ ms: number; stored: number; requests: number; generatedMs: number }> {
  const generating = performance.now();
  const scenario = generateScenario({ seed: 'bench-ingest', now: new Date(), orderCount: POLL_ORDERS });
  const generatedMs = performance.now() - generating;
  const db = await createBenchDatabase(adminUrl);
  const sim = await startSimulator({ port: 0, scenario });
  try {
    const config = loadConfig({ ADMIN_TOKEN: BENCH_ADMIN_TOKEN, LOG_LEVEL: 'silent', QOO10_API_BASE_URL: sim.url, QOO10_MIN_INTERVAL_MS: '0', QOO10_TIMEOUT_MS: '120000' });
    const services = compose({ config, logger: silentLogger(), dataSource: db.dataSource, credentialsSecret: BENCH_SECRET, adminToken: BENCH_ADMIN_TOKEN, qoo10BaseUrl: () => sim.url });
    const simShop = scenario.shops[0]!;
    await services.shops.ensureShopForKey({ name: simShop.name, sellerAuthKey: simShop.sellerAuthKey, isDemo: false });
    const started = performance.now();
    const reports = await services.pipeline.runCycle();
    const elapsed = performance.now() - started;
    if (reports[0]?.status !== 'ok') throw new Error(`the poll failed: ${reports[0]?.error}`);
    const [{ n }] = await db.dataSource.query('SELECT count(*)::int AS n FROM orders');
    const [{ r }] = await db.dataSource.query('SELECT count(*)::int AS r FROM cancel_requests');
    return { ms: elapsed, stored: n, requests: r, generatedMs };
  } finally {
    await sim.close();
    await db.drop();
  }
}

export async function main(): Promise<BenchFigure[]> {
  return withBenchServer(async (server) => {
    say(`ingest benchmark (${server.description})`);
    const figures: BenchFigure[] = [];
    for (const batch of BATCHES) {
      const load = loadAverage();
      const { insertMs, updateMs } = await upsertRun(server.adminUrl, batch);
      say(
        `  upsertOrders, ${ORDERS.toLocaleString('en')} orders in batches of ${batch}: new ${seconds(insertMs)} (${Math.round((ORDERS / insertMs) * 1000)} orders/s), ` +
          `again (updates) ${seconds(updateMs)} (${Math.round((ORDERS / updateMs) * 1000)} orders/s)  (load ${load})`,
      );
      figures.push({
        bench: 'ingest',
        figure: `ingest ${ORDERS.toLocaleString('en')} orders, upsertOrders in batches of ${batch}`,
        value: `${seconds(insertMs)} new (${Math.round((ORDERS / insertMs) * 1000)}/s), ${seconds(updateMs)} re-read (${Math.round((ORDERS / updateMs) * 1000)}/s)`,
        target: '(no target; the first poll of a big shop)',
        met: null,
      });
    }
    const load = loadAverage();
    const poll = await pollRun(server.adminUrl);
    say(
      `  first poll of a generated month, ${POLL_ORDERS.toLocaleString('en')} orders (generated in ${seconds(poll.generatedMs)}): ${seconds(poll.ms)} ` +
        `→ ${poll.stored.toLocaleString('en')} orders stored, ${poll.requests} requests recorded (${Math.round((poll.stored / poll.ms) * 1000)} orders/s)  (load ${load})`,
    );
    figures.push({
      bench: 'ingest',
      figure: `first poll of a generated month, ${POLL_ORDERS.toLocaleString('en')} orders, 0 ms/call`,
      value: `${seconds(poll.ms)} (${Math.round((poll.stored / poll.ms) * 1000)} orders/s)`,
      target: '(no target)',
      met: null,
    });
    return figures;
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`ingest benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
