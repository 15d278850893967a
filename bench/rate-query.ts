// Benchmark: how long the dashboard waits for the monthly rate of a very large shop.
//
// Fills a fresh database with one shop's JST months of 1,000,000 orders and 60,000 cancels each
// (October and November 2026, so the quarter holds two), in carts of three lines, with the count
// tables the repositories keep for both counting units (monthly_order_counts, carts, cart_cancels,
// cancel_totals, cancel_item_totals) summed from those rows, plus the shop's request history and
// pending requests. Then times, per counting unit (order line and cart), the month's own reads and
// RateService.monthlyRate (month, quarter and penalty tier: what every page load asks), and history
// and the from-scratch recount.
//
// Server: TEST_DATABASE_URL (a maintenance database URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)
// or an embedded PostgreSQL (bench-db.ts). Run: npm run build && node dist/bench/rate-query.js

import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/logger';
import { createBenchDatabase, withBenchServer } from './bench-db';
import { summarize, type Summary } from './bench-stats';
import { AlertRepository } from '../src/persistence/alert-repository';
import { CredentialsCipher } from '../src/persistence/credentials-cipher';
import { RateRepository, reportSql } from '../src/persistence/rate-repository';
import type { CountingUnit } from '../src/domain/cancel-rate';
import { ShopRepository } from '../src/persistence/shop-repository';
import { AlertService } from '../src/services/alert-service';
import { RateService } from '../src/services/rate-service';

const ORDERS = 1_000_000;
const CANCELS = 60_000;
const PENDING = 200;
/** 500 calls: a p99 of 50 samples would be their second-largest. */
const CALLS = 500;
const MONTH = '2026-11';
/** 2026-11-01 00:00 JST: orders arrive every 2.5 s from here, 1,000,000 of them by 2026-11-29 22:26 JST. */
const MONTH_START = '2026-10-31T15:00:00Z';
/** 2026-10-01 00:00 JST: October is filled the same way, so the quarter holds two such months. */
const OCTOBER_START = '2026-09-30T15:00:00Z';
/** The bench's clock: 2026-11-30 00:00 JST, inside the month, 1.5 h after the last order. */
const NOW = new Date('2026-11-29T15:00:00Z');

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

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

/** Times several calls in turns (a, b, a, b, ...), so that neither pays for what the machine did first. */
async function timeInTurns(calls: number, runs: ReadonlyArray<() => Promise<unknown>>): Promise<Summary[]> {
  const samples = runs.map((): number[] => []);
  for (let i = 0; i < calls; i += 1) {
    for (const [index, run] of runs.entries()) {
      const started = performance.now();
      await run();
      samples[index]!.push(performance.now() - started);
    }
  }
  return samples.map(summarize);
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * One JST month of a large shop: order lines every 2.5 s from `monthStart` (1,000,000 of them) in
 * carts of three lines, 500 items, one in 50 unpaid; every 16th line cancelled 0 to 23.5 h after it
 * was placed (elapsed < 6 h is excluded). Order numbers start with `prefix`. Months are the JST months
 * of the instants, as jstMonthOf stamps them.
 */
async function fillMonth(query: Query, shopId: string, prefix: string, monthStart: string, month: string): Promise<void> {
  await query(
    `INSERT INTO orders (shop_id, order_no, pack_no, ordered_at, order_month, paid_at, item_no, seller_item_code, item_title,
       quantity, unit_price_yen, total_yen)
     SELECT $1, $5 || lpad(g::text, 9, '0'), 'P' || $5 || lpad(((g + 2) / 3)::text, 9, '0'), t, $3,
       CASE WHEN g % 50 = 0 THEN NULL ELSE t + interval '1 minute' END,
       'I' || (g % 500), 'SKU-' || (g % 500), 'Item ' || (g % 500), 1, 1980, 1980
     FROM generate_series(1, $4::int) AS g, LATERAL (SELECT $2::timestamptz + g * interval '2.5 seconds' AS t) AS at`,
    [shopId, monthStart, month, ORDERS, prefix],
  );
  await query(
    `INSERT INTO cancels (shop_id, order_no, pack_no, ordered_at, cancelled_at, order_month, cancel_month, paid_month, cause, counted,
       item_key, item_title, source)
     SELECT o.shop_id, o.order_no, o.pack_no, o.ordered_at, c.at, o.order_month, to_char(c.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'),
       to_char(o.paid_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'),
       CASE WHEN n % 10 < 6 THEN 'buyer' WHEN n % 10 < 9 THEN 'seller_fault' ELSE 'shipping_delay' END,
       (n % 48) >= 12, o.seller_item_code, o.item_title, 'qoo10'
     FROM generate_series(1, $2::int) AS n, LATERAL (SELECT n * 16 AS g) AS k
     JOIN orders o ON o.shop_id = $1 AND o.order_no = $3 || lpad(k.g::text, 9, '0'),
     LATERAL (SELECT o.ordered_at + (n % 48) * interval '30 minutes' AS at) AS c`,
    [shopId, CANCELS, prefix],
  );
}

/**
 * October and November 2026 as above (the quarter then holds 2,000,000 orders and 120,000 cancels),
 * the count tables summed from those rows exactly as CancelRepository.recordCancel and
 * OrderRepository.upsertOrders keep them (the recount below checks it), and pending requests.
 */
async function fill(query: Query, shopId: string): Promise<void> {
  await fillMonth(query, shopId, 'A', OCTOBER_START, '2026-10');
  await fillMonth(query, shopId, 'B', MONTH_START, MONTH);
  // Carts: the earliest line's order time and payment time (OrderRepository.upsertOrders).
  await query(
    `INSERT INTO carts (shop_id, pack_no, ordered_at, order_month, paid_at)
     SELECT shop_id, pack_no, min(ordered_at), to_char(min(ordered_at) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'), min(paid_at)
     FROM orders WHERE shop_id = $1 GROUP BY shop_id, pack_no`,
    [shopId],
  );
  const monthCounts = (unit: 'orders' | 'carts') => [
    `INSERT INTO monthly_order_counts (shop_id, month, ${unit}_placed, ${unit}_paid)
     SELECT $1, order_month, count(*), count(paid_at) FROM ${unit} WHERE shop_id = $1 GROUP BY order_month
     ON CONFLICT (shop_id, month) DO UPDATE SET ${unit}_placed = EXCLUDED.${unit}_placed, ${unit}_paid = EXCLUDED.${unit}_paid`,
    `INSERT INTO monthly_order_counts (shop_id, month, ${unit}_paid_in_month)
     SELECT $1, to_char(paid_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'), count(*) FROM ${unit} WHERE shop_id = $1 AND paid_at IS NOT NULL GROUP BY 2
     ON CONFLICT (shop_id, month) DO UPDATE SET ${unit}_paid_in_month = EXCLUDED.${unit}_paid_in_month`,
  ];
  for (const sql of [...monthCounts('orders'), ...monthCounts('carts')]) await query(sql, [shopId]);
  // A cart's cancel: its first counted line's, else its first line's (CancelRepository, cartCancelOf).
  await query(
    `INSERT INTO cart_cancels (shop_id, pack_no, order_no, ordered_at, cancelled_at, order_month, cancel_month, paid_month, cause, counted,
       item_key, item_title, source)
     SELECT DISTINCT ON (c.pack_no) c.shop_id, c.pack_no, c.order_no, c.ordered_at, c.cancelled_at, k.order_month, c.cancel_month,
       to_char(k.paid_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'), c.cause, c.counted, c.item_key, c.item_title, c.source
     FROM cancels c JOIN carts k ON k.shop_id = c.shop_id AND k.pack_no = c.pack_no
     WHERE c.shop_id = $1 ORDER BY c.pack_no, c.counted DESC, c.cancelled_at, c.order_no COLLATE "C"`,
    [shopId],
  );
  for (const [unit, rows] of [['order_line', 'cancels'], ['cart', 'cart_cancels']] as const) {
    await query(
      `INSERT INTO cancel_totals (shop_id, unit, cancel_month, order_month, paid_month, cause, counted, excluded)
       SELECT shop_id, $2, cancel_month, order_month, COALESCE(paid_month, ''), cause, count(*) FILTER (WHERE counted), count(*) FILTER (WHERE NOT counted)
       FROM ${rows} WHERE shop_id = $1 GROUP BY 1, 3, 4, 5, 6`,
      [shopId, unit],
    );
    await query(
      `INSERT INTO cancel_item_totals (shop_id, unit, cancel_month, order_month, paid_month, item_key, cause, item_title, counted, excluded)
       SELECT shop_id, $2, cancel_month, order_month, COALESCE(paid_month, ''), item_key, cause, max(item_title),
         count(*) FILTER (WHERE counted), count(*) FILTER (WHERE NOT counted)
       FROM ${rows} WHERE shop_id = $1 GROUP BY 1, 3, 4, 5, 6, 7`,
      [shopId, unit],
    );
  }
  // The shop's request history (one settled request per cancel), then the pending requests on the
  // last 7 hours of orders: about three in four still inside the window at NOW. Each keeps its
  // order's facts, as CancelRequestRepository.recordRequests writes them.
  await query(
    `INSERT INTO cancel_requests (shop_id, order_no, pack_no, requested_at, status, ordered_at, order_month, item_key, item_title, cancel_booked)
     SELECT shop_id, order_no, pack_no, cancelled_at - interval '10 minutes', 'done', ordered_at, order_month, item_key, item_title, true
     FROM cancels WHERE shop_id = $1`,
    [shopId],
  );
  await query(
    `INSERT INTO cancel_requests (shop_id, order_no, pack_no, requested_at, status, ordered_at, order_month, item_key, item_title)
     SELECT $1, o.order_no, o.pack_no, $2::timestamptz - interval '5 minutes', 'pending', o.ordered_at, o.order_month,
       COALESCE(NULLIF(o.seller_item_code, ''), o.item_no), o.item_title
     FROM generate_series(1, $4::int) AS g JOIN orders o ON o.shop_id = $1 AND o.order_no = 'B' || lpad((($3::int) - g * 50)::text, 9, '0')`,
    [shopId, NOW, ORDERS - 1, PENDING],
  );
  await query(
    'VACUUM ANALYZE orders, cancels, carts, cart_cancels, monthly_order_counts, cancel_requests, cancel_totals, cancel_item_totals',
  );
  // Write the 2,000,000 new rows out now, so a checkpoint does not land inside the timed calls.
  await query('CHECKPOINT').catch(() => undefined);
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
    const repository = new RateRepository(dataSource);
    const serviceFor = (countingUnit: CountingUnit) =>
      new RateService(
        repository,
        shops,
        alerts,
        { limit: 0.07, alertLevels: [0.05, 0.06, 0.07], exclusionHours: 6, denominator: 'orders_placed', countingUnit },
        () => NOW,
      );
    const units = (['order_line', 'cart'] as const).map((unit) => ({ unit, rates: serviceFor(unit) }));
    const checked = [];
    for (const { unit, rates } of units) {
      checked.push({
        unit,
        report: await rates.monthlyRate(shop.id, MONTH),
        recount: await rates.recountFromScratch(shop.id, MONTH),
        quarterRecount: await rates.recountFromScratch(shop.id, '2026-Q4'),
      });
    }
    // Settle the database after the 4,000,000-row fill: the first timed figure must not pay for it.
    for (let i = 0; i < 200; i += 1) for (const { rates } of units) await rates.monthlyRate(shop.id, MONTH);
    // Per unit, the month's own reads (the report's statement without the quarters) and the whole
    // report, and an empty round trip (the machine's floor at the same moments), all in turns.
    const monthReads = (rates: RateService) => () =>
      repository.reportCounts(shop.id, MONTH, [], rates.rateDefinition(), { include: true, now: NOW, exclusionHours: 6, listLimit: 100 });
    const timed = await timeInTurns(CALLS, [
      ...units.flatMap(({ rates }) => [monthReads(rates), () => rates.monthlyRate(shop.id, MONTH)]),
      () => dataSource.query('SELECT 1'),
    ]);
    const floor = timed[timed.length - 1]!;
    // Each read alone (order lines), to name the bottleneck.
    const definition = units[0]!.rates.rateDefinition();
    const cartDefinition = units[1]!.rates.rateDefinition();
    const parts = {
      breakdown: await timeCalls(200, () => repository.monthBreakdown(shop.id, MONTH, definition)),
      pending: await timeCalls(200, () => repository.pendingRequests(shop.id, definition, NOW, 6, 100)),
      cartPending: await timeCalls(200, () => repository.pendingRequests(shop.id, cartDefinition, NOW, 6, 100)),
      quarters: await timeCalls(200, () => repository.periodCounts(shop.id, [['2026-10', '2026-11', '2026-12'], ['2026-07', '2026-08', '2026-09'], ['2026-04', '2026-05', '2026-06']], definition)),
    };
    const history = await timeCalls(100, () => units[0]!.rates.history(shop.id, 12));
    const scans = [];
    for (const { rates } of units) scans.push(await timeCalls(3, () => rates.recountFromScratch(shop.id, MONTH)));

    if (process.env.BENCH_EXPLAIN) {
      // The plans of the report's reads, to see where the time goes (BENCH_EXPLAIN=1).
      const explain = async (sql: string, params: unknown[]) => {
        const plan: Array<Record<string, string>> = await dataSource.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        process.stdout.write(`${plan.map((row) => Object.values(row)[0]).join('\n')}\n\n`);
      };
      const quarters = ['2026-10', '2026-11', '2026-12', '2026-07', '2026-08', '2026-09', '2026-04', '2026-05', '2026-06'];
      for (const def of [definition, cartDefinition]) {
        await explain(reportSql(def), [shop.id, quarters, [MONTH], NOW, 6, null, 100, true]);
      }
    }
    const { report } = checked[0]!;
    const q = report.quarter;
    const lines = [
      `rate-query benchmark (${serverDescription})`,
      `  data: ${report.orders.toLocaleString('en')} orders in ${MONTH}, ${(report.countedCancels + report.excludedCancels).toLocaleString('en')} cancels this month ` +
        `(${report.countedCancels.toLocaleString('en')} counted), ${report.pending.total} pending requests ` +
        `(${report.pending.insideExclusionWindow} inside the 6-hour window); quarter ${q.period}: ${q.orders.toLocaleString('en')} orders, ` +
        `${(q.countedCancels + q.excludedCancels).toLocaleString('en')} cancels; filled in ${fillSeconds.toFixed(1)} s`,
      ...checked.map(
        (c) =>
          `  ${c.unit.padEnd(10)}: ${c.report.orders.toLocaleString('en')} orders, ${c.report.countedCancels.toLocaleString('en')} counted / ` +
          `${c.report.excludedCancels.toLocaleString('en')} excluded, rate ${(c.report.rate * 100).toFixed(2)} %, pending ${c.report.pending.total} ` +
          `(${c.report.pending.insideExclusionWindow} inside); quarter ${(c.report.quarter.rate * 100).toFixed(2)} %, tier ${c.report.quarter.tier}; ` +
          `recount consistent: month ${c.recount.consistent}, quarter ${c.quarterRecount.consistent}`,
      ),
      ...units.flatMap(({ unit }, index) => {
        const [monthOnly, monthly] = [timed[2 * index]!, timed[2 * index + 1]!];
        return [
          `  ${unit.padEnd(10)} month reads x${CALLS}: p50 ${ms(monthOnly.p50)}  p95 ${ms(monthOnly.p95)}  p99 ${ms(monthOnly.p99)}  max ${ms(monthOnly.max)}`,
          `  ${unit.padEnd(10)} monthlyRate x${CALLS}: p50 ${ms(monthly.p50)}  p95 ${ms(monthly.p95)}  p99 ${ms(monthly.p99)}  max ${ms(monthly.max)}  (month + quarter + tier)`,
        ];
      }),
      `  SELECT 1              x${CALLS}: p50 ${ms(floor.p50)}  p95 ${ms(floor.p95)}  p99 ${ms(floor.p99)}  max ${ms(floor.max)}  (one empty round trip, in the same turns: the machine's floor)`,
      `  parts x200 (p50 / p99): month breakdown ${ms(parts.breakdown.p50)} / ${ms(parts.breakdown.p99)}, pending ${ms(parts.pending.p50)} / ${ms(parts.pending.p99)}, ` +
        `pending by cart ${ms(parts.cartPending.p50)} / ${ms(parts.cartPending.p99)}, three quarters ${ms(parts.quarters.p50)} / ${ms(parts.quarters.p99)}`,
      `  history(12)   x100: p50 ${ms(history.p50)}  p99 ${ms(history.p99)}`,
      `  recountFromScratch x3 (p50): order lines ${ms(scans[0]!.p50)}, carts ${ms(scans[1]!.p50)}  (a scan; verification only)`,
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
