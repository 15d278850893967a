import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import type { SimulatorFaults } from '../../src/qoo10/simulator/faults';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { FactsRepository } from '../../src/persistence/facts-repository';
import { createTestDatabase, type TestDatabase } from './test-database';
import { testShopPolicy } from './builders';
import { HARNESS_SHOP_LEASE_SECONDS, leasesLapsed } from './shop-leases';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const KEY = 'crash-sak-0001';
const SECRET = 'crash-test-credentials-secret-0123456789';

export interface CrashWorld {
  db: TestDatabase;
  sim: SimulatorHandle;
  shopId: string;
  /** Orders whose request should end in each way. */
  expected: { accept: string[]; sellerFault: string[]; refuse: string[]; refuseCartLines: string[]; review: string[] };
  /** Runs `cancel-guard poll --once` as a separate process; kills it with SIGKILL after `killAfterMs` if given. */
  runPollOnce(killAfterMs?: number): Promise<{ code: number | null; killed: boolean; output: string }>;
  close(): Promise<void>;
}

/**
 * A database, a simulator with one shop and `perKind` cancel requests of each kind, and a way to run
 * the service as its own process so it can really be SIGKILLed mid-cycle.
 */
export async function createCrashWorld(options: { perKind: number; faults?: SimulatorFaults }): Promise<CrashWorld> {
  const db = await createTestDatabase();
  const sim = await startSimulator({ port: 0, faults: options.faults });
  const simShop = sim.state.addShop({ sellerAuthKey: KEY, name: 'クラッシュ試験店', orders: [], claims: [] });
  const shops = new ShopRepository(db.dataSource, new CredentialsCipher(SECRET), { policy: testShopPolicy() });
  const shop = await shops.ensureShopForKey({ name: 'クラッシュ試験店', sellerAuthKey: KEY, isDemo: false });
  const facts = new FactsRepository(db.dataSource);
  await facts.setStock(shop.id, [
    { sellerItemCode: 'OK', available: 1000 },
    { sellerItemCode: 'OUT', available: 0 },
  ]);

  const expected: CrashWorld['expected'] = { accept: [], sellerFault: [], refuse: [], refuseCartLines: [], review: [] };
  let serial = 0;
  const order = (sellerItemCode: string, packNo?: string) => {
    serial += 1;
    const placed = sim.state.addOrder(simShop, {
      ...(packNo ? { packNo } : {}),
      orderedAt: new Date(Date.now() - 8 * 3_600_000).toISOString(),
      itemTitle: `試験商品 ${sellerItemCode}`,
      itemNo: `5000${serial}`,
      sellerItemCode,
    });
    sim.state.sellerCheck(simShop, placed.orderNo, new Date(Date.now() + 2 * 86_400_000));
    return placed.orderNo;
  };
  for (let i = 0; i < options.perKind; i += 1) {
    expected.accept.push(order('OK'));
    expected.sellerFault.push(order('OUT'));
    expected.review.push(order('UNKNOWN'));
    const packNo = String(88_000_000 + i);
    const first = order('OK', packNo);
    const second = order('OK', packNo);
    expected.refuse.push(first);
    expected.refuseCartLines.push(first, second);
    const trackingNo = `${String(10_000_000_000 + i).padStart(11, '0')}`;
    const withCheck = `${trackingNo}${Number(BigInt(trackingNo) % 7n)}`;
    await facts.recordOrderFact(shop.id, first, { handedToCarrierAt: new Date() });
    await facts.recordKnownTracking(shop.id, first, 'ヤマト宅急便', withCheck);
  }
  for (const orderNo of [...expected.accept, ...expected.sellerFault, ...expected.review, ...expected.refuse]) {
    sim.state.requestCancel(orderNo);
  }

  return {
    db,
    sim,
    shopId: shop.id,
    expected,
    runPollOnce(killAfterMs) {
      return new Promise((done) => {
        let output = '';
        const child = spawn(process.execPath, [CLI, 'poll', '--once'], {
          cwd: PROJECT_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: db.url,
            QOO10_API_BASE_URL: sim.url,
            QOO10_SELLER_AUTH_KEY: KEY,
            CREDENTIALS_SECRET: SECRET,
            QOO10_MIN_INTERVAL_MS: '0',
            QOO10_TIMEOUT_MS: '1000',
            AUTO_DECISIONS: 'accept,refuse,seller-fault',
            LOG_LEVEL: 'error',
            SHOP_LEASE_SECONDS: HARNESS_SHOP_LEASE_SECONDS,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        let killed = false;
        const timer = killAfterMs === undefined ? null : setTimeout(() => {
          killed = child.exitCode === null && child.kill('SIGKILL');
        }, killAfterMs);
        child.on('exit', (code) => {
          if (timer) clearTimeout(timer);
          // A killed run's shop lease lapses by itself; the next run starts once it has.
          const result = { code, killed, output };
          if (killed) leasesLapsed(db.dataSource).then(() => done(result), (error: Error) => done({ ...result, output: `${output}\n${error.message}` }));
          else done(result);
        });
      });
    },
    async close() {
      await sim.close();
      await db.drop();
    },
  };
}

/** Write calls Qoo10 applied (answered ResultCode 0), counted per effect. */
export function appliedWrites(sim: SimulatorHandle): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of sim.calls) {
    if (call.responseCode !== 0) continue;
    let key: string | null = null;
    if (/SetCancelProcess$/i.test(call.method)) key = `cancel:${call.params.ContrNo}`;
    if (/SetSendingInfo$/i.test(call.method)) key = `tracking:${call.params.OrderNo}`;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** A small deterministic PRNG so a failing run can be repeated from its printed seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}
