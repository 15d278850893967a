// Scale-out (issue 16): shop polls are pg-boss jobs, one per shop per POLL_SCHEDULE slot, spread over
// every worker on the database. Two workers started apart never poll one shop twice in one slot, and a
// SIGKILLed `cancel-guard worker` process's shops are polled again by the workers that remain.
// Ground truth: the job_runs rows the pipeline writes for each real poll. Short slots and leases via
// settings; outcomes asserted, never speed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PROJECT_ROOT } from '../../src/config/paths';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { startService, type ServiceHandle } from '../../src/main';
import { slotOf } from '../../src/jobs/work-queue';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const SCHEDULE = '*/5 * * * * *';
const SHOPS = 12;
const SECRET = 'worker-queue-test-secret-'.padEnd(40, 'x');
const key = (i: number) => `test-sak-worker-${String(i).padStart(4, '0')}`;

function env(db: TestDatabase, sim: SimulatorHandle, dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    QOO10_API_BASE_URL: sim.url,
    QOO10_SELLER_AUTH_KEY: key(0),
    CREDENTIALS_SECRET: SECRET,
    ADMIN_TOKEN: 'worker-queue-admin-token-0123456789',
    DATA_DIR: dataDir,
    QOO10_MIN_INTERVAL_MS: '0',
    QOO10_TIMEOUT_MS: '5000',
    POLL_SCHEDULE: SCHEDULE,
    SHOP_LEASE_SECONDS: '2',
    WORKER_POLL_INTERVAL_MS: '500',
    WORKER_CONCURRENCY: '3',
    LOG_LEVEL: 'silent',
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function world(latencyMs: number) {
  const db = await createTestDatabase();
  const sim = await startSimulator({ port: 0, faults: { latencyMs } });
  for (let i = 0; i < SHOPS; i++) sim.state.addShop({ sellerAuthKey: key(i), name: `ワーカー店 ${i}`, orders: [], claims: [] });
  const dataDir = mkdtempSync(resolve(tmpdir(), 'cg-worker-'));
  const vars = env(db, sim, dataDir);
  // The shops, stored once by a process that neither schedules nor works.
  const setup = await startService(loadConfig(vars), { listen: false, schedule: false, logger: silentLogger(), announce: () => undefined });
  for (let i = 1; i < SHOPS; i++) await setup.services.shops.ensureShopForKey({ name: `ワーカー店 ${i}`, sellerAuthKey: key(i), isDemo: false });
  await setup.stop();
  const worker = (overrides: Record<string, string> = {}) =>
    startService(loadConfig({ ...vars, ...overrides }), { listen: false, logger: silentLogger(), announce: () => undefined });
  const polls = async (): Promise<Array<{ shop_id: string; started_at: Date; status: string }>> =>
    db.dataSource.query(`SELECT shop_id, started_at, status FROM job_runs WHERE job = 'poll' ORDER BY started_at`);
  return { db, sim, vars, worker, polls, close: async () => (await sim.close(), await db.drop()) };
}

describe('shop polls on the job queue (several workers, one database)', () => {
  test('two workers started apart poll every shop, and never one shop twice in one slot', async () => {
    const w = await world(20);
    const handles: ServiceHandle[] = [];
    try {
      handles.push(await w.worker());
      await sleep(1_500);
      handles.push(await w.worker());
      // At least three slots where both workers tick and work.
      const firstSlot = slotOf(SCHEDULE, new Date()).getTime();
      await waitUntil('three slots of polls', async () => {
        const runs = await w.polls();
        const slots = new Set(runs.filter((r) => r.started_at.getTime() >= firstSlot + 5_000).map((r) => slotOf(SCHEDULE, r.started_at).getTime()));
        return slots.size >= 3 && (await w.polls()).filter((r) => r.status === 'running').length === 0;
      });
      await Promise.all(handles.splice(0).map((h) => h.stop()));

      const runs = await w.polls();
      const perShopSlot = new Map<string, number>();
      for (const run of runs) {
        const slotKey = `${run.shop_id}@${slotOf(SCHEDULE, run.started_at).toISOString()}`;
        perShopSlot.set(slotKey, (perShopSlot.get(slotKey) ?? 0) + 1);
      }
      const twice = [...perShopSlot].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no shop was polled twice in one slot');
      const shopsPolled = new Set(runs.filter((r) => r.status === 'ok').map((r) => r.shop_id));
      assert.equal(shopsPolled.size, SHOPS, 'every shop was polled');
      // The polls ran as queue jobs, one per shop per slot (the queue's own record).
      const jobs = await w.db.dataSource.query(
        `SELECT count(*)::int AS n, count(DISTINCT (data->>'shopId', data->>'slot'))::int AS distinct_slots FROM pgboss.job WHERE name = 'shop-poll' AND state = 'completed'`,
      );
      assert.ok(jobs[0].n >= SHOPS * 3, 'the slots\' polls were completed through the queue');
      assert.equal(jobs[0].n, jobs[0].distinct_slots, 'one job per shop per slot');
    } finally {
      await Promise.all(handles.map((h) => h.stop()));
      await w.close();
    }
  });

  test('a SIGKILLed worker process: the shops it was polling are polled again by the remaining worker', async () => {
    // Slow Qoo10 answers, so the killed worker is caught in the middle of its polls.
    const w = await world(700);
    let survivor: ServiceHandle | null = null;
    try {
      const child = spawn(process.execPath, [CLI, 'worker'], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', ...w.vars },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise((done) => child.on('exit', done));
      await waitUntil('the worker process holding shops mid-poll', async () => {
        if (child.exitCode !== null) throw new Error(`worker exited early: ${output}`);
        const held = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM shop_leases WHERE kind = 'lease'`);
        // A lease is taken a moment before the poll's run is recorded: wait for both.
        const running = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM job_runs WHERE job = 'poll' AND status = 'running'`);
        return held[0].n >= 2 && running[0].n >= 2;
      });
      child.kill('SIGKILL');
      await exited;
      const killedAt = new Date();
      // A dead holder's lease rows stay until someone takes them over: exactly the shops it held.
      const held: Array<{ shop_id: string }> = await w.db.dataSource.query(`SELECT shop_id FROM shop_leases WHERE kind = 'lease'`);
      assert.ok(held.length >= 2);
      // The killed worker's runs stay 'running' for ever: proof it died mid-poll.
      const stranded = await w.db.dataSource.query(`SELECT DISTINCT shop_id FROM job_runs WHERE job = 'poll' AND status = 'running'`);
      // (A lease may be a moment older than its run, or outlive it by a moment: some, not all, is the proof.)
      assert.ok(held.some(({ shop_id }) => stranded.some((r: { shop_id: string }) => r.shop_id === shop_id)), 'the killed worker was mid-poll on its shops');

      survivor = await w.worker();
      await waitUntil('every shop the killed worker held polled again', async () => {
        const done = (await w.polls()).filter((r) => r.status === 'ok' && r.started_at >= killedAt).map((r) => r.shop_id);
        return held.every(({ shop_id }) => done.includes(shop_id));
      }, 50_000);
    } finally {
      await survivor?.stop();
      await w.close();
    }
  });
});
