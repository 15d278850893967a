// Benchmark: how long the dashboard waits for the monthly rate of a very large shop.
//
// Fills a fresh database with one shop's JST month of 1,000,000 orders (monthly_order_counts kept
// in step, as OrderRepository.upsertOrders keeps it) and 60,000 cancels, classified as
// CancelRepository.recordCancel classifies them, plus pending requests. Then times
// RateService.monthlyRate (what every page load asks), history and the from-scratch recount.
//
// Server: TEST_DATABASE_URL (a maintenance database URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)
// or an embedded PostgreSQL (bench-db.ts). Run: npm run build && node dist/bench/rate-query.js

import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/logger';
import { createBenchDatabase, withBenchServer } from './bench-db';
import { summarize, type Summary } from './bench-stats';
import { AlertRepository } from '../src/persistence/alert-repository';
import { CredentialsCipher } from '../src/persistence/credentials-cipher';
import { RateRepository } from '../src/persistence/rate-repository';
import { ShopRepository } from '../src/persistence/shop-repository';
import { AlertService } from '../src/services/alert-service';
import { RateService } from '../src/services/rate-service';

const ORDERS = 1_000_000;
const CANCELS = 60_000;
const PENDING = 200;
const CALLS = 50;
const MONTH = '2026-11';
/** 2026-11-01 00:00 JST: orders arrive every 2.5 s from here, 1,000,000 of them by 2026-11-29 22:26 JST. */
const MONTH_START = '2026-10-31T15:00:00Z';
/** The bench's clock: 2026-11-30 00:00 JST, inside the month, 1.5 h after the last order. */
const NOW = new Date('2026-11-29T15:00:00Z');



async function timeCalls(calls: number, run: () => Promise<unknown>): Promise<Summary> {
  for (let i = 0; i < 5; i += 1) await run(); // warm the caches and the connection pool
  const samples: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function fill(query: (sql: string, params?: unknown[]) => Promise<unknown>, shopId: string): Promise<void> {
  // Order lines: one every 2.5 s, 500 items, one in 50 unpaid.
  await query(
    `INSERT INTO orders (shop_id, order_no, pack_no, ordered_at, order_month, paid_at, item_no, seller_item_code, item_title,
       quantity, unit_price_yen, total_yen)
     SELECT $1, 'B' || lpad(g::text, 9, '0'), 'P' || lpad(g::text, 9, '0'), t, $3,
       CASE WHEN g % 50 = 0 THEN NULL ELSE t + interval '1 minute' END,
       'I' || (g % 500), 'SKU-' || (g % 500), 'Item ' || (g % 500), 1, 1980, 1980
     FROM generate_series(1, $4::int) AS g, LATERAL (SELECT $2::timestamptz + g * interval '2.5 seconds' AS t) AS at`,
    [shopId, MONTH_START, MONTH, ORDERS],
  );
  await query(
    `INSERT INTO monthly_order_counts (shop_id, month, orders_placed, orders_paid)
     SELECT $1, order_month, count(*), count(paid_at) FROM orders WHERE shop_id = $1 GROUP BY order_month`,
    [shopId],
  );
  // Every 16th order is cancelled 0 to 23.5 hours after it was placed (elapsed < 6 h is excluded).
  // Months are the JST months of the instants, as jstMonthOf stamps them.
  await query(
    `INSERT INTO cancels (shop_id, order_no, ordered_at, cancelled_at, order_month, cancel_month, cause, counted, item_key, item_title, source)
     SELECT o.shop_id, o.order_no, o.ordered_at, c.at, o.order_month, to_char(c.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'),
       CASE WHEN n % 10 < 6 THEN 'buyer' WHEN n % 10 < 9 THEN 'seller_fault' ELSE 'shipping_delay' END,
       (n % 48) >= 12, o.seller_item_code, o.item_title, 'qoo10'
     FROM generate_series(1, $2::int) AS n, LATERAL (SELECT n * 16 AS g) AS k
     JOIN orders o ON o.shop_id = $1 AND o.order_no = 'B' || lpad(k.g::text, 9, '0'),
     LATERAL (SELECT o.ordered_at + (n % 48) * interval '30 minutes' AS at) AS c`,
    [shopId, CANCELS],
  );
  // Pending requests on the last 7 hours of orders: about three in four still inside the window at NOW.
  await query(
    `INSERT INTO cancel_requests (shop_id, order_no, requested_at, status)
     SELECT $1, 'B' || lpad((($3::int) - g * 50)::text, 9, '0'), $2::timestamptz - interval '5 minutes', 'pending'
     FROM generate_series(1, $4::int) AS g`,
    [shopId, NOW, ORDERS - 1, PENDING],
  );
  await query('VACUUM ANALYZE orders, cancels, monthly_order_counts, cancel_requests');
}

export async function main(): Promise<void> {
  await withBenchServer((server) => run(server.adminUrl, server.description));
}

async function run(adminUrl: string, serverDescription: string): Promise<void> {
  const db = await createBenchDatabase(adminUrl);
  const dataSource = db.dataSource;
  try {
    const shops = new ShopRepository(dataSource, new CredentialsCipher('b'.repeat(32)), {
      policy: { packedOrders: 'review', refuseMadeToOrder: true, sameDayCutoffJst: '17:00', stockMeaning: 'on_hand', autoDecisions: ['accept', 'refuse'] },
    });
    const shop = await shops.ensureShopForKey({ name: 'Bench shop', sellerAuthKey: 'SAK-bench-0000001', isDemo: false });

    const filling = performance.now();
    await fill((sql, params) => dataSource.query(sql, params), shop.id);
    const fillSeconds = (performance.now() - filling) / 1000;

    const alerts = new AlertService(new AlertRepository(dataSource), false, silentLogger());
    const rates = new RateService(
      new RateRepository(dataSource),
      shops,
      alerts,
      { limit: 0.07, alertLevels: [0.05, 0.06, 0.07], exclusionHours: 6, denominator: 'orders_placed' },
      () => NOW,
    );

    const report = await rates.monthlyRate(shop.id, MONTH);
    const recount = await rates.recountFromScratch(shop.id, MONTH);
    const monthly = await timeCalls(CALLS, () => rates.monthlyRate(shop.id, MONTH));
    const history = await timeCalls(20, () => rates.history(shop.id, 12));
    const scan = await timeCalls(5, () => rates.recountFromScratch(shop.id, MONTH));

    const lines = [
      `rate-query benchmark (${serverDescription})`,
      `  data: ${report.orders.toLocaleString('en')} orders in ${MONTH}, ${(report.countedCancels + report.excludedCancels).toLocaleString('en')} cancels this month ` +
        `(${report.countedCancels.toLocaleString('en')} counted), ${report.pending.total} pending requests ` +
        `(${report.pending.insideExclusionWindow} inside the 6-hour window); filled in ${fillSeconds.toFixed(1)} s`,
      `  rate ${(report.rate * 100).toFixed(2)} %, headroom ${report.headroom}, recount consistent: ${recount.consistent}`,
      `  monthlyRate   x${CALLS}: p50 ${ms(monthly.p50)}  p95 ${ms(monthly.p95)}  p99 ${ms(monthly.p99)}  max ${ms(monthly.max)}`,
      `  history(12)   x20: p50 ${ms(history.p50)}  p99 ${ms(history.p99)}`,
      `  recountFromScratch x5: p50 ${ms(scan.p50)}  max ${ms(scan.max)}  (a scan; verification only)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await db.drop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`rate-query benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
