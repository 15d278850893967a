// `cancel-guard verify-live` as a seller runs it: a real process on a real database against the simulator, the
// typed confirmation read from stdin, the report on stdout (--json), nothing written unless the order number
// was typed.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { NOW, ORDERS, SHOP_A_KEY, smallScenario } from '../qoo10/qoo10-test-helpers';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const WRITES = /SetCancelProcess|SetSendingInfo|SetSellerCheck/i;

let db: TestDatabase;
let sim: SimulatorHandle;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

function runCli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'verify-live', ...args], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        DATABASE_URL: db.url,
        ADMIN_TOKEN: 'verify-live-cli-token-0123456789',
        CREDENTIALS_SECRET: 'verify-live-cli-secret-'.padEnd(40, 'x'),
        QOO10_SELLER_AUTH_KEY: SHOP_A_KEY,
        QOO10_API_BASE_URL: sim.url,
        QOO10_MIN_INTERVAL_MS: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(stdin);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const writes = () => sim.calls.filter((c) => WRITES.test(c.method));

describe('cancel-guard verify-live (whole process)', () => {
  test('by default reads only and prints the report as JSON', async () => {
    const run = await runCli(['--json'], '');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.mode, 'read_only');
    assert.equal(report.findings.length, 8);
    assert.equal(report.findings.find((f: { fact: string }) => f.fact === 'fresh_read_fields').verdict, 'confirmed');
    assert.ok(sim.calls.length > 0);
    assert.deepEqual(writes(), []);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SHOP_A_KEY), 'the key is not printed or logged');
  });

  test('a write check sends nothing when the typed answer is not the order number (exit 1)', async () => {
    const run = await runCli(['--check-accept', ORDERS.requested], 'y\n');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /CancelReason=1/, 'the preview went to stderr');
    assert.match(run.stdout, /送っていません/);
    assert.deepEqual(writes(), []);
    assert.equal(sim.state.order(ORDERS.requested)?.cancelledAt, null);
  });

  test('a write check sends one write when the order number is typed, and reports the verdict', async () => {
    const run = await runCli(['--check-accept', ORDERS.requested, '--json'], `${ORDERS.requested}\n`);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.mode, 'guided');
    assert.equal(report.findings.find((f: { fact: string }) => f.fact === 'accept_keeps_buyer_reason').verdict, 'confirmed');
    assert.deepEqual(writes().map((c) => [c.method, c.params.ContrNo]), [['Claim.SetCancelProcess', ORDERS.requested]]);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SHOP_A_KEY));
  });
});
