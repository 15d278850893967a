// The measured process of the first-poll memory benchmark (bench/memory.ts): the service composed as
// compose.ts composes it, in its own process, runs one shop's first poll (orders, then claims) over a
// given window against the simulator, which lives in the parent so its memory is not counted here.
// The parent reads this process's RSS from /proc; this process reports its own heap figures (sampled
// every 50 ms) and the poll's counts as one JSON line on stdout.
// Environment: DATABASE_URL, QOO10_API_BASE_URL, BENCH_SAK (the shop's key), BENCH_FROM, BENCH_TO (ISO
// instants), QOO10_SEARCH_DATE_FORMAT (optional).
import { compose } from '../src/compose';
import { loadConfig } from '../src/config/config';
import { silentLogger } from '../src/logger';
import { createDataSource } from '../src/persistence/data-source';
import { CancelRepository } from '../src/persistence/cancel-repository';
import { CancelRequestRepository } from '../src/persistence/cancel-request-repository';
import { PollService } from '../src/services/poll-service';
import { BENCH_ADMIN_TOKEN, BENCH_SECRET } from './bench-world';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const env = { ADMIN_TOKEN: BENCH_ADMIN_TOKEN, LOG_LEVEL: 'silent', QOO10_MIN_INTERVAL_MS: '0', QOO10_TIMEOUT_MS: '300000', ...process.env };
  const config = loadConfig(env);
  const dataSource = createDataSource(required('DATABASE_URL'), { poolSize: 4, applicationName: 'cancel-guard-bench-child' });
  await dataSource.initialize();
  const logger = silentLogger();
  const services = compose({ config, logger, dataSource, credentialsSecret: BENCH_SECRET, adminToken: BENCH_ADMIN_TOKEN, qoo10BaseUrl: () => required('QOO10_API_BASE_URL') });
  const poll = new PollService(dataSource, services.orders, new CancelRequestRepository(dataSource), new CancelRepository(dataSource, config.rate.exclusionHours), services.alerts, logger);
  const shop = await services.shops.ensureShopForKey({ name: 'ベンチ大型店', sellerAuthKey: required('BENCH_SAK'), isDemo: false });
  const client = await services.qoo10Clients(shop);

  const peak = { heapUsed: 0, external: 0, arrayBuffers: 0, rss: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.rss = Math.max(peak.rss, m.rss);
  };
  const baseline = process.memoryUsage().rss;
  const sampler = setInterval(sample, 50);
  const started = Date.now();
  const window = { from: new Date(required('BENCH_FROM')), to: new Date(required('BENCH_TO')), first: true };
  // The two halves as pollShop runs them, with the peak of each.
  const orders = await poll.pollOrders(shop, client, window);
  sample();
  const afterOrders = { ...peak };
  const claims = await poll.pollClaims(shop, client, window);
  const counts = { ...orders, ...claims, dataFaults: orders.dataFaults + claims.dataFaults };
  const ms = Date.now() - started;
  clearInterval(sampler);
  sample();
  const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM orders WHERE shop_id = $1', [shop.id]);
  process.stdout.write(`${JSON.stringify({ counts, stored: n, ms, baselineRss: baseline, peak, afterOrders })}\n`);
  await dataSource.destroy();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`first-poll child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
