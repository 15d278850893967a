// The tracking commands as people and scripts use them: the built CLI in its own process, on a real
// database, against the Qoo10 simulator over HTTP. A label file with junk is imported (junk held by
// line), the held rows are listed as JSON, one is corrected and submitted, and Qoo10 shows it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { silentLogger } from '../../src/logger';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { OrderRepository } from '../../src/persistence/order-repository';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { formatJstDateTime } from '../../src/qoo10/qoo10-dates';
import { anOrder } from '../helpers/domain-builders';
import { testShopPolicy } from '../helpers/builders';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const CLI = path.resolve(PROJECT_ROOT, 'dist/src/cli.js');
const FIXTURES = [path.resolve(__dirname, '../../../test/fixtures/label-csv'), path.resolve('test/fixtures/label-csv')].find((dir) => existsSync(dir))!;
const SHOP_KEY = 'SAK-cli-tracking-0001';
const SECRET = 'cli-tracking-secret-'.padEnd(40, 'x');
const ORDERS = Array.from({ length: 12 }, (_, i) => String(1043500001 + i));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('cancel-guard tracking (the built CLI)', () => {
  let db: TestDatabase;
  let sim: SimulatorHandle;
  let env: Record<string, string>;
  const cli = (...args: string[]) =>
    new Promise<Run>((done) => {
      execFile(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  before(async () => {
    db = await createTestDatabase();
    const orderedAt = formatJstDateTime(new Date(Date.now() - 5 * 3_600_000));
    sim = await startSimulator({
      scenario: {
        shops: [{
          sellerAuthKey: SHOP_KEY, name: 'CLI Shop', claims: [],
          orders: ORDERS.map((orderNo) => ({
            orderNo, packNo: orderNo, orderedAt, paidAt: orderedAt, shippingStatus: 3 as const, itemNo: '912345001', itemTitle: 'マグカップ',
            quantity: 1, unitPriceYen: 1980, paymentMethod: 'クレジットカード', estimatedShipDate: formatJstDateTime(new Date()),
          })),
        }],
      },
    });
    const shops = new ShopRepository(db.dataSource, new CredentialsCipher(SECRET), { policy: testShopPolicy() });
    const shop = await shops.ensureShopForKey({ name: 'CLI Shop', sellerAuthKey: SHOP_KEY, isDemo: false });
    await new OrderRepository(db.dataSource).upsertOrders(shop.id, ORDERS.map((orderNo) => anOrder({ orderNo, packNo: orderNo })));
    env = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'error', DATABASE_URL: db.url,
      QOO10_SELLER_AUTH_KEY: SHOP_KEY, CREDENTIALS_SECRET: SECRET, ADMIN_TOKEN: 'cli-tracking-admin-token-0123',
      QOO10_API_BASE_URL: sim.url, QOO10_MIN_INTERVAL_MS: '0',
    };
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  test('import holds the junk rows by line, tracking held --json lists them, correct + submit sends one to Qoo10', async () => {
    const imported = await cli('import-tracking', path.join(FIXTURES, 'junk.utf8.csv'), '--json');
    assert.equal(imported.code, 1, 'held rows make the import exit 1');
    const report = JSON.parse(imported.stdout) as { counts: { held: number; accepted: number }; held: Array<{ line: number; id: string }> };
    assert.deepEqual([report.counts.accepted, report.counts.held], [3, 9]);

    const listed = await cli('tracking', 'held', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const items = JSON.parse(listed.stdout) as Array<{ id: string; sourceRef: string; trackingNo: string; reasons: Array<{ code: string; field: string }> }>;
    assert.deepEqual(items.map((h) => h.sourceRef), report.held.map((h) => `junk.utf8.csv:${h.line}`));
    const formula = items.find((h) => h.sourceRef === 'junk.utf8.csv:4')!;
    assert.deepEqual(formula.reasons.map((r) => [r.code, r.field]), [['formula_text', 'trackingNo']]);

    const stillJunk = await cli('tracking', 'submit', formula.id);
    assert.notEqual(stillJunk.code, 0);
    assert.match(stillJunk.stderr, /trackingNo must be corrected/);
    assert.equal(sim.state.order('1043500003')!.shippingStatus, 3);

    const corrected = await cli('tracking', 'correct', formula.id, '--number', '432109876332', '--json');
    assert.equal(corrected.code, 0, corrected.stderr);
    assert.deepEqual(JSON.parse(corrected.stdout).reasons, []);
    const submitted = await cli('tracking', 'submit', formula.id, '--json');
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.equal(JSON.parse(submitted.stdout).held.status, 'submitted');
    assert.equal(sim.state.order('1043500003')!.trackingNo, '432109876332');
    assert.equal(sim.state.order('1043500003')!.shippingStatus, 4);

    const text = await cli('tracking', 'held');
    assert.match(text.stdout, /#\d+ {2}held {2}junk\.utf8\.csv:3 [^\n]*\n {4}formula_text \(carrier\) \[correct\]/);
    // Control and invisible characters are shown escaped, never written to the terminal as they are.
    assert.match(text.stdout, /carrier "ヤマト\\u0007運輸"/);
    assert.match(text.stdout, /number "432109\\u200b876774"/);
    assert.doesNotMatch(text.stdout, /[\u0007\u200b]/);
    assert.doesNotMatch(text.stdout, /junk\.utf8\.csv:4/);
  });
});
