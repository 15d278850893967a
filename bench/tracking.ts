// Benchmark: how long a tracking number takes from its arrival at the admin API to the Qoo10 simulator.
//
// Wires the tracking path as compose.ts does (real PostgreSQL, HttpQoo10Client over real HTTP to the
// simulator, the tracking routes on a listening express app) and measures:
//   1. one number, POST /api/shipments, x50: arrival → the simulator receiving SetSendingInfo, and the
//      full answer (stored, sent, Qoo10's answer recorded) minus the simulator's injected latency;
//   2. a 5,000-row B2クラウド export (Shift_JIS) uploaded to POST /api/shipments/import: arrival → the
//      last SetSendingInfoBulk row at the simulator, and the full answer, latency subtracted.
// The client's polite pacing (150 ms between calls by default) is switched off: it measures Qoo10's
// rules, not this code.
//
// Server: TEST_DATABASE_URL (a maintenance database URL) or an embedded PostgreSQL under .data/bench-pg.
// Run: npm run build && node dist/bench/tracking.js
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import express from 'express';
import iconv from 'iconv-lite';
import { PROJECT_ROOT } from '../src/config/paths';
import type { Order } from '../src/domain/types';
import { silentLogger } from '../src/logger';
import { requireAdminToken } from '../src/http/auth';
import { errorMiddleware } from '../src/http/error-middleware';
import { trackingRoutes } from '../src/http/routes/tracking-routes';
import { ActionRepository } from '../src/persistence/action-repository';
import { AlertRepository } from '../src/persistence/alert-repository';
import { FactsRepository } from '../src/persistence/facts-repository';
import { CancelRepository } from '../src/persistence/cancel-repository';
import { CancelRequestRepository } from '../src/persistence/cancel-request-repository';
import { CredentialsCipher } from '../src/persistence/credentials-cipher';
import { OrderRepository } from '../src/persistence/order-repository';
import { ShopLock } from '../src/persistence/shop-lock';
import { ShopRepository } from '../src/persistence/shop-repository';
import { TrackingRepository } from '../src/persistence/tracking-repository';
import { HttpQoo10Client } from '../src/qoo10/http-qoo10-client';
import { formatJstDateTime } from '../src/qoo10/qoo10-dates';
import type { ScenarioOrder } from '../src/qoo10/simulator/scenario';
import { startSimulator, type SimulatorHandle } from '../src/qoo10/simulator/start-simulator';
import { ActionExecutor } from '../src/services/action-executor';
import { AlertService } from '../src/services/alert-service';
import { BulkTrackingSender } from '../src/services/bulk-tracking-sender';
import { TrackingService } from '../src/services/tracking-service';
import { HeldTrackingService } from '../src/services/tracking-held-service';
import { HeldShipmentRepository } from '../src/persistence/held-shipment-repository';
import { createBenchDatabase, withBenchServer } from './bench-db';
import { percentile } from './bench-stats';

const SINGLES = 50;
const IMPORT_ROWS = 5_000;
/**
 * Injected at the simulator on every call, as a stand-in for the network to Qoo10; subtracted below.
 * BENCH_TRACKING_LATENCY_MS (default 5); 150 measures the import at Qoo10-like latency.
 */
const SIM_LATENCY_MS = Number(process.env.BENCH_TRACKING_LATENCY_MS ?? 5);
const TOKEN = 'bench-admin-token-0123456789';
const SHOP_KEY = 'SAK-bench-tracking-0001';



const ms = (value: number) => `${value.toFixed(1)} ms`;

/** A Yamato number (11-digit base + base mod 7) for order `i`. */
function yamatoNumber(i: number): string {
  const base = String(20_000_000_000 + i);
  let remainder = 0;
  for (const ch of base) remainder = (remainder * 10 + Number(ch)) % 7;
  return `${base}${remainder}`;
}

/** A B2クラウド export in Shift_JIS, one row per order: the header of the sample export, then data rows. */
function b2Export(orderNos: readonly string[], firstNumber: number): Buffer {
  const sample = iconv.decode(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/label-csv/yamato-b2.sjis.csv')), 'cp932');
  const header = sample.split('\r\n')[0]!;
  const width = header.split(',').length;
  const rows = orderNos.map((orderNo, i) => {
    const cells = new Array<string>(width).fill('');
    [cells[0], cells[1], cells[3], cells[4], cells[24]] = [orderNo, '0', yamatoNumber(firstNumber + i), '2026/11/20', 'ベンチ商店'];
    return cells.join(',');
  });
  return iconv.encode(`${[header, ...rows].join('\r\n')}\r\n`, 'cp932');
}

function storedOrder(orderNo: string): Order {
  const orderedAt = new Date(Date.now() - 3 * 3_600_000);
  return {
    orderNo, packNo: orderNo, orderedAt, paidAt: orderedAt, shippingDeadline: null, shippedAt: null, deliveredAt: null, shippingStatus: 3,
    itemNo: '1', sellerItemCode: 'BENCH', itemTitle: 'Bench item', itemOption: null, quantity: 1, unitPriceYen: 1000, totalYen: 1000,
    paymentMethod: null, carrier: null, trackingNo: null, buyerName: null, buyerEmail: null,
  };
}

function simOrder(orderNo: string): ScenarioOrder {
  const orderedAt = formatJstDateTime(new Date(Date.now() - 3 * 3_600_000));
  return { orderNo, orderedAt, paidAt: orderedAt, shippingStatus: 3, itemNo: '1', itemTitle: 'Bench item', quantity: 1, unitPriceYen: 1000, paymentMethod: 'クレジットカード' };
}

/** When the simulator received the last SetSendingInfo(Bulk) call made after `fromSeq`, as epoch ms. */
function lastSendingCallAt(sim: SimulatorHandle, fromSeq: number): number {
  const calls = sim.calls.filter((c) => c.seq > fromSeq && /^ShippingBasic\.SetSendingInfo/i.test(c.method));
  if (calls.length === 0) throw new Error('the simulator received no SetSendingInfo call');
  return calls[calls.length - 1]!.at.getTime();
}

async function post(url: string, body: Buffer | string, contentType: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': contentType }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function main(): Promise<void> {
  await withBenchServer((server) => run(server.adminUrl, server.description));
}

async function run(adminUrl: string, serverDescription: string): Promise<void> {
  const db = await createBenchDatabase(adminUrl);
  const ds = db.dataSource;

  const singleOrders = Array.from({ length: SINGLES + 5 }, (_, i) => String(1_100_000_000 + i));
  const importOrders = Array.from({ length: IMPORT_ROWS }, (_, i) => String(1_200_000_000 + i));
  const sim = await startSimulator({
    scenario: { shops: [{ sellerAuthKey: SHOP_KEY, name: 'Bench shop', orders: [...singleOrders, ...importOrders].map(simOrder), claims: [] }] },
    faults: { latencyMs: SIM_LATENCY_MS },
  });
  let server: Server | null = null;
  try {
    const logger = silentLogger();
    const shops = new ShopRepository(ds, new CredentialsCipher('b'.repeat(32)), {
      policy: { packedOrders: 'review', refuseMadeToOrder: true, sameDayCutoffJst: '17:00', stockMeaning: 'on_hand', autoDecisions: ['accept', 'refuse'] },
    });
    const shop = await shops.ensureShopForKey({ name: 'Bench shop', sellerAuthKey: SHOP_KEY, isDemo: false });
    const orders = new OrderRepository(ds);
    await orders.upsertOrders(shop.id, [...singleOrders, ...importOrders].map(storedOrder));
    const actions = new ActionRepository(ds);
    const alerts = new AlertService(new AlertRepository(ds), false, logger);
    const executor = new ActionExecutor(ds, actions, new CancelRequestRepository(ds), orders, new CancelRepository(ds, 6), shops, alerts, logger, new FactsRepository(ds));
    const client = new HttpQoo10Client({ baseUrl: sim.url, sellerAuthKey: SHOP_KEY, logger, minIntervalMs: 0 });
    const trackingRepository = new TrackingRepository(ds);
    const heldShipments = new HeldShipmentRepository(ds);
    const tracking = new TrackingService(
      ds, shops, new ShopLock(ds), trackingRepository, heldShipments, actions, new BulkTrackingSender(actions, trackingRepository, executor, logger), alerts,
      async () => client, logger, () => new Date(),
    );
    const held = new HeldTrackingService(ds, shops, heldShipments, trackingRepository, tracking, logger);
    const app = express();
    const api = express.Router();
    api.use(requireAdminToken(TOKEN), express.json({ limit: '1mb' }), trackingRoutes(tracking, held));
    app.use('/api', api);
    app.use(errorMiddleware(logger));
    server = await new Promise<Server>((done) => {
      const s = app.listen(0, '127.0.0.1', () => done(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;

    // Warm-up: connections, JIT, the client's keep-alive.
    for (let i = 0; i < 5; i += 1) {
      await post(`${base}/shipments`, JSON.stringify({ orderNo: singleOrders[SINGLES + i], carrier: 'ヤマト', trackingNo: yamatoNumber(900_000 + i) }), 'application/json');
    }

    const toSimulator: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < SINGLES; i += 1) {
      const fromSeq = sim.calls.length;
      const arrivedAt = Date.now();
      const started = performance.now();
      const res = await post(`${base}/shipments`, JSON.stringify({ orderNo: singleOrders[i], carrier: 'ヤマト', trackingNo: yamatoNumber(i) }), 'application/json');
      roundTrip.push(performance.now() - started - SIM_LATENCY_MS);
      if (res.status !== 200 || (res.json.counts as { submitted: number }).submitted !== 1) throw new Error(`single submission failed: ${JSON.stringify(res.json)}`);
      toSimulator.push(lastSendingCallAt(sim, fromSeq) - arrivedAt);
    }
    toSimulator.sort((a, b) => a - b);
    roundTrip.sort((a, b) => a - b);

    const file = b2Export(importOrders, 100_000);
    const fromSeq = sim.calls.length;
    const arrivedAt = Date.now();
    const started = performance.now();
    const res = await post(`${base}/shipments/import?filename=bench-b2.csv`, file, 'text/csv');
    const importMs = performance.now() - started;
    const counts = res.json.counts as { submitted: number; accepted: number };
    if (res.status !== 200 || counts.submitted !== IMPORT_ROWS) throw new Error(`import failed: ${JSON.stringify(res.json).slice(0, 500)}`);
    const bulkCalls = sim.calls.filter((c) => c.seq > fromSeq && /SetSendingInfoBulk/i.test(c.method)).length;
    const lastAtSim = lastSendingCallAt(sim, fromSeq) - arrivedAt - (bulkCalls - 1) * SIM_LATENCY_MS;
    const importNet = importMs - bulkCalls * SIM_LATENCY_MS;

    process.stdout.write(
      [
        `tracking benchmark (${serverDescription}, simulator latency ${SIM_LATENCY_MS} ms subtracted)`,
        `  one number, POST /api/shipments x${SINGLES}:`,
        `    arrival → simulator has it      p50 ${ms(percentile(toSimulator, 50))}  p99 ${ms(percentile(toSimulator, 99))}  max ${ms(toSimulator[toSimulator.length - 1]!)}  (ms clock)`,
        `    arrival → answer (sent+recorded) p50 ${ms(percentile(roundTrip, 50))}  p99 ${ms(percentile(roundTrip, 99))}  max ${ms(roundTrip[roundTrip.length - 1]!)}`,
        `  ${IMPORT_ROWS.toLocaleString('en')}-row B2 export (Shift_JIS, ${(file.length / 1024).toFixed(0)} KiB), POST /api/shipments/import:`,
        `    arrival → last row at simulator ${ms(lastAtSim)}  (${bulkCalls} SetSendingInfoBulk calls)`,
        `    arrival → last row at simulator, latency included: ${ms(lastSendingCallAt(sim, fromSeq) - arrivedAt)} at ${SIM_LATENCY_MS} ms per call`,
        `    arrival → answer (all recorded)  ${ms(importNet)}  = ${((IMPORT_ROWS / importNet) * 1000).toFixed(0)} rows/s`,
      ].join('\n') + '\n',
    );
  } finally {
    if (server) await new Promise<void>((done) => server!.close(() => done()));
    await sim.close();
    await db.drop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`tracking benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
