// The reliability ("chaos") harness: several shops in the Qoo10 simulator and in a real database, the
// service run as real child processes (`poll --once`, `start`) that can be SIGKILLed, cancel requests
// arriving over time, and the invariants checked afterwards. Used by the reduced tests
// (test/e2e/chaos-*.test.ts) and by `npm run chaos` (bench/chaos/run-chaos.ts) with larger numbers.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../../src/config/paths';
import { heapFlagsForChild } from '../../src/config/heap-flags';
import { compose, type Services } from '../../src/compose';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { jstMonthOf } from '../../src/domain/jst-calendar';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { FactsRepository } from '../../src/persistence/facts-repository';
import { RateRepository } from '../../src/persistence/rate-repository';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { BULK_ROW_FAILURE_CODE, type SimulatorFaults } from '../../src/qoo10/simulator/faults';
import type { SimShop } from '../../src/qoo10/simulator/sim-state';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { AlertService } from '../../src/services/alert-service';
import { RateService } from '../../src/services/rate-service';
import { testShopPolicy } from './builders';
import { HARNESS_SHOP_LEASE_SECONDS, leasesLapsed } from './shop-leases';
import { checkNoDoubleAction, checkNoShippedCancel, compareRate, type HandOverRecord, type ReportedRate } from './chaos-truth';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
export const CHAOS_SECRET = 'chaos-test-credentials-secret-0123456789';
export const CHAOS_ADMIN_TOKEN = 'chaos-admin-token-0123456789';

/** How a request should end when nothing goes wrong. */
export type ExpectedKind = 'accept' | 'seller-fault' | 'refuse' | 'review';
export const KINDS: readonly ExpectedKind[] = ['accept', 'seller-fault', 'refuse', 'review'];

export interface ChaosDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

export interface ChaosShop {
  id: string;
  key: string;
  name: string;
  sim: SimShop;
}

export interface OpenedRequest {
  shopId: string;
  orderNo: string;
  kind: ExpectedKind;
  /** Every line of the cart (a refusal submits tracking for each). */
  cartLines: string[];
}

export interface ChildRun {
  code: number | null;
  killed: boolean;
  ms: number;
  /** stdout and stderr interleaved, the last 8000 characters. */
  output: string;
  /** stdout alone (a command's --json answer). */
  stdout: string;
}

export interface Daemon {
  child: ChildProcess;
  /** The admin URL once the daemon announced it (start only). */
  url: Promise<string>;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ChaosWorld {
  db: ChaosDatabase;
  sim: SimulatorHandle;
  shops: ChaosShop[];
  opened: OpenedRequest[];
  /** What the harness told the shop about parcels that may have left (ground truth for shipped-cancel). */
  handedOver: HandOverRecord[];
  /** Confirmed orders that get no request (spareOrders of them per shop), for tracking imports. */
  unrequestedOrders(shop: ChaosShop, count: number): string[];
  /** Orders left in the pool for later requests of that kind. */
  remaining(shop: ChaosShop, kind: ExpectedKind): number;
  /** The buyer asks to cancel a new order of `shop`; `kind` says how it should end. */
  openRequest(shop: ChaosShop, kind?: ExpectedKind): Promise<OpenedRequest>;
  /** `cancel-guard poll --once` as its own process; SIGKILLed after `killAfterMs` if given. */
  runPollOnce(killAfterMs?: number, env?: Record<string, string>): Promise<ChildRun>;
  /** Any `cancel-guard` command as its own process (e.g. `rate --json`). */
  runCli(args: string[], killAfterMs?: number, env?: Record<string, string>): Promise<ChildRun>;
  /** `cancel-guard start` as its own process (admin API on a free port). */
  startDaemon(env?: Record<string, string>): Daemon;
  /** The environment the children get (database, simulator, secret, token). */
  childEnv(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export interface ChaosWorldOptions {
  db: ChaosDatabase;
  shops: number;
  /** Requests opened at once per kind per shop. */
  perKind: number;
  /** Further orders per kind per shop for requests opened later (openRequest). */
  laterPerKind: number;
  /** Confirmed orders per shop that never get a request (tracking imports use them). */
  spareOrders?: number;
  faults?: SimulatorFaults;
  /** Simulated latency per call, ms (default 20). */
  latencyMs?: number;
  /** Extra environment for every child (e.g. CANCEL_GUARD_TEST_DEFECTS for the self-test). */
  env?: Record<string, string>;
}

const HOUR_MS = 3_600_000;

/** A deterministic PRNG (LCG) so a failing run can be repeated from its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function yamatoNumber(serial: number): string {
  const base = 40_000_000_000 + serial;
  return `${base}${base % 7}`;
}

export async function createChaosWorld(options: ChaosWorldOptions): Promise<ChaosWorld> {
  const { db } = options;
  const sim = await startSimulator({ port: 0, faults: { latencyMs: options.latencyMs ?? 20, ...options.faults } });
  const shopRepository = new ShopRepository(db.dataSource, new CredentialsCipher(CHAOS_SECRET), { policy: testShopPolicy() });
  const facts = new FactsRepository(db.dataSource);
  const handedOver: HandOverRecord[] = [];
  const shops: ChaosShop[] = [];
  for (let i = 0; i < options.shops; i += 1) {
    const key = `chaos-sak-${process.pid}-${String(i + 1).padStart(3, '0')}`;
    const name = `カオス試験店${i + 1}`;
    const simShop = sim.state.addShop({ sellerAuthKey: key, name, orders: [], claims: [] });
    const shop = await shopRepository.ensureShopForKey({ name, sellerAuthKey: key, isDemo: false });
    await facts.setStock(shop.id, [
      { sellerItemCode: 'OK', available: 1_000_000 },
      { sellerItemCode: 'OUT', available: 0 },
    ]);
    shops.push({ id: shop.id, key, name, sim: simShop });
  }

  const orderedAt = () => new Date(Date.now() - 8 * HOUR_MS).toISOString();
  const shipDay = () => new Date(Date.now() + 2 * 86_400_000);
  let serial = 0;
  let cartSerial = 0;
  const confirmedOrder = (shop: ChaosShop, sellerItemCode: string, packNo?: string) => {
    serial += 1;
    const order = sim.state.addOrder(shop.sim, {
      ...(packNo ? { packNo } : {}),
      orderedAt: orderedAt(),
      itemTitle: `試験商品 ${sellerItemCode}`,
      itemNo: `6000${serial}`,
      sellerItemCode,
    });
    sim.state.sellerCheck(shop.sim, order.orderNo, shipDay());
    return order.orderNo;
  };

  // Orders are placed (and confirmed) up front, 8 hours ago, as a poll would have seen them; requests
  // come later, on orders of the pool.
  type Pooled = { orderNo: string; cartLines: string[] };
  const pools = new Map<string, Record<ExpectedKind, Pooled[]>>();
  const spare = new Map<string, string[]>();
  for (const shop of shops) {
    const pool: Record<ExpectedKind, Pooled[]> = { accept: [], 'seller-fault': [], refuse: [], review: [] };
    for (let n = 0; n < options.perKind + options.laterPerKind; n += 1) {
      for (const kind of KINDS) {
        if (kind === 'refuse') {
          // Every other refusal is a two-line cart: tracking goes to both lines.
          cartSerial += 1;
          const packNo = String(77_000_000 + cartSerial);
          const lines = [confirmedOrder(shop, 'OK', packNo)];
          if (cartSerial % 2 === 0) lines.push(confirmedOrder(shop, 'OK', packNo));
          await facts.recordOrderFact(shop.id, lines[0]!, { handedToCarrierAt: new Date() });
          await facts.recordKnownTracking(shop.id, lines[0]!, 'ヤマト宅急便', yamatoNumber(cartSerial));
          for (const line of lines) handedOver.push({ orderNo: line, how: 'handed to the carrier (tracking known)', afterCallSeq: sim.calls.length });
          pool.refuse.push({ orderNo: lines[0]!, cartLines: lines });
        } else {
          const orderNo = confirmedOrder(shop, kind === 'accept' ? 'OK' : kind === 'seller-fault' ? 'OUT' : 'UNKNOWN');
          pool[kind].push({ orderNo, cartLines: [orderNo] });
        }
      }
    }
    pools.set(shop.id, pool);
    spare.set(shop.id, Array.from({ length: options.spareOrders ?? 0 }, () => confirmedOrder(shop, 'OK')));
  }

  const opened: OpenedRequest[] = [];
  let rotation = 0;
  const openRequest = async (shop: ChaosShop, kind: ExpectedKind = KINDS[rotation++ % KINDS.length]!): Promise<OpenedRequest> => {
    const next = pools.get(shop.id)![kind].shift();
    if (!next) throw new Error(`no ${kind} order left in the pool of ${shop.name}`);
    const request: OpenedRequest = { shopId: shop.id, orderNo: next.orderNo, kind, cartLines: next.cartLines };
    sim.state.requestCancel(request.orderNo);
    opened.push(request);
    return request;
  };
  for (const shop of shops) {
    for (let n = 0; n < options.perKind; n += 1) for (const kind of KINDS) await openRequest(shop, kind);
  }

  const childEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    DATABASE_URL: db.url,
    QOO10_API_BASE_URL: sim.url,
    CREDENTIALS_SECRET: CHAOS_SECRET,
    ADMIN_TOKEN: CHAOS_ADMIN_TOKEN,
    QOO10_MIN_INTERVAL_MS: '0',
    QOO10_TIMEOUT_MS: '1000',
    AUTO_DECISIONS: 'accept,refuse,seller-fault',
    LOG_LEVEL: 'error',
    DATA_DIR: resolve(PROJECT_ROOT, '.data'),
    SHOP_LEASE_SECONDS: HARNESS_SHOP_LEASE_SECONDS,
    ...options.env,
    ...extra,
  });

  const runCli = (args: string[], killAfterMs?: number, env: Record<string, string> = {}): Promise<ChildRun> =>
    new Promise((done) => {
      const started = Date.now();
      let output = '';
      let stdout = '';
      // With the heap flags given here the process is not relaunched (heap-flags.ts): a SIGKILL hits the service.
      const heap = heapFlagsForChild();
      const child = spawn(process.execPath, [...heap.nodeArgs, CLI, ...args], { cwd: PROJECT_ROOT, env: childEnv({ ...env, ...heap.env }), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk) => {
        output = (output + String(chunk)).slice(-8000);
        stdout += String(chunk);
      });
      child.stderr.on('data', (chunk) => (output = (output + String(chunk)).slice(-8000)));
      let killed = false;
      const timer =
        killAfterMs === undefined
          ? null
          : setTimeout(() => {
              killed = child.exitCode === null && child.kill('SIGKILL');
            }, killAfterMs);
      // A run that hangs is a finding too: it is killed after two minutes and reported by its code.
      const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('exit', (code) => {
        if (timer) clearTimeout(timer);
        clearTimeout(guard);
        const run = { code, killed, ms: Date.now() - started, output, stdout };
        // A killed run's shop leases lapse by themselves (ADR 0021); the next run starts once they have.
        if (killed) leasesLapsed(db.dataSource).then(() => done(run), (error: Error) => done({ ...run, output: `${output}\n${error.message}` }));
        else done(run);
      });
    });

  return {
    db,
    sim,
    shops,
    opened,
    handedOver,
    unrequestedOrders(shop, count) {
      return (spare.get(shop.id) ?? []).splice(0, count);
    },
    remaining(shop, kind) {
      return pools.get(shop.id)?.[kind].length ?? 0;
    },
    openRequest,
    childEnv,
    runPollOnce(killAfterMs, env = {}) {
      return runCli(['poll', '--once'], killAfterMs, env);
    },
    runCli,
    startDaemon(env = {}) {
      let output = '';
      const heap = heapFlagsForChild();
      const child = spawn(process.execPath, [...heap.nodeArgs, CLI, 'start'], {
        cwd: PROJECT_ROOT,
        env: childEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env, ...heap.env }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const url = new Promise<string>((found, fail) => {
        const timer = setTimeout(() => fail(new Error(`the daemon did not announce its URL: ${output}`)), 30_000);
        const look = () => {
          const match = /running at (http:\/\/[\d.]+:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            found(match[1]!);
          }
        };
        child.stdout.on('data', (chunk) => {
          output = (output + String(chunk)).slice(-20_000);
          look();
        });
        child.stderr.on('data', (chunk) => (output = (output + String(chunk)).slice(-20_000)));
        child.once('exit', (code) => {
          clearTimeout(timer);
          fail(new Error(`the daemon exited (${code}) before announcing its URL: ${output}`));
        });
      });
      url.catch(() => undefined);
      return {
        child,
        url,
        output: () => output,
        stop: async (graceMs = 15_000) => {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(timer);
          return code;
        },
      };
    },
    async close() {
      await sim.close();
      await db.drop();
    },
  };
}

/**
 * The service composed in this process on the world's database and simulator (no HTTP listener, no
 * schedule), for what a shop does through the product: its facts API, a tracking submission.
 */
export function composeInProcess(world: Pick<ChaosWorld, 'db' | 'sim'>): Services {
  const config = loadConfig({ ADMIN_TOKEN: CHAOS_ADMIN_TOKEN, LOG_LEVEL: 'silent', QOO10_API_BASE_URL: world.sim.url, QOO10_MIN_INTERVAL_MS: '0', QOO10_TIMEOUT_MS: '1000' });
  return compose({ config, logger: silentLogger(), dataSource: world.db.dataSource, credentialsSecret: CHAOS_SECRET, adminToken: CHAOS_ADMIN_TOKEN, qoo10BaseUrl: () => world.sim.url });
}

export interface InvariantOptions {
  /** Without faults every request ends the expected way and is decided exactly once. */
  expectOutcomes: boolean;
}

/**
 * Everything that must hold after any mix of crashes, faults and concurrent daemons, once the last runs
 * ended cleanly. Returns one line per violation (empty: all hold).
 */
export async function checkInvariants(world: ChaosWorld, options: InvariantOptions): Promise<string[]> {
  const violations: string[] = [];
  const ds = world.db.dataSource;
  const rows: Array<{ id: string; shop_id: string; order_no: string; status: string; outcome: string | null; acting: number; decisions: number; qsm_tasks: number }> = await ds.query(
    `SELECT r.id, r.shop_id, r.order_no, r.status, r.outcome,
            (SELECT count(*)::int FROM decisions d WHERE d.request_id = r.id AND d.kind <> 'review') AS acting,
            (SELECT count(*)::int FROM decisions d WHERE d.request_id = r.id) AS decisions,
            (SELECT count(*)::int FROM decisions d WHERE d.request_id = r.id AND d.code = 'refuse_in_qsm') AS qsm_tasks
     FROM cancel_requests r`,
  );
  const byOrder = new Map<string, typeof rows>();
  for (const row of rows) byOrder.set(`${row.shop_id}|${row.order_no}`, [...(byOrder.get(`${row.shop_id}|${row.order_no}`) ?? []), row]);

  // No request lost, none duplicated, none invented.
  const openedKeys = new Set(world.opened.map((r) => `${r.shopId}|${r.orderNo}`));
  for (const request of world.opened) {
    const found = byOrder.get(`${request.shopId}|${request.orderNo}`) ?? [];
    if (found.length === 0) violations.push(`request lost: order ${request.orderNo} (${request.kind}) has no cancel_requests row`);
    if (found.length > 1) violations.push(`request duplicated: order ${request.orderNo} has ${found.length} rows`);
  }
  for (const row of rows) if (!openedKeys.has(`${row.shop_id}|${row.order_no}`)) violations.push(`unexpected request row for order ${row.order_no}`);

  // Every request settled, decided at most once (exactly once without faults).
  for (const row of rows) {
    if (!['done', 'review', 'closed'].includes(row.status)) violations.push(`request ${row.order_no} left ${row.status}`);
    if (row.acting > 1) violations.push(`request ${row.order_no} decided ${row.acting} times to act`);
    // A refusal Qoo10 still shows pending after ship-confirm gains one refuse_in_qsm task on top of its decision.
    if (options.expectOutcomes && row.decisions - row.qsm_tasks !== 1) violations.push(`request ${row.order_no} has ${row.decisions} decisions (expected exactly 1)`);
  }
  const [{ open }] = await ds.query(`SELECT count(*)::int AS open FROM actions WHERE state IN ('pending', 'sending')`);
  if (open > 0) violations.push(`${open} outbox row(s) still pending or sending`);

  // One process at a time per shop (ShopLock): two finished cycles of one shop never overlap in time.
  const overlaps: Array<{ shop_id: string; a: string; b: string }> = await ds.query(
    `SELECT a.shop_id, a.id AS a, b.id AS b FROM job_runs a JOIN job_runs b
       ON a.shop_id = b.shop_id AND a.id < b.id AND a.job = 'poll' AND b.job = 'poll'
      AND a.started_at < b.finished_at AND b.started_at < a.finished_at
     LIMIT 20`,
  );
  for (const o of overlaps) violations.push(`poll cycles ${o.a} and ${o.b} of shop ${o.shop_id} overlapped`);

  // Money invariants against ground truth (the simulator's write log, the harness's own records).
  violations.push(...checkNoShippedCancel(world.sim.writes, world.handedOver));
  violations.push(...checkNoDoubleAction(world.sim.calls, world.sim.writes));

  // No shipped order cancelled; what the database says happened is what Qoo10 shows.
  for (const shop of world.shops) {
    for (const order of shop.sim.orders.values()) {
      if (order.cancelledAt && order.shippingStatus >= 4) violations.push(`order ${order.orderNo} was both shipped and cancelled on Qoo10`);
    }
    for (const claim of shop.sim.claims) {
      if (claim.claimStatus === 3 && claim.sellerMemo !== null) {
        const found = (byOrder.get(`${shop.id}|${claim.orderNo}`) ?? [])[0];
        if (!found || !['accepted', 'cancelled_seller_fault'].includes(found.outcome ?? '')) {
          violations.push(`order ${claim.orderNo} cancelled on Qoo10 by us, but the request says ${found?.status}/${found?.outcome}`);
        }
      }
    }
  }
  const expectedOutcome: Record<ExpectedKind, string> = { accept: 'accepted', 'seller-fault': 'cancelled_seller_fault', refuse: 'refused', review: 'review' };
  for (const request of world.opened) {
    const row = (byOrder.get(`${request.shopId}|${request.orderNo}`) ?? [])[0];
    if (!row) continue;
    const simOrder = world.sim.state.order(request.orderNo);
    if (row.outcome === 'accepted' || row.outcome === 'cancelled_seller_fault') {
      if (!simOrder?.cancelledAt) violations.push(`request ${request.orderNo} says ${row.outcome} but Qoo10 shows the order not cancelled`);
      if (request.kind === 'refuse') violations.push(`order ${request.orderNo} was handed to the carrier but its request was ${row.outcome}`);
    }
    if (row.outcome === 'refused') {
      for (const line of request.cartLines) {
        const lineOrder = world.sim.state.order(line);
        if (!lineOrder || lineOrder.shippingStatus < 4) violations.push(`request ${request.orderNo} refused but cart line ${line} shows no shipment on Qoo10`);
      }
    }
    if (options.expectOutcomes) {
      const got = row.status === 'review' ? 'review' : row.outcome;
      // Where Qoo10 keeps the request pending after ship-confirm, a refusal ends as a person's QSM task.
      const shop = world.shops.find((s) => s.id === request.shopId);
      const stillPendingOnQoo10 = shop ? world.sim.state.currentClaim(shop.sim, request.orderNo)?.claimStatus === 1 : false;
      const fine = got === expectedOutcome[request.kind] || (request.kind === 'refuse' && got === 'review' && stillPendingOnQoo10);
      if (!fine) violations.push(`request ${request.orderNo} (${request.kind}) ended ${row.status}/${row.outcome}`);
    }
  }

  // Tracking numbers from imports: submitted ones are on Qoo10, rejected ones are not.
  const tracking: Array<{ order_no: string; tracking_no: string; status: string }> = await ds.query(
    `SELECT order_no, tracking_no, status FROM tracking_numbers WHERE source IN ('api', 'csv')`,
  );
  for (const row of tracking) {
    const simOrder = world.sim.state.order(row.order_no);
    if (row.status === 'pending') violations.push(`tracking ${row.tracking_no} for ${row.order_no} left pending`);
    if ((row.status === 'submitted' || row.status === 'confirmed') && simOrder?.trackingNo !== row.tracking_no) {
      violations.push(`tracking ${row.tracking_no} for ${row.order_no} is ${row.status} but Qoo10 shows ${simOrder?.trackingNo}`);
    }
  }

  // The month's rate equals a recount from scratch.
  const shops = new ShopRepository(ds, new CredentialsCipher(CHAOS_SECRET), { policy: testShopPolicy() });
  const rates = new RateService(new RateRepository(ds), shops, new AlertService(new AlertRepository(ds), false, silentLogger()), {
    limit: 0.07,
    alertLevels: [0.05, 0.07],
    exclusionHours: 6,
    denominator: 'orders_placed',
  }, () => new Date());
  for (const shop of world.shops) {
    const recount = await rates.recountFromScratch(shop.id, jstMonthOf(new Date()));
    if (!recount.consistent) violations.push(`rate of ${shop.name} differs from the service's own recount: ${JSON.stringify(recount.differences)}`);
  }
  violations.push(...(await checkReportedRates(world)));
  return violations;
}

/** The month's rate as `cancel-guard rate --json` reports it for each shop, against a recount from the simulator. */
export async function checkReportedRates(world: ChaosWorld): Promise<string[]> {
  const violations: string[] = [];
  for (const shop of world.shops) {
    const run = await world.runCli(['rate', '--json', '--shop', shop.id]);
    let reported: ReportedRate;
    try {
      if (run.code !== 0) throw new Error(`exit ${run.code}`);
      reported = JSON.parse(run.stdout) as ReportedRate;
    } catch (error) {
      violations.push(`rate: ${shop.name}: rate --json gave no report (${String(error)}): ${run.output.slice(-400)}`);
      continue;
    }
    violations.push(...compareRate(shop.name, reported, shop.sim, 'rate --json'));
  }
  return violations;
}
